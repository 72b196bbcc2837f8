#pragma once
// What the Flycast proxy serves, as plain values: for every Flycast address and port, the
// machines behind it. The host agent and the control plane's gateway each build these from the
// desired state they have (api::FlycastService); the proxy itself knows nothing of the API.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/address.hpp"
#include "core/geo.hpp"

namespace sixpn::proxy {

// One machine behind a service, with the concurrency limits of its own config.
struct Backend {
  std::string machine_id;
  std::string region;
  core::Ipv6 address;          // the machine's 6PN address
  std::uint16_t port = 0;      // its internal_port for this service
  bool started = false;        // desired started and reported started: it can take traffic
  int soft_limit = 20;
  int hard_limit = 0;          // 0: none
  bool autostart = true;       // the proxy may start it when traffic needs it
  bool autostop = false;       // the control plane may stop it when traffic does not
  bool operator==(const Backend&) const = default;
};

// A Flycast address and one of the ports its app's services declare.
struct Service {
  core::Ipv6 address;
  std::uint16_t port = 0;
  std::string app;
  std::vector<Backend> backends;
  bool operator==(const Service&) const = default;
};

// Where a client is, for "the closest region first": WireGuard peers by their /120 and
// machines by their /112, each with its region.
struct ClientRegions {
  std::map<core::Ipv6, std::string> peers;     // key: the /120's first address
  std::map<core::Ipv6, std::string> machines;  // key: the /112's first address
  bool operator==(const ClientRegions&) const = default;
};

struct ProxyConfig {
  std::vector<Service> services;
  std::string region;  // the node's own region; "*" (the gateway) has none
  std::map<std::string, core::GeoPoint> regions;
  ClientRegions clients;
  bool operator==(const ProxyConfig&) const = default;
};

// The region a connection from `source` comes from: its peer's or machine's, else the node's.
std::string client_region(const ProxyConfig& config, const core::Ipv6& source);

}  // namespace sixpn::proxy
