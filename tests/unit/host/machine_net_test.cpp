#include "host/machine_net.hpp"

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

MachineLink link() {
  return machine_link("sixpn-", "3d8d9e1b2c4a70",
                      *core::Ipv6::parse("fdaa:0:18:a7b:7d:f066:b83b:2"));
}

TEST(MachineLink, NamesComeFromTheMachineIdAndTheVethFitsInAnInterfaceName) {
  auto l = link();
  EXPECT_EQ(l.netns, "sixpn-3d8d9e1b2c4a70");
  EXPECT_EQ(l.host_veth, "vm3d8d9e1b2c4a7");
  EXPECT_LE(l.host_veth.size(), 15u);
}

TEST(PlanMachineNet, WiresEth0WithTheSlash112AndADefaultRouteToTheHost) {
  EXPECT_EQ(plan_machine_net_up(link()),
            (std::vector<Argv>{
                {"ip", "netns", "add", "sixpn-3d8d9e1b2c4a70"},
                {"ip", "link", "add", "vm3d8d9e1b2c4a7", "mtu", "1420", "type", "veth", "peer",
                 "name", "eth0", "mtu", "1420", "netns", "sixpn-3d8d9e1b2c4a70"},
                {"ip", "-n", "sixpn-3d8d9e1b2c4a70", "link", "set", "lo", "up"},
                {"ip", "-n", "sixpn-3d8d9e1b2c4a70", "-6", "addr", "add",
                 "fdaa:0:18:a7b:7d:f066:b83b:2/112", "dev", "eth0", "nodad"},
                {"ip", "-n", "sixpn-3d8d9e1b2c4a70", "link", "set", "eth0", "up"},
                {"ip", "-6", "addr", "add", "fe80::1/64", "dev", "vm3d8d9e1b2c4a7", "nodad"},
                {"ip", "link", "set", "vm3d8d9e1b2c4a7", "up"},
                {"ip", "-n", "sixpn-3d8d9e1b2c4a70", "-6", "route", "add", "default", "via",
                 "fe80::1", "dev", "eth0"},
                {"ip", "-6", "route", "replace", "fdaa:0:18:a7b:7d:f066:b83b:2/112", "dev",
                 "vm3d8d9e1b2c4a7"},
            }));
}

TEST(PlanMachineNet, DownDeletesTheNamespaceWhichTakesTheVethAndRouteWithIt) {
  EXPECT_EQ(plan_machine_net_down(link()),
            (std::vector<Argv>{{"ip", "netns", "delete", "sixpn-3d8d9e1b2c4a70"}}));
}

}  // namespace
}  // namespace sixpn::host
