#include "host/host_network.hpp"

#include <iostream>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/address.hpp"
#include "net/wg_peers.hpp"

namespace sixpn::host {

namespace {

// fdaa::3 sits on lo rather than on the WireGuard interface: a machine's packets reach the host
// through its veth (default via fe80::1) and Linux delivers them to any local address whatever
// the interface, while lo never goes away — the WireGuard interface does when its userspace
// daemon dies, and would take the DNS address with it until it is brought back.
constexpr const char* kDnsDevice = "lo";
constexpr const char* kDnsCidr = "fdaa::3/128";

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

std::vector<net::Argv> host_dns_address_commands(const std::string& device,
                                                 std::string_view addr_json) {
  auto doc = addr_json.find_first_not_of(" \t\r\n") == std::string_view::npos
                 ? nlohmann::json::array()
                 : nlohmann::json::parse(addr_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    throw std::runtime_error("unexpected output from ip addr show dev " + device);
  }
  const auto wanted = core::Ipv6::parse(core::kHostDnsAddress);
  for (const auto& link : doc) {
    if (!link.is_object() || !link.contains("addr_info")) continue;
    for (const auto& info : link.at("addr_info")) {
      if (!info.is_object() || !info.contains("local") || !info.at("local").is_string()) continue;
      auto local = core::Ipv6::parse(info.at("local").get<std::string>());
      if (local == wanted && info.value("prefixlen", 0) == 128) return {};
    }
  }
  // nodad: the DNS server binds this address right away; a tentative address is unbindable.
  return {{"ip", "-6", "addr", "add", kDnsCidr, "dev", device, "nodad"}};
}

void DnsAddress::ensure() {
  auto commands = host_dns_address_commands(
      kDnsDevice, net::run_checked({"ip", "-j", "-6", "addr", "show", "dev", kDnsDevice}));
  for (const auto& argv : commands) {
    net::run_checked(argv);
    added_ = true;
    if (log_) log_(std::string("added ") + kDnsCidr + " to " + kDnsDevice);
  }
}

std::string DnsAddress::remove() {
  if (!added_) return "";
  added_ = false;
  auto result = net::run_command({"ip", "-6", "addr", "del", kDnsCidr, "dev", kDnsDevice});
  if (result.exit_code == 0) return "";
  return std::string("cannot remove ") + kDnsCidr + " from " + kDnsDevice + ": " + result.err;
}

HostNetwork::HostNetwork(HostNetworkOptions options, core::PrivateKey key,
                         std::function<void(const std::string&)> log)
    : log_(std::move(log)),
      node_(node_options(options), std::move(key), [this](const std::string& line) { say(line); }),
      dns_address_([this](const std::string& line) { say(line); }) {}

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
    dns_address_.ensure();
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
  if (auto problem = dns_address_.remove(); !problem.empty() && failure.empty()) {
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
  dns_address_.ensure();
  node_.sync(plan.node, !node_.table_present());
  last_applied_ = plan.node;
}

}  // namespace sixpn::host
