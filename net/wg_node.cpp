#include "net/wg_node.hpp"

#include <iostream>

namespace sixpn::net {

WgNode::WgNode(NodeOptions options, core::PrivateKey key, Log log)
    : options_(std::move(options)),
      key_(std::move(key)),
      log_(std::move(log)),
      firewall_(firewall_table_name(options_.interface), options_.firewall) {}

WgNode::~WgNode() {
  try {
    stop();
  } catch (const std::exception& e) {
    say(std::string("stopping failed: ") + e.what());
  }
}

void WgNode::say(const std::string& line) const {
  if (log_) {
    log_(line);
  } else {
    std::cerr << "sixpnd: " << options_.interface << ": " << line << std::endl;
  }
}

void WgNode::bring_up_device() {
  device_ = WgDevice::open(options_.interface, options_.userspace_binary);
  device_.configure(key_, options_.listen_port);
  say(std::string(device_.created() ? "created " : "adopted ") + options_.interface +
      (device_.userspace() ? " (userspace, " + options_.userspace_binary + ")" : "") +
      ", listening on UDP " + std::to_string(options_.listen_port) + ", public key " +
      key_.public_key().base64());
}

void WgNode::start() {
  if (started_) return;
  try {
    bring_up_device();
    forwarding_.enable();
  } catch (...) {
    // The first failure is the one worth reporting; undoing is best effort.
    try {
      stop();
    } catch (const std::exception& e) {
      say(std::string("undoing a failed start: ") + e.what());
    }
    throw;
  }
  started_ = true;
}

void WgNode::stop() {
  started_ = false;
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
      sync_org_routing(device_.name(), {}, options_.org_dns_addresses);
    }
  });
  attempt([this] { device_.close(); });
  attempt([this] { forwarding_.restore(); });
  if (!failure.empty()) throw CommandError(failure);
}

PeerPlan WgNode::sync(const NodeState& state, bool full) {
  if (!device_.healthy()) {
    say(options_.interface + " is gone; bringing it up again");
    device_.close();
    bring_up_device();
    full = true;
  }
  sync_org_routing(device_.name(), state.routed, options_.org_dns_addresses);
  firewall_.apply(state.isolation, full, state.proxy);
  auto plan = device_.sync_peers(state.peers);
  for (const auto& key : plan.remove) say("removed peer " + key);
  for (const auto& [key, change] : plan.set) say("peer " + key + " " + describe(change));
  return plan;
}

}  // namespace sixpn::net
