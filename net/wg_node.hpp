#pragma once
// What the control plane's gateway and every host run alike: one WireGuard interface with its
// key and listen port, IPv6 forwarding, org routes into the interface and the isolation table.
// Each owner says what it should carry as plain values (NodeState) — the gateway from its
// store, a host from its desired state — and sync() converges the system to it.
#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "core/keys.hpp"
#include "net/firewall.hpp"
#include "net/routing.hpp"
#include "net/wg_device.hpp"

namespace sixpn::net {

struct NodeOptions {
  std::string interface;
  std::uint16_t listen_port = 51820;
  std::string userspace_binary = "wireguard-go";
  // The gateway answers each org's DNS at prefix::3 on its interface; a host does not (its
  // machines ask fdaa::3).
  bool org_dns_addresses = true;
  FirewallOptions firewall;
};

// What the interface and the table should carry.
struct NodeState {
  std::set<std::uint32_t> routed;     // orgs whose /48 is routed into the interface
  std::set<std::uint32_t> isolation;  // orgs of the same_org set
  std::vector<DesiredPeer> peers;     // exactly the interface's peers
  ProxyRules proxy;                   // the Flycast proxies' exceptions to isolation
  bool operator==(const NodeState&) const = default;
};

class WgNode {
 public:
  using Log = std::function<void(const std::string&)>;

  // Nothing happens on the system until start().
  WgNode(NodeOptions options, core::PrivateKey key, Log log);
  ~WgNode();
  WgNode(const WgNode&) = delete;
  WgNode& operator=(const WgNode&) = delete;

  // Creates or adopts the interface, sets key and port, turns on forwarding. Throws
  // CommandError, with what it did undone, when a step fails.
  void start();
  // Removes the table, the routes and addresses it added to an adopted interface, the
  // interface if it created it, and puts forwarding back. Idempotent; throws CommandError
  // naming the first step that failed (every step is still tried).
  void stop();
  bool started() const { return started_; }

  // Brings back an interface that vanished (a userspace daemon that died), then makes routes,
  // table and peers equal `state`. The table is reloaded when its org set changed or when
  // `full` (which puts back a table deleted by hand). Returns what it changed of the peers;
  // throws CommandError.
  PeerPlan sync(const NodeState& state, bool full);
  // Loads the isolation table alone, for these orgs (before any peer or route is set).
  void load_table(const std::set<std::uint32_t>& isolation) { firewall_.apply(isolation, true); }
  // Whether the isolation table sync() loaded is still in the kernel.
  bool table_present() const { return firewall_.present(); }

  const NodeOptions& options() const { return options_; }
  core::PublicKey public_key() const { return key_.public_key(); }

 private:
  void bring_up_device();
  void say(const std::string& line) const;

  NodeOptions options_;
  core::PrivateKey key_;
  Log log_;
  WgDevice device_;
  Firewall firewall_;
  ForwardingSwitch forwarding_;
  bool started_ = false;
};

}  // namespace sixpn::net
