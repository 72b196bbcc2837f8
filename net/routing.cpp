#include "net/routing.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <optional>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/address.hpp"

namespace sixpn::net {

namespace {

constexpr int kOrgPrefixBits = 48;
constexpr const char* kForwardingPath = "/proc/sys/net/ipv6/conf/all/forwarding";

nlohmann::json parse_json(std::string_view text, const char* what) {
  // ip(8) prints nothing at all (not "[]") for a device without IPv6 routes.
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return nlohmann::json::array();
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    throw std::runtime_error(std::string("unexpected output from ip ") + what);
  }
  return doc;
}

// The network whose DNS address this is, if it is exactly some org's prefix::3/128.
std::optional<std::uint32_t> dns_network(const std::string& local, int prefixlen) {
  auto address = core::Ipv6::parse(local);
  if (!address || prefixlen != 128 || !core::is_sixpn(*address)) return std::nullopt;
  auto network = core::split(*address).network;
  if (*address != core::org_dns_server(network)) return std::nullopt;
  return network;
}

// The network whose /48 this route is, if it is exactly an org prefix.
std::optional<std::uint32_t> route_network(const std::string& dst) {
  auto slash = dst.find('/');
  if (slash == std::string::npos || dst.substr(slash + 1) != std::to_string(kOrgPrefixBits)) {
    return std::nullopt;
  }
  auto address = core::Ipv6::parse(dst.substr(0, slash));
  if (!address || !core::is_sixpn(*address)) return std::nullopt;
  auto network = core::split(*address).network;
  if (*address != core::org_prefix(network)) return std::nullopt;
  return network;
}

std::string dns_cidr(std::uint32_t network) {
  return core::org_dns_server(network).str() + "/128";
}

std::string read_forwarding() {
  std::ifstream in(kForwardingPath);
  std::string value;
  if (!(in >> value)) {
    throw CommandError(std::string("cannot read ") + kForwardingPath + ": " + std::strerror(errno));
  }
  return value;
}

void write_forwarding(const char* value) {
  std::ofstream out(kForwardingPath);
  out << value << '\n';
  out.flush();
  if (!out) {
    throw CommandError(std::string("cannot write ") + kForwardingPath + ": " +
                       std::strerror(errno));
  }
}

}  // namespace

OrgRouting parse_org_routing(std::string_view addr_json, std::string_view route_json) {
  OrgRouting state;
  for (const auto& link : parse_json(addr_json, "addr show")) {
    if (!link.contains("addr_info")) continue;
    for (const auto& info : link.at("addr_info")) {
      if (!info.contains("local") || !info.contains("prefixlen")) continue;
      if (info.value("family", "") != "inet6") continue;
      auto network =
          dns_network(info.at("local").get<std::string>(), info.at("prefixlen").get<int>());
      if (network) state.dns_addresses.insert(*network);
    }
  }
  for (const auto& route : parse_json(route_json, "route show")) {
    if (!route.contains("dst") || !route.at("dst").is_string()) continue;
    if (auto network = route_network(route.at("dst").get<std::string>())) {
      state.routes.insert(*network);
    }
  }
  return state;
}

std::vector<Argv> routing_commands(const std::string& interface, const OrgRouting& current,
                                   const std::set<std::uint32_t>& networks, bool dns_addresses) {
  // Network 0 is the Flycast proxies' (core::kProxyNetwork): routed into the mesh, but its
  // "prefix::3" is fdaa::3, each host's own DNS on lo, and never goes on the interface.
  std::set<std::uint32_t> dns_networks;
  if (dns_addresses) {
    for (auto network : networks) {
      if (network != core::kProxyNetwork) dns_networks.insert(network);
    }
  }
  std::vector<Argv> commands;
  for (auto network : current.routes) {
    if (!networks.count(network)) {
      commands.push_back(
          {"ip", "-6", "route", "del", core::org_prefix_cidr(network), "dev", interface});
    }
  }
  for (auto network : current.dns_addresses) {
    if (!dns_networks.count(network)) {
      commands.push_back({"ip", "-6", "addr", "del", dns_cidr(network), "dev", interface});
    }
  }
  for (auto network : networks) {
    // nodad: the DNS server binds this address right away; duplicate address detection would
    // keep it "tentative" and unbindable for a second or more.
    if (dns_addresses && !current.dns_addresses.count(network)) {
      commands.push_back({"ip", "-6", "addr", "add", dns_cidr(network), "dev", interface, "nodad"});
    }
    if (!current.routes.count(network)) {
      commands.push_back(
          {"ip", "-6", "route", "replace", core::org_prefix_cidr(network), "dev", interface});
    }
  }
  return commands;
}

OrgRouting read_org_routing(const std::string& interface) {
  return parse_org_routing(run_checked({"ip", "-j", "-6", "addr", "show", "dev", interface}),
                           run_checked({"ip", "-j", "-6", "route", "show", "dev", interface}));
}

std::size_t sync_org_routing(const std::string& interface, const std::set<std::uint32_t>& networks,
                             bool dns_addresses) {
  auto commands = routing_commands(interface, read_org_routing(interface), networks, dns_addresses);
  for (const auto& argv : commands) run_checked(argv);
  return commands.size();
}

ForwardingSwitch::~ForwardingSwitch() {
  try {
    restore();
  } catch (const std::exception&) {
    // Leaving forwarding on is harmless compared with failing to shut down.
  }
}

void ForwardingSwitch::enable() {
  if (read_forwarding() == "1") return;
  write_forwarding("1");
  changed_ = true;
}

void ForwardingSwitch::restore() {
  if (!changed_) return;
  changed_ = false;
  write_forwarding("0");
}

}  // namespace sixpn::net
