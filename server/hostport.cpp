#include "server/hostport.hpp"

#include <charconv>

namespace sixpn::server {

namespace {
bool valid_host(std::string_view host, bool bracketed) {
  if (host.empty() || host.size() > 253) return false;
  for (char c : host) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || (bracketed && (c == ':' || c == '%'));
    if (!ok) return false;
  }
  return true;
}
}  // namespace

std::string HostPort::str() const {
  auto shown = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  return shown + ":" + std::to_string(port);
}

std::optional<HostPort> parse_host_port(std::string_view text,
                                        std::optional<std::uint16_t> default_port,
                                        std::string& error) {
  std::string_view host;
  std::string_view port;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      error = "missing ']' after the IPv6 address";
      return std::nullopt;
    }
    host = text.substr(1, close - 1);
    bracketed = true;
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        error = "expected ':PORT' after ']'";
        return std::nullopt;
      }
      port = rest.substr(1);
      if (port.empty()) {
        error = "the port after ':' is empty";
        return std::nullopt;
      }
    }
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      error = "write an IPv6 address in brackets, e.g. [::1]:4280";
      return std::nullopt;
    }
    host = text.substr(0, colon);
    if (colon != std::string_view::npos) {
      port = text.substr(colon + 1);
      if (port.empty()) {
        error = "the port after ':' is empty";
        return std::nullopt;
      }
    }
  }
  if (!valid_host(host, bracketed)) {
    error = "the host is empty or not an address or host name";
    return std::nullopt;
  }
  HostPort out{std::string(host), 0};
  if (port.empty()) {
    if (!default_port) {
      error = "a port is required (HOST:PORT)";
      return std::nullopt;
    }
    out.port = *default_port;
    return out;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (ec != std::errc() || end != port.data() + port.size() || value == 0 || value > 65535) {
    error = "the port must be a number from 1 to 65535";
    return std::nullopt;
  }
  out.port = static_cast<std::uint16_t>(value);
  return out;
}

}  // namespace sixpn::server
