#include "host/agent_network.hpp"

#include <stdexcept>

namespace sixpn::host {

// HostNetwork and HostDns are not part of this tree yet: a host asked for a mesh refuses to
// start rather than run without one.
NetworkSideFactory make_network_side(const std::string& interface, std::uint16_t,
                                     const std::string&, const std::vector<std::string>&, Log) {
  return [interface](core::PrivateKey) -> std::unique_ptr<NetworkSide> {
    throw std::runtime_error("--interface " + interface +
                             ": this build has no mesh yet; run without --interface");
  };
}

}  // namespace sixpn::host
