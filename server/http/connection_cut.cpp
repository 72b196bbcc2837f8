#include "server/http/connection_cut.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>

namespace sixpn::server::http {

namespace {
// The request this thread is handling (one HTTP thread serves one connection of one server).
thread_local std::optional<Peer> this_threads_request;

bool int_option(int fd, int option, int& value) {
  socklen_t size = sizeof value;
  return getsockopt(fd, SOL_SOCKET, option, &value, &size) == 0;
}

// The peer of a connected socket, formatted as httplib formats Request::remote_addr; nullopt
// when `fd` is not connected.
std::optional<Peer> peer_of(int fd) {
  sockaddr_storage peer{};
  socklen_t size = sizeof peer;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &size) != 0) return std::nullopt;
  char host[NI_MAXHOST];
  char port[NI_MAXSERV];
  if (getnameinfo(reinterpret_cast<sockaddr*>(&peer), size, host, sizeof host, port, sizeof port,
                  NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
    return Peer{};
  }
  return Peer{host, std::atoi(port)};
}

// The peer of `fd` when it is an accepted TCP connection on `port`.
std::optional<Peer> api_connection_peer(int fd, std::uint16_t port) {
  struct stat st {};
  int type = 0;
  int listening = 0;
  if (fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode) || !int_option(fd, SO_TYPE, type) ||
      type != SOCK_STREAM || !int_option(fd, SO_ACCEPTCONN, listening) || listening != 0 ||
      local_port_of(fd) != port) {
    return std::nullopt;
  }
  return peer_of(fd);
}
}  // namespace

void RequestsInFlight::begin(Peer peer) {
  std::lock_guard lock(mu_);
  if (this_threads_request) {
    if (auto it = peers_.find(*this_threads_request); it != peers_.end()) peers_.erase(it);
  }
  peers_.insert(peer);
  this_threads_request = std::move(peer);
}

void RequestsInFlight::end() {
  std::lock_guard lock(mu_);
  if (!this_threads_request) return;
  if (auto it = peers_.find(*this_threads_request); it != peers_.end()) peers_.erase(it);
  this_threads_request.reset();
}

bool RequestsInFlight::contains(const Peer& peer) const {
  std::lock_guard lock(mu_);
  return peers_.count(peer) > 0;
}

std::uint16_t local_port_of(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size) != 0) return 0;
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  }
  return 0;
}

std::size_t stop_reading_connections_on_port(std::uint16_t port,
                                             const std::function<bool(const Peer&)>& spare) {
  std::size_t cut = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const auto name = entry.path().filename().string();
    int fd = -1;
    auto [end, err] = std::from_chars(name.data(), name.data() + name.size(), fd);
    if (err != std::errc{} || end != name.data() + name.size()) continue;
    auto peer = api_connection_peer(fd, port);
    if (peer && !spare(*peer) && shutdown(fd, SHUT_RD) == 0) ++cut;
  }
  return cut;
}

}  // namespace sixpn::server::http
