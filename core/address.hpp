#pragma once
// The 6PN address layout (see README "Address allocation"):
//
//   fdaa (16) | organization network (32) | host (32) | machine (32) | free (16)
//
// Allocation rules, all deterministic so an address can be explained from its parts:
// - org prefix        fdaa:NNNN:NNNN::/48 where NNNN:NNNN is the org's network id
// - org DNS server    <prefix>::3
// - machine           host = region's machine host id, machine = slot + 1, free = 2 (a /112)
// - WireGuard peer    host = region's gateway host id, machine = 0xa + slot / 256,
//                     free = (slot % 256) << 8 | 2   (one /120 per peer; slot 0 is ...:0:a:2)
// - Flycast           host = kFlycastHost (1), machine = slot, free = 3
// - Flycast proxy     network = 0, host = the node's host id (the gateway: kGatewayProxyHost),
//                     machine = 0, free = 1: the source of the proxy's connections to machines
// A slot comes from a per-(org, host) counter that only grows, so a released address is
// never handed to a different object later.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sixpn::core {

struct Ipv6 {
  std::array<std::uint8_t, 16> bytes{};

  // inet_pton underneath; nullopt for anything that is not an IPv6 address.
  static std::optional<Ipv6> parse(std::string_view text);
  // inet_ntop underneath: the canonical, compressed lower-case form (RFC 5952).
  std::string str() const;
  bool operator==(const Ipv6&) const = default;
  auto operator<=>(const Ipv6&) const = default;
};

inline constexpr std::uint16_t kUlaPrefix = 0xfdaa;
inline constexpr std::uint32_t kFlycastHost = 0x00000001;
inline constexpr std::uint32_t kPeerMachineBase = 0x0000000a;
inline constexpr std::uint16_t kDnsSuffix = 3;
// What a machine's /etc/resolv.conf names: its host's DNS server, the same on every host (as on
// Fly), so a machine that moves host keeps its configuration. In no org's /48 (network 0).
inline constexpr const char* kHostDnsAddress = "fdaa::3";
// The proxies' addresses share network 0 with fdaa::3: no org's /48, routed into the mesh on
// every node. The gateway has no host id; it takes the Flycast one, which no host ever gets.
inline constexpr std::uint32_t kProxyNetwork = 0;
inline constexpr std::uint32_t kGatewayProxyHost = kFlycastHost;

struct SixpnFields {
  std::uint32_t network = 0;
  std::uint32_t host = 0;
  std::uint32_t machine = 0;
  std::uint16_t free = 0;
  bool operator==(const SixpnFields&) const = default;
};

// True when the address starts with fdaa.
bool is_sixpn(const Ipv6& address);
SixpnFields split(const Ipv6& address);
Ipv6 compose(const SixpnFields& fields);

// Masks the address to its first `bits` bits.
Ipv6 network_of(const Ipv6& address, int bits);
bool in_prefix(const Ipv6& address, const Ipv6& prefix, int bits);

Ipv6 org_prefix(std::uint32_t network);
std::string org_prefix_cidr(std::uint32_t network);  // "fdaa:0:18::/48"
Ipv6 org_dns_server(std::uint32_t network);          // "fdaa:0:18::3"
// The /80 of one host in one org's network: every address it serves there (the mesh's
// AllowedIPs for that host).
std::string host_prefix_cidr(std::uint32_t network, std::uint32_t host);  // "fdaa:0:18:c00:1::/80"

Ipv6 machine_address(std::uint32_t network, std::uint32_t host, std::uint64_t slot);
Ipv6 peer_address(std::uint32_t network, std::uint32_t gateway_host, std::uint64_t slot);
Ipv6 flycast_address(std::uint32_t network, std::uint64_t slot);
// The Flycast proxy's own address on the node with this host id (host 0c000001:
// fdaa::c00:1:0:0:1; the gateway's, host 1: fdaa::1:0:0:1).
Ipv6 proxy_address(std::uint32_t node_host);
// Every proxy address: fdaa::/48.
std::string proxy_range_cidr();

// Highest slot each kind can hold before its field overflows.
inline constexpr std::uint64_t kMaxMachineSlot = 0xfffffffeULL;
inline constexpr std::uint64_t kMaxPeerSlot = (0xffffffffULL - kPeerMachineBase) * 256 + 255;
inline constexpr std::uint64_t kMaxFlycastSlot = 0xffffffffULL;

}  // namespace sixpn::core
