#pragma once
// The WireGuard gateway inside sixpnd: one interface whose peers always equal the store's
// peers — laptops, and the hosts of the mesh — an address prefix::3 and a route for every org
// network, and the isolation table.
// The store is read through a callback, so this module knows nothing of SQLite; sixpnd wires
// the callback and calls request_sync() from the store's change listener.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/keys.hpp"
#include "net/wg_node.hpp"

namespace sixpn::net {

// "" when `name` is a usable interface name (wireguard-tools' rule: [a-zA-Z0-9_=+.-]{1,15}),
// else why not, in one sentence.
std::string interface_name_problem(std::string_view name);

struct GatewayOptions {
  std::string interface;
  std::uint16_t listen_port = 51820;  // the UDP port of --gateway-endpoint
  std::string userspace_binary = "wireguard-go";
  // Besides every store change, a full resync this often, which also undoes hand edits to
  // the interface and restarts a userspace daemon that died.
  std::chrono::milliseconds resync_interval{std::chrono::seconds(30)};
  // `sixpnd serve --host`: machines run beside the gateway and ask fdaa::3 (FirewallOptions).
  bool host_dns = false;
  // Run on the gateway's thread after every sync of the interface (`full`: the periodic pass):
  // the control plane brings its Flycast proxy along with the routes and table it needs.
  std::function<void(bool full)> after_sync;
};

// A laptop's peer, as the store has it: allowed exactly its own /120.
struct LaptopPeer {
  std::string public_key;
  core::Ipv6 address;  // any address inside the peer's /120
  bool operator==(const LaptopPeer&) const = default;
};

// What the store says the interface should carry.
struct DesiredState {
  std::set<std::uint32_t> networks;  // every org network id
  std::vector<LaptopPeer> peers;
  // Every live host (mesh_peer()), allowed exactly the /80s it serves, so laptops reach the
  // machines on it: a host's /80 is more specific than the org /48 routed into the interface.
  std::vector<DesiredPeer> mesh;
  // The gateway's Flycast proxy: its own address and the machines' service ports behind it.
  ProxyRules proxy;
};

// The interface's NodeState: every org (and every laptop's org) routed, given its prefix::3 and
// put in the isolation table; laptops, then the mesh, as peers. A peer wg(8) would refuse, or a
// mesh node that is unsafe (mesh_peer_problem) or reuses a key already listed, is left out and
// said in `skipped`, one sentence each, so one bad row cannot block every other change.
NodeState gateway_node_state(DesiredState state, std::vector<std::string>& skipped);

class Gateway {
 public:
  using StateSource = std::function<DesiredState()>;
  using Log = std::function<void(const std::string&)>;

  // Nothing happens on the system until start().
  Gateway(GatewayOptions options, core::PrivateKey key, StateSource source, Log log = {});
  ~Gateway();
  Gateway(const Gateway&) = delete;
  Gateway& operator=(const Gateway&) = delete;

  // Creates or adopts the interface, configures it, turns on forwarding, loads the isolation
  // table and syncs once; then keeps it in sync from a background thread. Throws
  // CommandError (with everything started so far undone) when any step fails.
  void start();
  // Undoes start(): stops the thread, removes the table, the org addresses and routes, and
  // the interface if sixpnd created it. Idempotent.
  void stop();

  // Something in the store changed: resync now. Waits (at most `wait`) until the interface
  // reflects every change made before the call, so an API response that created a peer is
  // only sent once the gateway accepts its handshake. Returns false on timeout or failure.
  bool request_sync(std::chrono::milliseconds wait = std::chrono::milliseconds(5000));

  const GatewayOptions& options() const { return options_; }
  core::PublicKey public_key() const { return node_.public_key(); }

 private:
  void run();
  void sync_once(bool full);
  void say(const std::string& line) const;

  GatewayOptions options_;
  StateSource source_;
  Log log_;
  WgNode node_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable synced_cv_;
  std::uint64_t requested_ = 0;  // bumped by every request_sync
  std::uint64_t completed_ = 0;  // the request count the last finished sync covered
  bool last_ok_ = true;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace sixpn::net
