#include "host/host_dns.hpp"

#include <stdexcept>

#include "core/address.hpp"
#include "dns/service.hpp"
#include "dns/zone.hpp"

namespace sixpn::host {

namespace {

constexpr const char* kEmbeddedHostRegion = "*";

std::optional<core::Ipv6> address_of(const std::string& text, const std::string& what,
                                     std::vector<std::string>& skipped) {
  auto address = core::Ipv6::parse(text);
  if (!address) skipped.push_back("dns: skipping " + what + ": \"" + text + "\" is no address");
  return address;
}

dns::OrgZone org_zone(const api::DnsOrg& org, std::vector<std::string>& skipped) {
  dns::OrgZone zone;
  zone.slug = org.slug;
  zone.network_id = org.network_id;
  for (const auto& app : org.apps) {
    dns::AppInfo info{app.name, {}, app.in_org};
    for (const auto& text : app.flycast) {
      if (auto a = address_of(text, "Flycast address of " + app.name, skipped)) {
        info.flycast.push_back(*a);
      }
    }
    zone.apps.push_back(std::move(info));
  }
  for (const auto& m : org.machines) {
    if (auto a = address_of(m.address, "machine " + m.id, skipped)) {
      zone.machines.push_back({m.id, m.app, m.region, m.process_group, m.metadata, *a, m.started});
    }
  }
  for (const auto& p : org.peers) {
    if (auto a = address_of(p.address, "peer " + p.name, skipped)) {
      zone.peers.push_back({p.name, p.region, *a});
    }
  }
  return zone;
}

}  // namespace

dns::Snapshot host_dns_snapshot(const api::HostState& state, std::vector<std::string>& skipped) {
  dns::Snapshot snapshot;
  snapshot.version = state.version;
  for (const auto& region : state.regions) {
    snapshot.regions[region.code] = {region.code, region.latitude, region.longitude};
  }
  if (state.host.region != kEmbeddedHostRegion && snapshot.regions.count(state.host.region)) {
    snapshot.origin_region = state.host.region;
  }
  for (const auto& org : state.dns) {
    if (org.network_id == 0) {
      skipped.push_back("dns: skipping org " + org.slug + ": it has no network id");
      continue;
    }
    snapshot.by_network[org.network_id] = org_zone(org, skipped);
  }
  return snapshot;
}

HostDns::HostDns(const std::vector<std::string>& upstreams,
                 std::function<void(const std::string&)> log)
    : log_(std::move(log)) {
  dns::DnsFlags flags;
  flags.listen = {std::string("[") + core::kHostDnsAddress + "]:" + std::to_string(dns::kDnsPort)};
  flags.upstream = upstreams;
  std::string problem;
  auto say = [this](const std::string& line) {
    if (log_) log_(line);
  };
  auto options = dns::parse_dns_flags(flags, problem, say);
  if (!options) throw std::invalid_argument(problem);
  options_ = std::move(*options);
}

HostDns::~HostDns() {
  stop();
}

void HostDns::start() {
  if (server_) return;
  auto server = std::make_unique<dns::DnsServer>(options_, [this] { return feed_.current(); });
  server->start();
  server_ = std::move(server);
}

void HostDns::stop() {
  if (!server_) return;
  server_->stop();
  server_.reset();
}

void HostDns::apply(const api::HostState& state) {
  std::vector<std::string> skipped;
  auto snapshot = host_dns_snapshot(state, skipped);
  dns::precompute_lists(snapshot);
  feed_.publish(std::make_shared<const dns::Snapshot>(std::move(snapshot)));
  // Said once, not at every pass, while the same entries stay unusable.
  std::lock_guard lock(said_mutex_);
  if (skipped != last_skipped_) {
    if (log_) {
      for (const auto& line : skipped) log_(line);
    }
    last_skipped_ = std::move(skipped);
  }
}

}  // namespace sixpn::host
