#pragma once
// The agent's network side: the WireGuard mesh, routes, isolation table and forwarding
// (HostNetwork) and the DNS at fdaa::3 (HostDns), both brought to every state the agent gets.
#include <cstdint>
#include <string>
#include <vector>

#include "host/agent.hpp"

namespace sixpn::host {

NetworkSideFactory make_network_side(const std::string& interface, std::uint16_t listen_port,
                                     const std::string& userspace_binary,
                                     const std::vector<std::string>& dns_upstreams, Log log);

}  // namespace sixpn::host
