#include "proxy/balance.hpp"

#include <limits>

namespace sixpn::proxy {

namespace {

// Past every real distance: regions whose position is unknown come last, all equal.
constexpr double kUnknownDistance = std::numeric_limits<double>::max();

bool under_hard_limit(const Backend& b, int active) {
  return b.hard_limit <= 0 || active < b.hard_limit;
}

// The closest, then least-loaded, of the backends `eligible` accepts, starting the scan at
// `rotation` so that ties go round.
template <typename Eligible>
std::optional<std::size_t> closest_least_loaded(const Service& service,
                                                const std::vector<BackendLoad>& loads,
                                                const std::vector<double>& distances,
                                                std::size_t rotation, Eligible eligible) {
  const std::size_t n = service.backends.size();
  std::optional<std::size_t> best;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t i = (rotation + k) % n;
    if (!eligible(i)) continue;
    if (!best || distances[i] < distances[*best] ||
        (distances[i] == distances[*best] && loads[i].active < loads[*best].active)) {
      best = i;
    }
  }
  return best;
}

}  // namespace

std::string client_region(const ProxyConfig& config, const core::Ipv6& source) {
  if (auto it = config.clients.peers.find(core::network_of(source, 120));
      it != config.clients.peers.end()) {
    return it->second;
  }
  if (auto it = config.clients.machines.find(core::network_of(source, 112));
      it != config.clients.machines.end()) {
    return it->second;
  }
  return config.region;
}

std::vector<double> backend_distances(const Service& service, const std::string& client_region,
                                      const ProxyConfig& config) {
  std::vector<double> out;
  out.reserve(service.backends.size());
  const auto origin = config.regions.find(client_region);
  for (const auto& b : service.backends) {
    if (b.region == client_region) {
      out.push_back(0);
      continue;
    }
    const auto there = config.regions.find(b.region);
    if (origin == config.regions.end() || there == config.regions.end()) {
      out.push_back(kUnknownDistance);
    } else {
      out.push_back(core::great_circle_km(origin->second, there->second));
    }
  }
  return out;
}

Choice choose_backend(const Service& service, const std::vector<BackendLoad>& loads,
                      const std::vector<double>& distances, std::size_t rotation) {
  Choice out;
  const auto& backends = service.backends;
  auto takes_traffic = [&](std::size_t i) {
    return backends[i].started && loads[i].usable && under_hard_limit(backends[i], loads[i].active);
  };
  out.backend = closest_least_loaded(service, loads, distances, rotation, [&](std::size_t i) {
    return takes_traffic(i) && loads[i].active < backends[i].soft_limit;
  });
  if (out.backend) return out;

  // Every machine that takes traffic is at its soft limit (or none does): start the nearest
  // stopped machine that allows it, unless one is already on its way.
  bool on_its_way = false;
  for (const auto& load : loads) on_its_way = on_its_way || load.starting;
  if (!on_its_way) {
    out.start = closest_least_loaded(service, loads, distances, rotation, [&](std::size_t i) {
      return !backends[i].started && backends[i].autostart;
    });
    on_its_way = out.start.has_value();
  }
  out.backend = closest_least_loaded(service, loads, distances, rotation, takes_traffic);
  out.wait = !out.backend && on_its_way;
  return out;
}

}  // namespace sixpn::proxy
