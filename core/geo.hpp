#pragma once
// Where regions are, and how far apart: the DNS server's `nearest` answers and the Flycast
// proxy's choice of the closest machines both rank regions by this distance.
namespace sixpn::core {

struct GeoPoint {
  double latitude = 0;
  double longitude = 0;
  bool operator==(const GeoPoint&) const = default;
};

// Great-circle distance in kilometres (haversine, mean Earth radius).
double great_circle_km(const GeoPoint& a, const GeoPoint& b);

}  // namespace sixpn::core
