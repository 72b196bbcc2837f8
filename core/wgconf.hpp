#pragma once
// The WireGuard configuration a peer loads, and its rendering from templates/wireguard.conf.
#include <cstdint>
#include <string>

#include "core/address.hpp"
#include "core/keys.hpp"

namespace sixpn::core {

inline constexpr std::uint16_t kWireGuardPort = 51820;

struct PeerConfig {
  Ipv6 peer_ip;  // rendered as <peer_ip>/120
  std::string gateway_public_key;
  std::string endpoint_host;  // IPv4, IPv6 (bracketed on output) or a host name
  std::uint16_t endpoint_port = kWireGuardPort;
};

// "[fdaa::1]:51820", "192.0.2.1:51820" or "gw.example:51820".
std::string format_endpoint(const std::string& host, std::uint16_t port);

// The full wg-quick configuration, private key included. The result wipes itself.
SecretString render_config(const PeerConfig& config, const PrivateKey& key);

}  // namespace sixpn::core
