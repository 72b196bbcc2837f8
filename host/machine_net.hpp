#pragma once
// A machine's network: its own namespace with `eth0` (one end of a veth pair) holding the
// machine's /112 address, a default route to the host, and on the host the other end with the
// route to that /112. As the gateway does, everything is planned as ip(8) argv arrays first;
// the host's runner runs them, and tests check them.
//
//   host namespace                          machine namespace <netns_prefix><id>
//   <veth> fe80::1/64  ─────── veth ───────  eth0 <address>/112 (nodad), mtu 1420
//   route <address>/112 dev <veth>          default via fe80::1 dev eth0
//
// fe80::1 is link-local, so every machine's veth on a host can carry it; the host's own 6PN
// services (DNS on fdaa::3) are reached through that default route.
#include <string>
#include <vector>

#include "core/address.hpp"

namespace sixpn::host {

using Argv = std::vector<std::string>;

inline constexpr int kMachineMtu = 1420;  // as on Fly: room for WireGuard's overhead
inline constexpr const char* kHostSideAddress = "fe80::1";

struct MachineLink {
  std::string netns;      // the namespace's name (under /var/run/netns)
  std::string host_veth;  // the host end's name, ≤ 15 characters
  core::Ipv6 address;     // the machine's address (…:2 in its /112)
};

// Names derived from the machine id: the namespace `<netns_prefix><id>` (the prefix keeps one
// host's namespaces apart from another's on a shared kernel) and the veth `vm<first 13 of id>`.
MachineLink machine_link(const std::string& netns_prefix, const std::string& machine_id,
                         const core::Ipv6& address);

// From nothing to a machine namespace wired to the host.
std::vector<Argv> plan_machine_net_up(const MachineLink& link);
// Removes the namespace; its eth0, the veth pair and the host route go with it.
std::vector<Argv> plan_machine_net_down(const MachineLink& link);

}  // namespace sixpn::host
