#pragma once
// Real TCP on loopback for the proxy's tests: connected pairs, and a small backend server that
// greets each connection with its name and echoes what it reads until the client's FIN.
#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/address.hpp"
#include "net/fd.hpp"

namespace sixpn::proxy::testing {

inline const core::Ipv6 kLoopback = *core::Ipv6::parse("::1");

inline sockaddr_in6 loopback(std::uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_addr = in6addr_loopback;
  sa.sin6_port = htons(port);
  return sa;
}

// A listening socket on [::1]:port; port 0: the kernel picks one, and `port` says which.
inline net::Fd listen_loopback(std::uint16_t& port) {
  net::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  int one = 1;
  ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  auto sa = loopback(port);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return {};
  ::listen(fd.get(), 128);
  socklen_t len = sizeof sa;
  ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&sa), &len);
  port = ntohs(sa.sin6_port);
  return fd;
}

// Entries of /proc/self/fd: the open descriptors plus a constant few ("." and "..", and the
// directory's own while it is read), so differences between two counts are exact.
inline int open_descriptors() {
  int n = 0;
  DIR* d = ::opendir("/proc/self/fd");
  while (::readdir(d)) ++n;
  ::closedir(d);
  return n;
}

// A port nothing listens on (taken and given back at once).
inline std::uint16_t free_port() {
  std::uint16_t port = 0;
  listen_loopback(port);
  return port;
}

inline net::Fd connect_loopback(std::uint16_t port) {
  net::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  auto sa = loopback(port);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) return {};
  timeval tv{10, 0};  // a test that goes wrong fails instead of hanging
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

inline bool send_all(int fd, const std::string& data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

// Everything until EOF; `error` gets errno when the read fails instead (a reset, a timeout).
inline std::string read_all(int fd, int* error = nullptr) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n > 0) {
      out.append(buf, static_cast<std::size_t>(n));
    } else {
      if (n < 0 && error) *error = errno;
      return out;
    }
  }
}

// One line ("name\n"): what the backend greets with.
inline std::string read_line(int fd) {
  std::string out;
  char c;
  while (::recv(fd, &c, 1, 0) == 1 && c != '\n') out += c;
  return out;
}

class EchoBackend {
 public:
  explicit EchoBackend(std::string name, std::uint16_t port = 0)
      : name_(std::move(name)), port_(port) {
    listener_ = listen_loopback(port_);
    ::pipe(stop_);
    thread_ = std::thread([this] { serve(); });
  }
  ~EchoBackend() {
    [[maybe_unused]] auto n = ::write(stop_[1], "x", 1);
    thread_.join();
    for (auto& t : handlers_) t.join();
    ::close(stop_[0]);
    ::close(stop_[1]);
  }
  std::uint16_t port() const { return port_; }
  int accepted() const { return accepted_.load(); }
  // Resets every connection it holds (SO_LINGER 0), as a machine that dies does.
  void reset_connections() { reset_.store(true); }

 private:
  void serve() {
    for (;;) {
      pollfd fds[2] = {{listener_.get(), POLLIN, 0}, {stop_[0], POLLIN, 0}};
      ::poll(fds, 2, -1);
      if (fds[1].revents) return;
      int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      accepted_++;
      handlers_.emplace_back([this, fd] { handle(fd); });
    }
  }
  void handle(int fd) {
    send_all(fd, name_ + "\n");
    char buf[65536];
    for (;;) {
      pollfd p[2] = {{fd, POLLIN, 0}, {stop_[0], POLLIN, 0}};
      ::poll(p, 2, 50);
      if (reset_.load()) {
        linger l{1, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
        break;
      }
      if (p[1].revents) break;
      if (!p[0].revents) continue;
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n <= 0) break;
      if (!send_all(fd, std::string(buf, static_cast<std::size_t>(n)))) break;
    }
    ::close(fd);
  }

  std::string name_;
  std::uint16_t port_ = 0;
  net::Fd listener_;
  int stop_[2] = {-1, -1};
  std::atomic<int> accepted_{0};
  std::atomic<bool> reset_{false};
  std::thread thread_;
  std::vector<std::thread> handlers_;
};

}  // namespace sixpn::proxy::testing
