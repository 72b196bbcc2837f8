#pragma once
// The names of one org under .internal and .flycast (the seed's table), answered from a
// Snapshot. No wire format here: a name in, whether it exists and its AAAA/TXT data out.
//
// Existence follows the data: a name built from machines (a machine id, a process group, a
// metadata key or pair) exists while at least one *started* machine carries it; a name built
// from the app or the platform (the app itself, global, vms, regions, a region code, the empty
// non-terminals vm/process/_metadata/kv/of/nearest) exists as long as the app does and answers
// with no data when no started machine matches.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "dns/snapshot.hpp"

namespace sixpn::dns {

struct NameData {
  bool exists = false;  // false: NXDOMAIN
  std::vector<core::Ipv6> aaaa;
  std::optional<std::string> txt;  // one TXT value, split into 255-byte strings on the wire
};

// `labels` are the labels left of "internal" (or "flycast"), leftmost first, any case; empty
// for the zone apex. `from` is the querier's region code when known (for nearest).
NameData lookup_internal(const Snapshot& snapshot, const OrgZone& org,
                         const std::vector<std::string>& labels,
                         const std::optional<std::string>& from);
NameData lookup_flycast(const OrgZone& org, const std::vector<std::string>& labels);

// Fills every org's `lists` from its data; a snapshot is treated as read-only once published.
void precompute_lists(Snapshot& snapshot);

// The region of the machine (its /112) or WireGuard peer (its /120) that owns `source`.
std::optional<std::string> region_of(const OrgZone& org, const core::Ipv6& source);

// Great-circle distance in kilometres (haversine, mean Earth radius).
double great_circle_km(const RegionInfo& a, const RegionInfo& b);

// "top3" → 3; nullopt for anything else (no sign, no leading zero, at most 9 digits).
std::optional<std::size_t> parse_top(std::string_view label);

inline constexpr std::string_view kInteractivePrefix = "interactive-";

}  // namespace sixpn::dns
