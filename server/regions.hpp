#pragma once
// The platform's regions: the built-in list (real region codes) or the seed file's, each with
// the two 32-bit host ids that place its machines and its WireGuard peers in the 6PN layout.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.hpp"

namespace sixpn::server {

struct RegionEntry {
  api::Region region;
  std::uint32_t machine_host = 0;  // host field of every machine address in this region
  std::uint32_t gateway_host = 0;  // host field of every peer address behind this gateway
};

// Host ids of built-in region i (its position in the built-in list). The list is append-only:
// reordering it would move every existing address's host id to another region.
inline constexpr std::uint32_t kMachineHostBase = 0x0a7b0100;
inline constexpr std::uint32_t kGatewayHostBase = 0x0a7b0200;

class RegionCatalog {
 public:
  // Checks codes (unique, lower-case letters and digits), host ids (unique, none equal to the
  // Flycast host or zero) and `nearest` (must have a gateway); throws std::invalid_argument.
  RegionCatalog(std::vector<RegionEntry> regions, std::string nearest);

  static RegionCatalog builtin();
  // The first gateway region that is not deprecated: the default when nothing says otherwise.
  static std::string default_nearest(const std::vector<RegionEntry>& regions);

  const std::vector<RegionEntry>& all() const { return regions_; }
  const RegionEntry* find(std::string_view code) const;
  const std::string& nearest() const { return nearest_; }
  // "ams, cdg, …": named in the 422 that refuses a peer in a region without a gateway.
  std::string gateway_codes() const;

 private:
  std::vector<RegionEntry> regions_;
  std::string nearest_;
};

std::vector<RegionEntry> builtin_regions();

}  // namespace sixpn::server
