#pragma once
// The network side of `sixpnd host`: the host's WireGuard interface in the mesh, a route into
// it for each org that has a machine here, the host's DNS address fdaa::3, IPv6 forwarding and
// the isolation table. The desired state (api::HostState) is turned into plain values first
// (plan_host_network, unit-tested); HostNetwork only carries them out, through the same
// net::WgNode as the control plane's gateway.
//
//   machine A ── vm<id> ──┐                 ┌── mesh peer: other host  (its /80s)
//   machine B ── vm<id> ──┼── host ── <interface> ── mesh peer: gateway (its /80s)
//   fdaa::3/128 on lo ────┘   route <org>/48 dev <interface>, one per org with a machine here
//
// Each machine's /112 is routed to its veth (host/machine_net.hpp); that route is more specific
// than the org's /48 into the tunnel, so local machines stay local and every other address of
// the org goes to the mesh, where WireGuard picks the node by its /80.
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/host_types.hpp"
#include "core/keys.hpp"
#include "net/command.hpp"
#include "net/local_addresses.hpp"
#include "net/wg_node.hpp"

namespace sixpn::host {

struct HostNetworkOptions {
  std::string interface;
  std::uint16_t listen_port;
  std::string userspace_binary = "wireguard-go";
};

// What the interface and the table should carry for `state`, and what of it could not be used.
struct HostNetworkPlan {
  net::NodeState node;
  std::vector<std::string> skipped;  // one sentence per mesh node left out, and why
};

// Routes and the same_org set: the org of every machine listed that is not to be destroyed.
// Peers: every mesh node (mesh_peer: its allowed_ips, its endpoint, keepalive), except this
// host itself, a node that net::mesh_peer_problem refuses, a key listed twice, and a node
// claiming a prefix of this host's own id (it could then send as this host's machines).
HostNetworkPlan plan_host_network(const api::HostState& state);

// Whether apply() must read and sync the system for `next`: always when asked to check (the
// agent's full passes, which undo drift), else only when `next` differs from what the last
// successful apply made. A state that changes only machines' DNS data then costs no ip, nft
// or wg call, and DNS (applied after the network) answers the change ~0.1-0.3 s sooner.
bool network_needs_sync(const std::optional<net::NodeState>& last_applied,
                        const net::NodeState& next, bool check);

// What a host keeps on lo for its machines' DNS (fdaa::3/128), as net::LocalAddresses takes
// it. Used by HostNetwork and by `sixpnd serve --host`, whose own DNS answers there.
std::set<core::Ipv6> host_dns_addresses();

class HostNetwork {
 public:
  // Nothing happens on the system until start().
  HostNetwork(HostNetworkOptions options, core::PrivateKey key,
              std::function<void(const std::string&)> log);
  ~HostNetwork();
  HostNetwork(const HostNetwork&) = delete;
  HostNetwork& operator=(const HostNetwork&) = delete;

  // Creates or adopts the interface (kernel WireGuard, else the userspace binary), sets the key
  // and listen port, puts fdaa::3/128 on lo, turns on IPv6 forwarding and loads the isolation
  // table with no org yet: until the first apply() machines reach nothing but fdaa::3 port 53.
  // Peers and routes of an adopted interface are kept until then. Throws net::CommandError.
  void start();
  // Undoes start(): table, routes, the interface if created here, fdaa::3 if added here,
  // forwarding. Idempotent.
  void stop();
  // Converges to `state`: peers, routes and the table's org set; changes only what differs, so
  // a repeated call with the same state touches nothing (but puts back what was removed by
  // hand: a deleted table, fdaa::3, the interface itself). Throws net::CommandError.
  // With `check = false` it trusts the last apply: a state whose plan is the one applied last
  // leaves the system unread (see network_needs_sync); the agent checks at its full passes.
  void apply(const api::HostState& state, bool check = true);

 private:
  void say(const std::string& line) const;

  std::function<void(const std::string&)> log_;
  net::WgNode node_;
  std::mutex mutex_;  // apply() may come from the agent's loop and its periodic pass
  // fdaa::3/128 on lo, where every machine's resolv.conf points; only an address added here
  // is taken away again, so one an operator put there stays.
  net::LocalAddresses dns_address_;
  std::vector<std::string> last_skipped_;
  std::optional<net::NodeState> last_applied_;  // what the last apply that succeeded made
};

}  // namespace sixpn::host
