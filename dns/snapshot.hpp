#pragma once
// What the .internal DNS server knows: a read-only copy of the store, taken whenever the store
// changes and swapped in atomically, so answers never wait on the database. The store fills it
// (Store::dns_snapshot()); the DNS code only reads it.
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/address.hpp"

namespace sixpn::dns {

struct RegionInfo {
  std::string code;
  double latitude = 0;
  double longitude = 0;
};

struct MachineInfo {
  std::string id;  // 14 hex characters
  std::string app;
  std::string region;
  std::string process_group;
  std::map<std::string, std::string> metadata;
  core::Ipv6 address;
  bool started = false;  // only started machines are ever answered
};

struct PeerInfo {
  std::string name;
  std::string region;  // the gateway region it connected through
  core::Ipv6 address;
};

struct AppInfo {
  std::string name;
  std::vector<core::Ipv6> flycast;  // Flycast addresses allocated in this org for this app
  // false for another org's app that is here only because it has a Flycast address on this
  // org's network: it answers <app>.flycast, and nothing under .internal or in _apps.internal.
  bool in_org = true;
};

struct OrgZone {
  std::string slug;
  std::uint32_t network_id = 0;
  std::vector<AppInfo> apps;          // apps of this org, plus apps exposed to it via Flycast
  std::vector<MachineInfo> machines;  // every machine of the org's apps, any state
  std::vector<PeerInfo> peers;
  // The TXT values of _apps, _peer and _instances ("" for an empty list), made once per
  // snapshot by precompute_lists() in zone.hpp instead of on every query: _instances sorts and
  // formats every started machine. When absent, a lookup makes them on the spot.
  struct Lists {
    std::optional<std::string> apps, peers, instances;
  };
  std::optional<Lists> lists;
};

struct Snapshot {
  std::uint64_t version = 0;                    // grows with every store change
  std::map<std::uint32_t, OrgZone> by_network;  // keyed by the org's 32-bit network id
  std::map<std::string, RegionInfo> regions;    // by code, for top<N>.nearest.of
  // Where top<N>.nearest is measured from for a querier whose own region is unknown (no machine
  // or peer of the org holds its address): a host's DNS sets its host's region. "": nowhere,
  // and every machine is equally near (the control plane, whose queriers are its peers).
  std::string origin_region;
};

using SnapshotPtr = std::shared_ptr<const Snapshot>;

}  // namespace sixpn::dns
