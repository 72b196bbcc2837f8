#include "host/machine_net.hpp"

namespace sixpn::host {

MachineLink machine_link(const std::string& netns_prefix, const std::string& machine_id,
                         const core::Ipv6& address) {
  return {netns_prefix + machine_id, "vm" + machine_id.substr(0, 13), address};
}

std::vector<Argv> plan_machine_net_up(const MachineLink& link) {
  const std::string mtu = std::to_string(kMachineMtu);
  const std::string cidr = link.address.str() + "/112";
  const std::string gateway = kHostSideAddress;
  return {
      {"ip", "netns", "add", link.netns},
      {"ip", "link", "add", link.host_veth, "mtu", mtu, "type", "veth", "peer", "name", "eth0",
       "mtu", mtu, "netns", link.netns},
      {"ip", "-n", link.netns, "link", "set", "lo", "up"},
      {"ip", "-n", link.netns, "-6", "addr", "add", cidr, "dev", "eth0", "nodad"},
      {"ip", "-n", link.netns, "link", "set", "eth0", "up"},
      {"ip", "-6", "addr", "add", gateway + "/64", "dev", link.host_veth, "nodad"},
      {"ip", "link", "set", link.host_veth, "up"},
      {"ip", "-n", link.netns, "-6", "route", "add", "default", "via", gateway, "dev", "eth0"},
      {"ip", "-6", "route", "replace", cidr, "dev", link.host_veth},
  };
}

std::vector<Argv> plan_machine_net_down(const MachineLink& link) {
  return {{"ip", "netns", "delete", link.netns}};
}

}  // namespace sixpn::host
