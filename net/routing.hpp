#pragma once
// What the gateway puts on its interface for each organization: the org's DNS address
// prefix::3 (so the .internal server can answer there) and a route for the org's /48 into the
// tunnel (WireGuard then picks the peer by its /120). Only fdaa addresses and routes of that
// exact shape are ever removed, so anything else an operator put on the interface stays.
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "net/command.hpp"

namespace sixpn::net {

// The interface's sixpn-shaped state, read from `ip -j`.
struct OrgRouting {
  std::set<std::uint32_t> dns_addresses;  // networks whose prefix::3/128 is on the interface
  std::set<std::uint32_t> routes;         // networks whose /48 is routed to the interface
  bool operator==(const OrgRouting&) const = default;
};

// From the JSON of `ip -j -6 addr show dev NAME` and `ip -j -6 route show dev NAME`.
// Throws std::runtime_error when the text is not the JSON ip(8) prints.
OrgRouting parse_org_routing(std::string_view addr_json, std::string_view route_json);

// The ip(8) commands that take the interface from `current` to serving exactly `networks`: a
// route for each /48, and with `dns_addresses` (the gateway) each prefix::3 too. A host routes
// only (its machines ask fdaa::3), so it passes false and any prefix::3 found is removed.
std::vector<Argv> routing_commands(const std::string& interface, const OrgRouting& current,
                                   const std::set<std::uint32_t>& networks,
                                   bool dns_addresses = true);

OrgRouting read_org_routing(const std::string& interface);
// Applies routing_commands; returns how many commands it ran.
std::size_t sync_org_routing(const std::string& interface, const std::set<std::uint32_t>& networks,
                             bool dns_addresses = true);

// IPv6 forwarding in sixpnd's network namespace: the gateway routes between the tunnel and the
// machines. Turned on at start and put back as it was at stop.
class ForwardingSwitch {
 public:
  ForwardingSwitch() = default;
  ~ForwardingSwitch();
  ForwardingSwitch(const ForwardingSwitch&) = delete;
  ForwardingSwitch& operator=(const ForwardingSwitch&) = delete;
  // Throws CommandError when the setting cannot be read or written.
  void enable();
  void restore();

 private:
  bool changed_ = false;
};

}  // namespace sixpn::net
