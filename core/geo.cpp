#include "core/geo.hpp"

#include <algorithm>
#include <cmath>

namespace sixpn::core {

double great_circle_km(const GeoPoint& a, const GeoPoint& b) {
  constexpr double kEarthRadiusKm = 6371.0088;
  constexpr double kRadians = 3.14159265358979323846 / 180.0;
  double dlat = (b.latitude - a.latitude) * kRadians;
  double dlon = (b.longitude - a.longitude) * kRadians;
  double h = std::sin(dlat / 2) * std::sin(dlat / 2) + std::cos(a.latitude * kRadians) *
                                                           std::cos(b.latitude * kRadians) *
                                                           std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusKm * std::asin(std::min(1.0, std::sqrt(h)));
}

}  // namespace sixpn::core
