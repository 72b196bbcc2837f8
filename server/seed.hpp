#pragma once
// The --seed file (TOML): replaces the built-in regions, sets the nearest region and creates
// orgs at start. Example:
//
//   nearest = "fra"
//   [[regions]]
//   code = "fra"
//   name = "Frankfurt, Germany"
//   latitude = 50.1167
//   longitude = 8.6833
//   gateway_available = true
//   deprecated = false          # optional
//   machine_host = 0x0a7b0100   # optional; default 0x0a7b0100 + position in the list
//   gateway_host = 0x0a7b0200   # optional; default 0x0a7b0200 + position in the list
//   [[orgs]]
//   slug = "personal"
//   name = "Personal"           # optional; default the slug
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "server/regions.hpp"

namespace sixpn::server {

struct SeedOrg {
  std::string slug;
  std::string name;
};

struct Seed {
  std::optional<std::vector<RegionEntry>> regions;
  std::optional<std::string> nearest;
  std::vector<SeedOrg> orgs;
};

// Thrown with "FILE:LINE: what is wrong" for anything that is not a valid seed.
struct SeedError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

Seed load_seed(const std::string& path);
Seed parse_seed(std::string_view text, const std::string& source_name);

}  // namespace sixpn::server
