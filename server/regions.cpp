#include "server/regions.hpp"

#include <set>
#include <stdexcept>

#include "core/address.hpp"

namespace sixpn::server {

namespace {
struct Builtin {
  const char* code;
  const char* name;
  double latitude;
  double longitude;
  bool gateway;
  bool deprecated;
};

// Real region codes and airport coordinates. Append only (see kMachineHostBase).
constexpr Builtin kBuiltin[] = {
    {"ams", "Amsterdam, Netherlands", 52.374342, 4.895439, true, false},
    {"arn", "Stockholm, Sweden", 59.6512, 17.9178, true, false},
    {"atl", "Atlanta, Georgia (US)", 33.6407, -84.4277, false, false},
    {"bog", "Bogota, Colombia", 4.70159, -74.1469, false, true},
    {"bom", "Mumbai, India", 19.0974, 72.8745, false, false},
    {"bos", "Boston, Massachusetts (US)", 42.3643, -71.0052, false, false},
    {"cdg", "Paris, France", 48.860875, 2.353477, true, false},
    {"den", "Denver, Colorado (US)", 39.8561, -104.6737, false, true},
    {"dfw", "Dallas, Texas (US)", 32.778287, -96.7984, true, false},
    {"ewr", "Secaucus, NJ (US)", 40.789543, -74.056534, true, false},
    {"eze", "Ezeiza, Argentina", -34.8222, -58.5358, false, false},
    {"fra", "Frankfurt, Germany", 50.1167, 8.6833, true, false},
    {"gdl", "Guadalajara, Mexico", 20.5217, -103.3109, false, true},
    {"gig", "Rio de Janeiro, Brazil", -22.8099, -43.2505, false, false},
    {"gru", "Sao Paulo, Brazil", -23.549664, -46.654351, true, false},
    {"hkg", "Hong Kong, Hong Kong", 22.250971, 114.203224, true, false},
    {"iad", "Ashburn, Virginia (US)", 39.02214, -77.462556, true, false},
    {"jnb", "Johannesburg, South Africa", -26.1367, 28.2411, true, false},
    {"lax", "Los Angeles, California (US)", 33.9416, -118.4085, true, false},
    {"lhr", "London, United Kingdom", 51.516434, -0.125656, true, false},
    {"mad", "Madrid, Spain", 40.4381, -3.82, false, true},
    {"mia", "Miami, Florida (US)", 25.7877, -80.2241, false, true},
    {"nrt", "Tokyo, Japan", 35.621253, 139.741037, true, false},
    {"ord", "Chicago, Illinois (US)", 41.891544, -87.630386, true, false},
    {"otp", "Bucharest, Romania", 44.4325, 26.1039, false, true},
    {"phx", "Phoenix, Arizona (US)", 33.4484, -112.074, false, true},
    {"qro", "Queretaro, Mexico", 20.62, -100.1863, false, true},
    {"scl", "Santiago, Chile", -33.4489, -70.6693, false, false},
    {"sea", "Seattle, Washington (US)", 47.6097, -122.3331, false, false},
    {"sin", "Singapore, Singapore", 1.3, 103.8, true, false},
    {"sjc", "San Jose, California (US)", 37.351601, -121.896037, true, false},
    {"syd", "Sydney, Australia", -33.866034, 151.216104, true, false},
    {"waw", "Warsaw, Poland", 52.1657, 20.9671, false, false},
    {"yul", "Montreal, Canada", 45.48647, -73.75549, false, false},
    {"yyz", "Toronto, Canada", 43.644, -79.3832, true, false},
};

bool valid_code(std::string_view code) {
  if (code.empty() || code.size() > 16) return false;
  for (char c : code) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) return false;
  }
  return true;
}
}  // namespace

std::vector<RegionEntry> builtin_regions() {
  std::vector<RegionEntry> out;
  std::uint32_t i = 0;
  for (const auto& b : kBuiltin) {
    out.push_back({api::Region{b.code, b.name, b.latitude, b.longitude, b.gateway, b.deprecated},
                   kMachineHostBase + i, kGatewayHostBase + i});
    ++i;
  }
  return out;
}

std::string RegionCatalog::default_nearest(const std::vector<RegionEntry>& regions) {
  for (const auto& r : regions) {
    if (r.region.gateway_available && !r.region.deprecated) return r.region.code;
  }
  for (const auto& r : regions) {
    if (r.region.gateway_available) return r.region.code;
  }
  return "";
}

RegionCatalog::RegionCatalog(std::vector<RegionEntry> regions, std::string nearest)
    : regions_(std::move(regions)), nearest_(std::move(nearest)) {
  if (regions_.empty()) throw std::invalid_argument("the region list is empty");
  std::set<std::string> codes;
  std::set<std::uint32_t> hosts;
  for (const auto& r : regions_) {
    const auto& code = r.region.code;
    if (!valid_code(code)) {
      throw std::invalid_argument("region code \"" + code +
                                  "\" must be 1 to 16 lower-case letters or digits");
    }
    if (!codes.insert(code).second) {
      throw std::invalid_argument("region " + code + " is listed twice");
    }
    // Host ids 0 and the Flycast host would make a region's addresses collide with the org's
    // own prefix, DNS server or Flycast range; two regions sharing one would share addresses.
    for (std::uint32_t host : {r.machine_host, r.gateway_host}) {
      if (host == 0 || host == core::kFlycastHost) {
        throw std::invalid_argument("region " + code + " has a reserved host id (0 or 1)");
      }
      if (!hosts.insert(host).second) {
        throw std::invalid_argument("region " + code + " reuses a host id of another region");
      }
    }
  }
  if (nearest_.empty()) nearest_ = default_nearest(regions_);
  const auto* n = find(nearest_);
  if (n == nullptr) throw std::invalid_argument("nearest region " + nearest_ + " is not listed");
  if (!n->region.gateway_available) {
    throw std::invalid_argument("nearest region " + nearest_ + " has no gateway");
  }
}

RegionCatalog RegionCatalog::builtin() {
  auto regions = builtin_regions();
  auto nearest = default_nearest(regions);
  return RegionCatalog(std::move(regions), std::move(nearest));
}

const RegionEntry* RegionCatalog::find(std::string_view code) const {
  for (const auto& r : regions_) {
    if (r.region.code == code) return &r;
  }
  return nullptr;
}

std::string RegionCatalog::gateway_codes() const {
  std::string out;
  for (const auto& r : regions_) {
    if (!r.region.gateway_available) continue;
    if (!out.empty()) out += ", ";
    out += r.region.code;
  }
  return out;
}

}  // namespace sixpn::server
