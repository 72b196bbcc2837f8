#include "server/http/server.hpp"

#include <httplib.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <optional>
#include <system_error>

#include "server/change_waiter.hpp"
#include "server/http/auth_limiter.hpp"
#include "server/http/connection_cut.hpp"
#include "server/http/dispatch.hpp"
#include "server/http/elastic_pool.hpp"
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

void log_event(const std::string& line) {
  std::fprintf(stderr, "%s sixpnd: %s\n", now_rfc3339().c_str(), line.c_str());
}

// Resident threads: enough for ordinary traffic without starting a thread per connection.
constexpr std::size_t kResidentThreads = 8;
// How long a stop spares connections whose request is being handled (its body may still be
// arriving); after that they are cut like idle ones.
constexpr std::chrono::seconds kStopGrace{10};
}  // namespace

struct ApiServer::Impl {
  Services services;
  ServerOptions options;
  AuthLimiter limiter;
  Router router{route_table()};
  std::unique_ptr<httplib::Server> server;
  httplib::Server& http;
  std::atomic<bool> stop_requested{false};
  // Made by bind(), so that a failure to start threads is reported there; httplib takes it
  // over when it starts serving.
  std::unique_ptr<ElasticPool> pool;
  socket_t listen_socket = INVALID_SOCKET;
  std::atomic<std::uint16_t> bound_port{0};
  RequestsInFlight in_flight;
  std::mutex stop_mu;
  std::optional<Clock::time_point> first_stop;  // under stop_mu

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
    // httplib owns the queue it is handed (a plain pointer is its API).
    http.new_task_queue = [this]() -> httplib::TaskQueue* {
      return pool ? pool.release() : new ElasticPool(pool_options());
    };
    http.set_payload_max_length(options.max_body_bytes);
    http.set_keep_alive_max_count(100);
    // httplib's timeouts stay at their 5 s: an idle kept-alive connection (or one that never
    // sends a request) is closed after 5 s, which frees its thread; a watch client sends its
    // next poll at once. The read and write timeouts bound each socket read and write, not the
    // time a handler takes, so a long-poll may wait in its handler far longer than 5 s.
    // httplib writes the headers and the body of a reply separately; with Nagle's algorithm on,
    // the body then waits for the client's delayed ACK (40 ms on Linux) on every request after
    // the first on a kept-alive connection: 4.6 s for the 100 pages of a 10,000-peer list.
    http.set_tcp_nodelay(true);
    // SO_REUSEADDR only: httplib's default adds SO_REUSEPORT, which would let a second
    // sixpnd bind the same port silently instead of failing with "address in use".
    http.set_socket_options([this](socket_t sock) {
      int yes = 1;
      setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
      listen_socket = sock;  // the last one offered is the one bound
    });
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      request_start = Clock::now();
      in_flight.begin(Peer{req.remote_addr, req.remote_port});
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
    // httplib calls its logger once the reply has been written.
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
      in_flight.end();
      if (options.log) log_line(req, res);
    });
  }

  ElasticPoolOptions pool_options() const {
    ElasticPoolOptions o;
    o.resident_threads = std::min(kResidentThreads, options.max_connections);
    o.max_threads = options.max_connections;
    o.log = log_event;
    return o;
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
  if (!impl_->http.bind_to_port(listen.host, listen.port)) {
    int err = errno;
    error = "cannot listen on " + listen.str() + ": " +
            (err != 0 ? std::strerror(err) : "the address is not available");
    return false;
  }
  // httplib listens with a backlog of 5: hosts reconnecting together after a restart have
  // their SYNs dropped and retried seconds later (1,000 connections opened one after another
  // took 25–35 s to be accepted, 1.6–1.8 s with this). Listening again only resizes the queue;
  // the kernel caps it at net.core.somaxconn.
  if (impl_->listen_socket != INVALID_SOCKET) {
    ::listen(impl_->listen_socket, SOMAXCONN);
    impl_->bound_port = local_port_of(impl_->listen_socket);
  }
  try {
    impl_->pool = std::make_unique<ElasticPool>(impl_->pool_options());
  } catch (const std::system_error& e) {
    error = std::string("cannot start the HTTP threads: ") + e.what();
    return false;
  }
  return true;
}

void ApiServer::run() {
  if (impl_->stop_requested) return;
  impl_->http.listen_after_bind();
}

void ApiServer::stop() {
  impl_->stop_requested = true;
  if (impl_->services.changes != nullptr) impl_->services.changes->shutdown();
  impl_->http.stop();
  // httplib lets idle connections go only when their wait ends, which a client can put off
  // for ever; see connection_cut.hpp. serve() calls stop() until run() has returned, so the
  // connections spared at first are cut once the grace is over.
  auto port = impl_->bound_port.load();
  if (port == 0) return;
  std::lock_guard lock(impl_->stop_mu);
  auto now = Clock::now();
  if (!impl_->first_stop) impl_->first_stop = now;
  bool graceful = now - *impl_->first_stop < kStopGrace;
  stop_reading_connections_on_port(
      port, [&](const Peer& peer) { return graceful && impl_->in_flight.contains(peer); });
}

}  // namespace sixpn::server::http
