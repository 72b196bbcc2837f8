#pragma once
// "HOST:PORT" texts of sixpnd's flags: --listen (an address to bind) and --gateway-endpoint
// (what WireGuard peers dial). IPv6 hosts are written in brackets: [::1]:4280.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sixpn::server {

struct HostPort {
  std::string host;  // without brackets
  std::uint16_t port = 0;
  // "host:port", or "[v6]:port"
  std::string str() const;
};

// `default_port` is used when the text has no port (nullopt: a port is required). Returns
// nullopt and sets `error` to one sentence when the text is not HOST[:PORT].
std::optional<HostPort> parse_host_port(std::string_view text,
                                        std::optional<std::uint16_t> default_port,
                                        std::string& error);

}  // namespace sixpn::server
