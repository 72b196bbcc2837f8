#include "server/http/server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>

#include "server/http/auth_limiter.hpp"
#include "server/http/dispatch.hpp"
#include "server/http/router.hpp"
#include "server/util.hpp"

namespace sixpn::server::http {

namespace {
using Clock = std::chrono::steady_clock;

// httplib runs a request's pre-routing handler, handler and logger on one worker thread, one
// request after another, so the start time can ride in a thread-local.
thread_local std::optional<Clock::time_point> request_start;

std::string request_id_of(const httplib::Request& req) {
  // A caller's own id is kept when it is short and plain, so logs on both sides line up.
  auto given = req.get_header_value("X-Request-Id");
  bool usable = !given.empty() && given.size() <= 64;
  for (char c : given) {
    usable = usable && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.');
  }
  return usable ? given : random_hex(8);
}

// httplib 0.11 reads a request that announces no length "until the connection closes", which
// for a plain `curl -X DELETE` means waiting out the read timeout. Per RFC 9112 such a
// request has no body, so these are answered before the library tries to read one.
bool has_no_body(const httplib::Request& req) {
  return !req.has_header("Content-Length") && !req.has_header("Transfer-Encoding");
}

void log_line(const httplib::Request& req, const httplib::Response& res) {
  double ms = 0;
  if (request_start) {
    ms = std::chrono::duration<double, std::milli>(Clock::now() - *request_start).count();
    request_start.reset();
  }
  auto id = res.get_header_value("X-Request-Id");
  // The path only: query strings and headers (where the token lives) are never logged.
  std::fprintf(stderr, "%s %s %s %s %d %.1fms\n", now_rfc3339().c_str(),
               id.empty() ? "-" : id.c_str(), printable(req.method, 16).c_str(),
               printable(req.path, 200).c_str(), res.status, ms);
}
}  // namespace

struct ApiServer::Impl {
  Services services;
  ServerOptions options;
  AuthLimiter limiter;
  Router router{route_table()};
  std::unique_ptr<httplib::Server> server;
  httplib::Server& http;
  std::atomic<bool> stop_requested{false};

  Impl(Services s, ServerOptions o)
      : services(std::move(s)),
        options(std::move(o)),
        limiter(options.auth_failure_limit, options.auth_failure_window),
        server(make_server(options.tls)),
        http(*server) {
    services.auth_limiter = &limiter;
  }

  static std::unique_ptr<httplib::Server> make_server(const std::shared_ptr<TlsSlot>& tls) {
    if (!tls) return std::make_unique<httplib::Server>();
    return std::make_unique<httplib::SSLServer>(
        [slot = tls.get()](SSL_CTX& ctx) { return slot->configure(ctx); });
  }

  void route(const httplib::Request& req, httplib::Response& res) {
    auto m = router.match(req.method, req.path);
    if (m.route != nullptr) return dispatch(services, *m.route, std::move(m.params), req, res);
    if (!m.allowed.empty()) {
      res.set_header("Allow", m.allowed);
      return write_error(
          res, HttpError{405, "method_not_allowed",
                         printable(req.method, 16) + " is not allowed here; use " + m.allowed});
    }
    write_error(res, not_found("no such endpoint: " + printable(req.method, 16) + " " +
                               printable(req.path, 120)));
  }

  void install() {
    auto threads = static_cast<std::size_t>(std::max(1, options.threads));
    // httplib owns the queue it is handed (a plain pointer is its API).
    http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    http.set_payload_max_length(options.max_body_bytes);
    http.set_keep_alive_max_count(100);
    // httplib writes the headers and the body of a reply separately; with Nagle's algorithm on,
    // the body then waits for the client's delayed ACK (40 ms on Linux) on every request after
    // the first on a kept-alive connection: 4.6 s for the 100 pages of a 10,000-peer list.
    http.set_tcp_nodelay(true);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second
    // sixpnd bind the same port silently instead of failing with "address in use".
    http.set_socket_options([](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
    });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      request_start = Clock::now();
      res.set_header("X-Request-Id", request_id_of(req));
      if (req.method != "GET" && req.method != "HEAD" && has_no_body(req)) {
        route(req, res);
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    // Every method goes to the router, which knows the table; httplib only carries bytes.
    auto all = [this](const httplib::Request& req, httplib::Response& res) { route(req, res); };
    http.Get(".*", all);
    http.Post(".*", all);
    http.Put(".*", all);
    http.Patch(".*", all);
    http.Delete(".*", all);
    http.Options(".*", all);
    httplib::Server::HandlerWithResponse on_error = [this](const httplib::Request&,
                                                           httplib::Response& res) {
      if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;  // ours
      library_error(res);
      return httplib::Server::HandlerResponse::Handled;
    };
    http.set_error_handler(std::move(on_error));
    http.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
          write_error(res, HttpError{500, "internal_error", "internal error"});
        });
    if (options.log) http.set_logger(log_line);
  }

  // Answers the library produced itself: oversized bodies, malformed requests.
  void library_error(httplib::Response& res) {
    if (res.status == 413) {
      return write_error(res, HttpError{413, "payload_too_large",
                                        "the request body is larger than " +
                                            std::to_string(options.max_body_bytes) + " bytes"});
    }
    if (res.status == 404) return write_error(res, not_found("no such endpoint"));
    write_error(res, HttpError{res.status, res.status >= 500 ? "internal_error" : "bad_request",
                               "the request could not be handled (HTTP " +
                                   std::to_string(res.status) + ")"});
  }
};

ApiServer::ApiServer(Services services, ServerOptions options)
    : impl_(std::make_unique<Impl>(std::move(services), std::move(options))) {
  impl_->install();
}

ApiServer::~ApiServer() = default;

bool ApiServer::bind(const HostPort& listen, std::string& error) {
  if (!impl_->http.is_valid()) {
    error = "cannot set up TLS (OpenSSL refused the server context)";
    return false;
  }
  errno = 0;
  if (impl_->http.bind_to_port(listen.host, listen.port)) return true;
  int err = errno;
  error = "cannot listen on " + listen.str() + ": " +
          (err != 0 ? std::strerror(err) : "the address is not available");
  return false;
}

void ApiServer::run() {
  if (impl_->stop_requested) return;
  impl_->http.listen_after_bind();
}

void ApiServer::stop() {
  impl_->stop_requested = true;
  impl_->http.stop();
}

}  // namespace sixpn::server::http
