#include "host/host_network.hpp"

#include <iostream>
#include <map>
#include <set>
#include <stdexcept>

#include "core/address.hpp"
#include "net/wg_peers.hpp"

namespace sixpn::host {

namespace {

net::NodeOptions node_options(const HostNetworkOptions& options) {
  net::NodeOptions node;
  node.interface = options.interface;
  node.listen_port = options.listen_port;
  node.userspace_binary = options.userspace_binary;
  node.org_dns_addresses = false;
  node.firewall.host_dns = true;
  return node;
}

// The prefix of `cidr` lies inside the slice of some org that this host id owns.
bool inside_host(const std::string& cidr, std::uint32_t host_id) {
  auto slash = cidr.find('/');
  auto address = core::Ipv6::parse(cidr.substr(0, slash));
  return address && core::is_sixpn(*address) && core::split(*address).host == host_id;
}

}  // namespace

// fdaa::3 sits on lo rather than on the WireGuard interface: a machine's packets reach the host
// through its veth (default via fe80::1) and Linux delivers them to any local address whatever
// the interface, while lo never goes away — the WireGuard interface does when its userspace
// daemon dies, and would take the DNS address with it until it is brought back.
std::set<core::Ipv6> host_dns_addresses() {
  return {*core::Ipv6::parse(core::kHostDnsAddress)};
}

HostNetworkPlan plan_host_network(const api::HostState& state) {
  HostNetworkPlan plan;
  for (const auto& machine : state.machines) {
    if (machine.desired == "destroyed") continue;
    plan.node.routed.insert(machine.network_id);
    auto address = core::Ipv6::parse(machine.private_ip);
    for (const auto& service : machine.config.services) {
      if (address) {
        plan.node.proxy.backends.emplace(*address,
                                         static_cast<std::uint16_t>(service.internal_port));
      }
    }
  }
  plan.node.isolation = plan.node.routed;
  // Every node's proxy address is in network 0: replies to this host's proxy come back through
  // the mesh, as do connections from other nodes' proxies to its machines.
  plan.node.routed.insert(core::kProxyNetwork);
  plan.node.proxy.own_address = core::proxy_address(state.host.id);
  std::set<std::string> keys{state.host.pubkey};
  for (const auto& node : state.mesh) {
    auto peer = net::mesh_peer(node.pubkey, node.endpoint, node.allowed_ips);
    const std::string who = node.kind + " " + (node.name.empty() ? node.pubkey : node.name);
    auto problem = net::mesh_peer_problem(peer);
    for (const auto& cidr : node.allowed_ips) {
      if (problem.empty() && inside_host(cidr, state.host.id)) {
        problem = "it claims " + cidr + ", which is this host's own";
      }
    }
    if (problem.empty() && node.pubkey == state.host.pubkey) problem = "it is this host";
    if (problem.empty() && !keys.insert(node.pubkey).second) problem = "its key is listed already";
    if (!problem.empty()) {
      plan.skipped.push_back("skipping mesh " + who + ": " + problem);
      continue;
    }
    plan.node.peers.push_back(std::move(peer));
  }
  return plan;
}

HostNetwork::HostNetwork(HostNetworkOptions options, core::PrivateKey key,
                         std::function<void(const std::string&)> log)
    : log_(std::move(log)),
      node_(node_options(options), std::move(key), [this](const std::string& line) { say(line); }),
      dns_address_("lo", [this](const std::string& line) { say(line); }) {}

HostNetwork::~HostNetwork() {
  try {
    stop();
  } catch (const std::exception& e) {
    say(std::string("stopping failed: ") + e.what());
  }
}

void HostNetwork::say(const std::string& line) const {
  if (log_) {
    log_(line);
  } else {
    std::cerr << "sixpnd: host network: " << line << std::endl;
  }
}

void HostNetwork::start() {
  std::lock_guard lock(mutex_);
  if (node_.started()) return;
  try {
    node_.start();
    dns_address_.sync(host_dns_addresses());
    net::NodeState none;
    node_.load_table(none.isolation);
  } catch (...) {
    try {
      node_.stop();
    } catch (const std::exception& e) {
      say(std::string("undoing a failed start: ") + e.what());
    }
    throw;
  }
}

void HostNetwork::stop() {
  std::lock_guard lock(mutex_);
  std::string failure;
  try {
    node_.stop();
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (auto problem = dns_address_.remove_all(); !problem.empty() && failure.empty()) {
    failure = problem;
  }
  if (!failure.empty()) throw net::CommandError(failure);
}

bool network_needs_sync(const std::optional<net::NodeState>& last_applied,
                        const net::NodeState& next, bool check) {
  return check || !last_applied || *last_applied != next;
}

void HostNetwork::apply(const api::HostState& state, bool check) {
  auto plan = plan_host_network(state);
  std::lock_guard lock(mutex_);
  if (!node_.started()) throw net::CommandError("the host network is not started");
  // Said once, not at every pass, while the same nodes stay unusable.
  if (plan.skipped != last_skipped_) {
    for (const auto& line : plan.skipped) say(line);
    last_skipped_ = plan.skipped;
  }
  if (!network_needs_sync(last_applied_, plan.node, check)) return;
  last_applied_.reset();  // until this sync has gone through
  dns_address_.sync(host_dns_addresses());
  node_.sync(plan.node, !node_.table_present());
  last_applied_ = plan.node;
}

}  // namespace sixpn::host
