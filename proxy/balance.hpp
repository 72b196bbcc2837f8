#pragma once
// Which machine takes a new connection, as the Fly Proxy chooses: the least-loaded started
// machine in the closest region (the client's own region first, then by distance). A machine
// at its hard limit gets nothing new; one at its soft limit only when every other is too, and
// another region only when the closer ones are full or refusing. When nothing under the soft
// limit is left and a stopped machine may be started, the nearest one is started; with nothing
// able to take the connection, it waits for that machine, or is refused.
// Plain functions over plain values: the proxy's loop calls them, unit tests check them.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "proxy/service.hpp"

namespace sixpn::proxy {

// What the proxy knows of one backend when a connection arrives.
struct BackendLoad {
  int active = 0;         // connections open to it through this proxy
  bool usable = true;     // false: it refused lately, or it already refused this connection
  // The proxy asked for its start a moment ago and it has not taken a connection since: even
  // reported started, the program in it may not listen yet, so connections wait for it.
  bool starting = false;
};

struct Choice {
  std::optional<std::size_t> backend;  // connect to this one now
  std::optional<std::size_t> start;    // ask the control plane to start this one
  bool wait = false;                   // nothing can take it yet, but a machine is on its way
};

// Each backend's distance in km from the client's region: 0 in that region, the great-circle
// distance when both regions' positions are known, else after every known one.
std::vector<double> backend_distances(const Service& service, const std::string& client_region,
                                      const ProxyConfig& config);

// `loads` and `distances` are in the order of service.backends. `rotation` breaks ties between
// equally loaded, equally close machines (the caller advances it), so that short connections
// that never overlap still spread over every machine.
Choice choose_backend(const Service& service, const std::vector<BackendLoad>& loads,
                      const std::vector<double>& distances, std::size_t rotation);

}  // namespace sixpn::proxy
