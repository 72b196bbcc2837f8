#pragma once
// What `sixpn doctor` looks at on this machine: its WireGuard tunnels into a 6PN, and whether
// the gateway behind one answers a ping. Plain sockets and getifaddrs, no external tools.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/address.hpp"

namespace sixpn::commands::doctor {

// An interface holding a 6PN peer address — a /120 inside fdaa::/16, as `wireguard create`
// hands out and wg-quick assigns.
struct Tunnel {
  std::string interface;
  core::Ipv6 address;
  int prefix_length = 0;
  bool up = false;   // IFF_UP and IFF_RUNNING
  std::string kind;  // "kernel WireGuard", "userspace WireGuard", or "" when unknown
  std::uint32_t network() const { return core::split(address).network; }
};

// Every such interface, in the order the kernel lists them.
std::vector<Tunnel> find_tunnels();

// The tunnel to examine: the one named `interface` when given; else, among those that are up
// (or, failing that, all), the first in `network` when known (the app's org), else the first.
// nullopt when there is none (or none of that name).
std::optional<Tunnel> choose_tunnel(const std::vector<Tunnel>& tunnels,
                                    const std::string& interface,
                                    std::optional<std::uint32_t> network);

struct PingResult {
  bool ok = false;
  double rtt_ms = 0;
  std::string error;  // why not, when !ok
};

// One ICMPv6 echo from `source` to `target`. Uses an unprivileged ICMP socket where the system
// allows it (net.ipv4.ping_group_range), a raw socket otherwise (root).
PingResult ping6(const core::Ipv6& target, const std::optional<core::Ipv6>& source,
                 std::chrono::milliseconds timeout);

}  // namespace sixpn::commands::doctor
