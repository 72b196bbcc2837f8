#include "net/gateway.hpp"

#include <cctype>
#include <iostream>
#include <stdexcept>

namespace sixpn::net {

namespace {

// A peer whose key wg(8) would refuse must not take down the whole batch of changes.
bool valid_peer(const DesiredPeer& peer) {
  return core::parse_public_key(peer.public_key).has_value() && core::is_sixpn(peer.address);
}

}  // namespace

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
      key_(std::move(key)),
      source_(std::move(source)),
      log_(std::move(log)),
      firewall_(firewall_table_name(options_.interface)) {}

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

void Gateway::bring_up_device() {
  device_ = WgDevice::open(options_.interface, options_.userspace_binary);
  device_.configure(key_, options_.listen_port);
  say(std::string(device_.created() ? "created " : "adopted ") + options_.interface +
      (device_.userspace() ? " (userspace, " + options_.userspace_binary + ")" : "") +
      ", listening on UDP " + std::to_string(options_.listen_port) + ", public key " +
      key_.public_key().base64());
}

void Gateway::start() {
  if (worker_.joinable()) return;
  try {
    bring_up_device();
    forwarding_.enable();
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
  // Each step runs even if an earlier one failed; the first failure is reported at the end.
  std::string failure;
  auto attempt = [&failure](const auto& step) {
    try {
      step();
    } catch (const std::exception& e) {
      if (failure.empty()) failure = e.what();
    }
  };
  attempt([this] { firewall_.remove(); });
  attempt([this] {
    // An interface sixpnd created goes away whole; an adopted one only loses what we added.
    if (!device_.name().empty() && !device_.created() && device_.healthy()) {
      sync_org_routing(device_.name(), {});
    }
  });
  attempt([this] { device_.close(); });
  attempt([this] { forwarding_.restore(); });
  if (!failure.empty()) throw CommandError(failure);
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
  if (!device_.healthy()) {
    say(options_.interface + " is gone; bringing it up again");
    device_.close();
    bring_up_device();
    full = true;
  }
  DesiredState state = source_();
  std::vector<DesiredPeer> peers;
  for (auto& peer : state.peers) {
    if (!valid_peer(peer)) {
      say("skipping peer with an unusable key or address: " + peer.public_key);
      continue;
    }
    state.networks.insert(core::split(peer.address).network);
    peers.push_back(std::move(peer));
  }
  sync_org_routing(device_.name(), state.networks);
  firewall_.apply(state.networks, full);
  auto plan = device_.sync_peers(peers);
  for (const auto& key : plan.remove) say("removed peer " + key);
  for (const auto& [key, cidr] : plan.set) say("peer " + key + " allowed " + cidr);
}

}  // namespace sixpn::net
