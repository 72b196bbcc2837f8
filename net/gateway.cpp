#include "net/gateway.hpp"

#include <cctype>
#include <iostream>
#include <stdexcept>

namespace sixpn::net {

namespace {

// A peer whose key wg(8) would refuse must not take down the whole batch of changes.
bool valid_peer(const LaptopPeer& peer) {
  return core::parse_public_key(peer.public_key).has_value() && core::is_sixpn(peer.address);
}

NodeOptions node_options(const GatewayOptions& options) {
  NodeOptions node;
  node.interface = options.interface;
  node.listen_port = options.listen_port;
  node.userspace_binary = options.userspace_binary;
  node.org_dns_addresses = true;
  node.firewall.host_dns = options.host_dns;
  return node;
}

}  // namespace

NodeState gateway_node_state(DesiredState state, std::vector<std::string>& skipped) {
  NodeState node;
  std::set<std::string> keys;
  for (auto& peer : state.peers) {
    if (!valid_peer(peer)) {
      skipped.push_back("skipping peer with an unusable key or address: " + peer.public_key);
      continue;
    }
    state.networks.insert(core::split(peer.address).network);
    keys.insert(peer.public_key);
    node.peers.push_back(laptop_peer(std::move(peer.public_key), peer.address));
  }
  for (auto& peer : state.mesh) {
    if (auto problem = mesh_peer_problem(peer); !problem.empty()) {
      skipped.push_back("skipping mesh node " + peer.public_key + ": " + problem);
      continue;
    }
    if (!keys.insert(peer.public_key).second) {
      skipped.push_back("skipping mesh node " + peer.public_key + ": the key is listed already");
      continue;
    }
    node.peers.push_back(std::move(peer));
  }
  node.routed = state.networks;
  node.routed.insert(core::kProxyNetwork);  // the proxies' replies and connections: the mesh
  node.isolation = std::move(state.networks);
  node.proxy = std::move(state.proxy);
  return node;
}

std::string interface_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 15) return "interface names are 1 to 15 characters long";
  for (char c : name) {
    bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '=' || c == '+' ||
              c == '.' || c == '-';
    if (!ok) return "interface names use only the characters a-z A-Z 0-9 _ = + . -";
  }
  return {};
}

Gateway::Gateway(GatewayOptions options, core::PrivateKey key, StateSource source, Log log)
    : options_(std::move(options)),
      source_(std::move(source)),
      log_(std::move(log)),
      node_(node_options(options_), std::move(key),
            [this](const std::string& line) { say(line); }) {}

Gateway::~Gateway() {
  try {
    stop();
  } catch (const std::exception& e) {
    say(std::string("stopping failed: ") + e.what());
  }
}

void Gateway::say(const std::string& line) const {
  if (log_) {
    log_(line);
  } else {
    std::cerr << "sixpnd: gateway: " << line << std::endl;
  }
}

void Gateway::start() {
  if (worker_.joinable()) return;
  try {
    node_.start();
    sync_once(true);
  } catch (...) {
    // The first failure is the one worth reporting; undoing is best effort.
    try {
      stop();
    } catch (const std::exception& e) {
      say(std::string("undoing a failed start: ") + e.what());
    }
    throw;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  worker_ = std::thread([this] { run(); });
}

void Gateway::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  synced_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  node_.stop();
}

bool Gateway::request_sync(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (!worker_.joinable() || stopping_) return false;
  auto ticket = ++requested_;
  wake_.notify_all();
  bool done = synced_cv_.wait_for(lock, wait, [&] { return completed_ >= ticket || stopping_; });
  return done && completed_ >= ticket && last_ok_;
}

void Gateway::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    bool woken = wake_.wait_for(lock, options_.resync_interval,
                                [this] { return stopping_ || requested_ > completed_; });
    if (stopping_) break;
    auto ticket = requested_;
    lock.unlock();
    bool ok = true;
    try {
      // A store change needs only the diff; the periodic pass also reloads the table.
      sync_once(!woken);
    } catch (const std::exception& e) {
      ok = false;
      say(std::string("sync failed: ") + e.what());
    }
    lock.lock();
    completed_ = ticket;
    last_ok_ = ok;
    synced_cv_.notify_all();
  }
}

void Gateway::sync_once(bool full) {
  std::vector<std::string> skipped;
  auto state = gateway_node_state(source_(), skipped);
  for (const auto& line : skipped) say(line);
  node_.sync(state, full);
  if (options_.after_sync) options_.after_sync(full);
}

}  // namespace sixpn::net
