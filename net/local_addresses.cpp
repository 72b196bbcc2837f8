#include "net/local_addresses.hpp"

#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sixpn::net {

namespace {
std::set<core::Ipv6> present_128s(const std::string& device, std::string_view addr_json) {
  auto doc = addr_json.find_first_not_of(" \t\r\n") == std::string_view::npos
                 ? nlohmann::json::array()
                 : nlohmann::json::parse(addr_json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) {
    throw std::runtime_error("unexpected output from ip addr show dev " + device);
  }
  std::set<core::Ipv6> out;
  for (const auto& link : doc) {
    if (!link.is_object() || !link.contains("addr_info") || !link.at("addr_info").is_array()) {
      continue;
    }
    for (const auto& info : link.at("addr_info")) {
      if (!info.is_object() || !info.contains("local") || !info.at("local").is_string()) continue;
      if (info.value("prefixlen", 0) != 128) continue;
      if (auto address = core::Ipv6::parse(info.at("local").get<std::string>())) {
        out.insert(*address);
      }
    }
  }
  return out;
}
std::string cidr(const core::Ipv6& a) { return a.str() + "/128"; }
}  // namespace

LocalAddressPlan local_address_commands(const std::string& device, std::string_view addr_json,
                                        const std::set<core::Ipv6>& wanted,
                                        const std::set<core::Ipv6>& owned) {
  const auto present = present_128s(device, addr_json);
  LocalAddressPlan plan;
  for (const auto& a : owned) {
    if (wanted.count(a)) {
      plan.owned.insert(a);  // still ours, whether or not someone removed it meanwhile
    } else if (present.count(a)) {
      plan.commands.push_back({"ip", "-6", "addr", "del", cidr(a), "dev", device});
    }
  }
  for (const auto& a : wanted) {
    if (present.count(a)) continue;
    plan.commands.push_back({"ip", "-6", "addr", "add", cidr(a), "dev", device, "nodad"});
    plan.owned.insert(a);
  }
  return plan;
}

LocalAddresses::~LocalAddresses() {
  if (auto problem = remove_all(); !problem.empty() && log_) log_(problem);
}

void LocalAddresses::sync(const std::set<core::Ipv6>& wanted) {
  auto plan = local_address_commands(
      device_, run_checked({"ip", "-j", "-6", "addr", "show", "dev", device_}), wanted, owned_);
  for (const auto& argv : plan.commands) {
    run_checked(argv);  // what ran before a failure stays known: owned_ follows each command
    auto address = *core::Ipv6::parse(argv[4].substr(0, argv[4].find('/')));
    if (argv[3] == "add") {
      owned_.insert(address);
      if (log_) log_("added " + argv[4] + " to " + device_);
    } else {
      owned_.erase(address);
    }
  }
  owned_ = std::move(plan.owned);
}

std::string LocalAddresses::remove_all() {
  std::string problem;
  for (const auto& a : owned_) {
    auto result = run_command({"ip", "-6", "addr", "del", cidr(a), "dev", device_});
    if (result.exit_code != 0 && problem.empty()) {
      problem = "cannot remove " + cidr(a) + " from " + device_ + ": " + result.err;
    }
  }
  owned_.clear();
  return problem;
}

}  // namespace sixpn::net
