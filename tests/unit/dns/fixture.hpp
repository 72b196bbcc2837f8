#pragma once
// A hand-built Snapshot shared by the DNS tests: two orgs, machines in several regions (some
// stopped), process groups, metadata, Flycast addresses, and peers (one interactive-*).
#include <set>
#include <string>

#include "core/address.hpp"
#include "core/dns/message.hpp"
#include "dns/snapshot.hpp"

namespace sixpn::dns::testing {

inline constexpr std::uint32_t kAcme = 0x18;
inline constexpr std::uint32_t kOther = 0x2b;
inline constexpr std::uint32_t kAmsHost = 0x0a7b0001, kFraHost = 0x0a7b0002, kIadHost = 0x0a7b0003,
                               kSydHost = 0x0a7b0004, kLhrHost = 0x0a7b0005,
                               kGatewayHost = 0x0a7b0100;

inline core::Ipv6 machine_ip(std::uint32_t net, std::uint32_t host, std::uint64_t slot) {
  return core::machine_address(net, host, slot);
}

inline MachineInfo machine(std::string id, std::string app, std::string region, core::Ipv6 ip,
                           bool started, std::string group = "app",
                           std::map<std::string, std::string> metadata = {}) {
  return MachineInfo{std::move(id),    std::move(app),      std::move(region),
                     std::move(group), std::move(metadata), ip,
                     started};
}

inline Snapshot fixture() {
  Snapshot s;
  s.version = 42;
  s.regions = {{"ams", {"ams", 52.37, 4.90}},
               {"fra", {"fra", 50.11, 8.68}},
               {"iad", {"iad", 38.95, -77.45}},
               {"syd", {"syd", -33.87, 151.21}},
               {"lhr", {"lhr", 51.47, -0.45}}};
  OrgZone acme;
  acme.slug = "acme";
  acme.network_id = kAcme;
  acme.apps = {AppInfo{"web", {core::flycast_address(kAcme, 0)}, true}, AppInfo{"db", {}, true},
               AppInfo{"empty", {}, true},
               AppInfo{"exposed", {core::flycast_address(kAcme, 1)}, false}};
  acme.machines = {
      machine("1781e0ec2d9e89", "web", "ams", machine_ip(kAcme, kAmsHost, 0), true, "app",
              {{"role", "primary"}}),
      machine("3d8d9ed2c0d589", "web", "fra", machine_ip(kAcme, kFraHost, 0), true, "app",
              {{"role", "replica"}}),
      machine("0e286e1f5d3378", "web", "iad", machine_ip(kAcme, kIadHost, 0), true, "worker",
              {{"role", "replica"}}),
      machine("9080e6e2f14028", "web", "syd", machine_ip(kAcme, kSydHost, 0), false, "app",
              {{"role", "primary"}}),
      machine("5683d9e7b63948", "web", "ams", machine_ip(kAcme, kAmsHost, 1), false, "cron"),
      machine("d5683d9e7b6390", "db", "lhr", machine_ip(kAcme, kLhrHost, 0), true, "app"),
  };
  acme.peers = {PeerInfo{"laptop", "ams", core::peer_address(kAcme, kGatewayHost, 0)},
                PeerInfo{"interactive-7f3a", "fra", core::peer_address(kAcme, kGatewayHost, 1)},
                PeerInfo{"ci", "iad", core::peer_address(kAcme, kGatewayHost, 2)}};
  s.by_network[kAcme] = acme;

  OrgZone other;
  other.slug = "other";
  other.network_id = kOther;
  other.apps = {AppInfo{"secret", {}, true}};
  other.machines = {
      machine("aaaaaaaaaaaaaa", "secret", "ams", machine_ip(kOther, kAmsHost, 0), true)};
  other.peers = {PeerInfo{"spy", "ams", core::peer_address(kOther, kGatewayHost, 0)}};
  s.by_network[kOther] = other;
  return s;
}

inline std::set<std::string> aaaa_set(const core::dns::Message& m) {
  std::set<std::string> out;
  for (const auto& r : m.answers) {
    if (r.type == core::dns::type::AAAA) out.insert(std::get<core::Ipv6>(r.data).str());
  }
  return out;
}

// The TXT answer's strings joined, as a client reassembles them.
inline std::string txt_of(const core::dns::Message& m) {
  std::string out;
  for (const auto& r : m.answers) {
    if (r.type != core::dns::type::TXT) continue;
    for (const auto& s : std::get<core::dns::Txt>(r.data)) out += s;
  }
  return out;
}

}  // namespace sixpn::dns::testing
