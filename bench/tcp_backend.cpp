// A backend for the proxy benchmark (bench/proxy.sh) that is never the bottleneck: one thread
// around epoll, no thread or allocation per request once a connection is open. It answers
// every HTTP request with the same small 200 response, keeps the connection open unless the
// request asks to close it (`Connection: close`, or HTTP/1.0 without keep-alive), and then
// closes it right after the response, as a web server does.
//
//   bench_tcp_backend --listen [ADDR]:PORT [--mode http]
// Runs until it is killed; prints "ready" on stdout once it listens.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/dns/endpoint.hpp"
#include "net/fd.hpp"

namespace {

using sixpn::net::Fd;

constexpr std::string_view kKeepAliveResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n\r\nok\n";
constexpr std::string_view kClosingResponse =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n"
    "\r\nok\n";
// A client whose headers grow past this without ending is not a benchmark's client.
constexpr std::size_t kMaxHeaderBytes = 64 * 1024;

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Does a comma-separated header value hold `token` (case-insensitive)?
bool has_token(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    auto comma = value.find(',');
    if (iequals(trim(value.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// What the backend needs to know of one request's head (request line and headers, without the
// blank line that ends them).
struct RequestHead {
  bool close = false;
  std::size_t body = 0;  // Content-Length
};

RequestHead read_head(std::string_view head) {
  RequestHead out;
  auto line_end = head.find("\r\n");
  std::string_view request_line = head.substr(0, line_end);
  const bool http10 =
      request_line.size() >= 8 && request_line.substr(request_line.size() - 8) == "HTTP/1.0";
  bool keep_alive = false;
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    std::string_view line = head.substr(0, line_end);
    auto colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = trim(line.substr(0, colon));
    auto value = trim(line.substr(colon + 1));
    if (iequals(name, "connection")) {
      out.close = out.close || has_token(value, "close");
      keep_alive = keep_alive || has_token(value, "keep-alive");
    } else if (iequals(name, "content-length")) {
      out.body = std::strtoull(std::string(value).c_str(), nullptr, 10);
    }
  }
  if (http10 && !keep_alive) out.close = true;
  return out;
}

struct Connection {
  Fd fd;
  std::string in;          // bytes read and not yet answered
  std::size_t skip = 0;    // body bytes of the last request still to come
  std::string out;         // response bytes the socket did not take yet
  bool closing = false;    // close once `out` is sent
  bool peer_done = false;  // the client sent its FIN
};

class Server {
 public:
  explicit Server(Fd listener)
      : listener_(std::move(listener)), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = listener_.get();
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, listener_.get(), &ev);
  }

  [[noreturn]] void run() {
    std::vector<epoll_event> events(512);
    for (;;) {
      int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), -1);
      for (int i = 0; i < n; ++i) {
        int fd = events[static_cast<std::size_t>(i)].data.fd;
        if (fd == listener_.get()) {
          accept_all();
        } else if (auto it = conns_.find(fd); it != conns_.end()) {
          // A descriptor closed earlier in this batch may already belong to a new connection;
          // serving it then only finds nothing to read.
          serve(it->second);
        }
      }
    }
  }

 private:
  void accept_all() {
    for (;;) {
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;  // EAGAIN, or out of descriptors (the client retries)
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      epoll_event ev{};
      ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
      ev.data.fd = fd;
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
      conns_[fd].fd = Fd(fd);  // a closed descriptor left the map before it was closed
    }
  }

  void serve(Connection& conn) {
    char buf[16384];
    while (!conn.peer_done) {
      ssize_t n = ::recv(conn.fd.get(), buf, sizeof buf, 0);
      if (n > 0) {
        conn.in.append(buf, static_cast<std::size_t>(n));
      } else if (n == 0) {
        conn.peer_done = true;
      } else if (errno == EAGAIN || errno == EINTR) {
        break;
      } else {
        return drop(conn);
      }
    }
    answer(conn);
    if (!flush(conn)) return drop(conn);
    if (conn.out.empty() && (conn.closing || conn.peer_done)) return drop(conn);
    if (conn.in.size() > kMaxHeaderBytes) return drop(conn);
  }

  // Appends a response for every complete request in `in`, up to one that asks to close.
  void answer(Connection& conn) {
    std::size_t pos = 0;
    while (!conn.closing) {
      if (conn.skip > 0) {
        std::size_t take = std::min(conn.skip, conn.in.size() - pos);
        conn.skip -= take;
        pos += take;
        if (conn.skip > 0) break;
      }
      auto end = conn.in.find("\r\n\r\n", pos);
      if (end == std::string::npos) break;
      auto head = read_head(std::string_view(conn.in).substr(pos, end - pos));
      pos = end + 4;
      conn.skip = head.body;
      conn.closing = head.close;
      conn.out.append(head.close ? kClosingResponse : kKeepAliveResponse);
    }
    conn.in.erase(0, pos);
  }

  // Sends what it can of `out`; false when the socket failed.
  static bool flush(Connection& conn) {
    while (!conn.out.empty()) {
      ssize_t n = ::send(conn.fd.get(), conn.out.data(), conn.out.size(), MSG_NOSIGNAL);
      if (n > 0) {
        conn.out.erase(0, static_cast<std::size_t>(n));
      } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return true;
      } else {
        return false;
      }
    }
    return true;
  }

  void drop(Connection& conn) { conns_.erase(conn.fd.get()); }  // closing it leaves epoll too

  Fd listener_;
  Fd epoll_;
  std::unordered_map<int, Connection> conns_;
};

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"A fast HTTP backend for bench/proxy.sh: one epoll thread, a fixed 200 response."};
  std::string listen;
  std::string mode = "http";
  app.add_option("--listen", listen, "[ADDR]:PORT or ADDR:PORT to listen on")->required();
  app.add_option("--mode", mode, "what it speaks")->check(CLI::IsMember({"http"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "bench_tcp_backend: %s\n", e.what());
    return 2;
  }
  auto endpoint = sixpn::core::dns::parse_endpoint(listen);
  if (!endpoint) {
    std::fprintf(stderr, "bench_tcp_backend: --listen %s is not [ADDR]:PORT or ADDR:PORT\n",
                 listen.c_str());
    return 2;
  }
  // As many connections as the hard limit allows, like the proxies in front of it.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  Fd fd(::socket(endpoint->family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  int one = 1;
  if (fd) ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (!fd || ::bind(fd.get(), endpoint->addr(), endpoint->length) != 0 ||
      ::listen(fd.get(), SOMAXCONN) != 0) {
    std::fprintf(stderr, "bench_tcp_backend: cannot listen on %s: %s\n", endpoint->str().c_str(),
                 std::strerror(errno));
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);
  Server(std::move(fd)).run();
}
