#include "dns/socket.hpp"

#include <netinet/in.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>

namespace sixpn::dns {

namespace {

[[noreturn]] void fail(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

Fd open_socket(const core::dns::Endpoint& at, int type, const std::string& what,
               const std::string& device, bool share_port) {
  Fd fd(::socket(at.family(), type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) fail(what + ": socket");
  if (at.family() == AF_INET6) {
    int one = 1;
    if (::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) != 0) {
      fail(what + ": IPV6_V6ONLY");
    }
  }
  if (!device.empty() && ::setsockopt(fd.get(), SOL_SOCKET, SO_BINDTODEVICE, device.c_str(),
                                      static_cast<socklen_t>(device.size())) != 0) {
    fail(what + ": SO_BINDTODEVICE " + device);
  }
  int one = 1;
  if (share_port && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
    fail(what + ": SO_REUSEPORT");
  }
  return fd;
}

}  // namespace

Fd bind_udp(const core::dns::Endpoint& at, const std::string& device, bool share_port) {
  const std::string what = "udp " + at.str() + (device.empty() ? "" : "%" + device);
  Fd fd = open_socket(at, SOCK_DGRAM, what, device, share_port);
  if (::bind(fd.get(), at.addr(), at.length) != 0) fail(what);
  return fd;
}

Fd listen_tcp(const core::dns::Endpoint& at, int backlog, const std::string& device,
              bool share_port) {
  const std::string what = "tcp " + at.str() + (device.empty() ? "" : "%" + device);
  Fd fd = open_socket(at, SOCK_STREAM, what, device, share_port);
  int one = 1;
  // A restarted sixpnd must not wait out TIME_WAIT connections of the previous one.
  if (::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0) {
    fail(what + ": SO_REUSEADDR");
  }
  if (::bind(fd.get(), at.addr(), at.length) != 0) fail(what);
  if (::listen(fd.get(), backlog) != 0) fail(what + ": listen");
  return fd;
}

Fd connect_udp(const core::dns::Endpoint& to) {
  const std::string what = "udp to " + to.str();
  Fd fd(::socket(to.family(), SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) fail(what + ": socket");
  if (::connect(fd.get(), to.addr(), to.length) != 0) fail(what);
  return fd;
}

Fd connect_tcp(const core::dns::Endpoint& to) {
  const std::string what = "tcp to " + to.str();
  Fd fd(::socket(to.family(), SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) fail(what + ": socket");
  if (::connect(fd.get(), to.addr(), to.length) != 0 && errno != EINPROGRESS) fail(what);
  return fd;
}

Fd make_eventfd() {
  Fd fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
  if (!fd) fail("eventfd");
  return fd;
}

core::dns::Endpoint local_endpoint(int fd) {
  sockaddr_storage ss{};
  socklen_t len = sizeof ss;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) fail("getsockname");
  return core::dns::Endpoint::from(reinterpret_cast<sockaddr*>(&ss), len);
}

}  // namespace sixpn::dns
