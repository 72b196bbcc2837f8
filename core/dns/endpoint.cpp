#include "core/dns/endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

namespace sixpn::core::dns {

namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

std::optional<Endpoint> make(std::string_view host, std::uint16_t port) {
  std::string h(host);
  if (h.empty() || h.find('\0') != std::string::npos) return std::nullopt;
  Endpoint e;
  if (h.find(':') != std::string::npos) {
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    if (inet_pton(AF_INET6, h.c_str(), &sa.sin6_addr) != 1) return std::nullopt;
    std::memcpy(&e.storage, &sa, sizeof sa);
    e.length = sizeof sa;
  } else {
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    if (inet_pton(AF_INET, h.c_str(), &sa.sin_addr) != 1) return std::nullopt;
    std::memcpy(&e.storage, &sa, sizeof sa);
    e.length = sizeof sa;
  }
  e.set_port(port);
  return e;
}

}  // namespace

std::uint16_t Endpoint::port() const {
  if (family() == AF_INET6)
    return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_port);
  if (family() == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in*>(&storage)->sin_port);
  return 0;
}

void Endpoint::set_port(std::uint16_t port) {
  if (family() == AF_INET6) reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port = htons(port);
  if (family() == AF_INET) reinterpret_cast<sockaddr_in*>(&storage)->sin_port = htons(port);
}

std::string Endpoint::host() const {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage)->sin6_addr, buf,
              sizeof buf);
  } else if (family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage)->sin_addr, buf, sizeof buf);
  }
  return buf;
}

std::string Endpoint::str() const {
  std::string p = std::to_string(port());
  return family() == AF_INET6 ? "[" + host() + "]:" + p : host() + ":" + p;
}

Endpoint Endpoint::from(const sockaddr* sa, socklen_t len) {
  Endpoint e;
  e.length = std::min<socklen_t>(len, sizeof e.storage);
  std::memcpy(&e.storage, sa, e.length);
  return e;
}

std::optional<Endpoint> parse_endpoint(std::string_view text,
                                       std::optional<std::uint16_t> default_port) {
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    std::string_view host = text.substr(1, close - 1);
    std::string_view rest = text.substr(close + 1);
    if (host.find(':') == std::string_view::npos) return std::nullopt;  // brackets are for IPv6
    if (rest.empty()) return default_port ? make(host, *default_port) : std::nullopt;
    if (rest.front() != ':') return std::nullopt;
    auto port = parse_port(rest.substr(1));
    return port ? make(host, *port) : std::nullopt;
  }
  auto colons = std::count(text.begin(), text.end(), ':');
  if (colons > 1) return default_port ? make(text, *default_port) : std::nullopt;  // bare IPv6
  if (colons == 1) {
    auto at = text.find(':');
    auto port = parse_port(text.substr(at + 1));
    return port ? make(text.substr(0, at), *port) : std::nullopt;
  }
  return default_port ? make(text, *default_port) : std::nullopt;
}

}  // namespace sixpn::core::dns
