#include "net/routing.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

// Trimmed from real `ip -j -6 addr show dev gw0` / `ip -j -6 route show dev gw0` output.
const char* kAddrs = R"([{"ifindex":5,"ifname":"gw0","flags":["POINTOPOINT","NOARP","UP"],
  "addr_info":[
    {"family":"inet6","local":"fdaa:0:1::3","prefixlen":128,"scope":"global"},
    {"family":"inet6","local":"fdaa:0:2::3","prefixlen":128,"scope":"global"},
    {"family":"inet6","local":"fdaa:0:2::4","prefixlen":128,"scope":"global"},
    {"family":"inet6","local":"fdaa:0:5::3","prefixlen":64,"scope":"global"},
    {"family":"inet6","local":"fd00::3","prefixlen":128,"scope":"global"},
    {"family":"inet6","local":"fe80::1","prefixlen":64,"scope":"link"}]}])";
const char* kRoutes = R"([
  {"dst":"fdaa:0:1::/48","metric":1024,"flags":[],"pref":"medium"},
  {"dst":"fdaa:0:7::/48","metric":1024,"flags":[],"pref":"medium"},
  {"dst":"fdaa:0:1:0:5::/80","metric":1024,"flags":[],"pref":"medium"},
  {"dst":"fd00::/48","metric":1024,"flags":[],"pref":"medium"},
  {"dst":"fe80::/64","protocol":"kernel","metric":256,"flags":[],"pref":"medium"}])";

TEST(Routing, ReadsOnlySixpnShapedAddressesAndRoutes) {
  auto state = parse_org_routing(kAddrs, kRoutes);
  EXPECT_EQ(state.dns_addresses, (std::set<std::uint32_t>{1, 2}));
  EXPECT_EQ(state.routes, (std::set<std::uint32_t>{1, 7}));
}

TEST(Routing, AnInterfaceWithoutRoutesPrintsNothing) {
  auto state = parse_org_routing("[]", "");
  EXPECT_TRUE(state.dns_addresses.empty());
  EXPECT_TRUE(state.routes.empty());
}

TEST(Routing, RefusesTextThatIsNotIpJson) {
  EXPECT_THROW(parse_org_routing("Device \"gw0\" does not exist.", "[]"), std::runtime_error);
}

TEST(Routing, CommandsAddWhatIsMissingAndRemoveStaleOrgs) {
  OrgRouting current{{1, 2}, {1, 7}};
  auto commands = routing_commands("gw0", current, {1, 0x18});
  std::vector<Argv> expected{
      {"ip", "-6", "route", "del", "fdaa:0:7::/48", "dev", "gw0"},
      {"ip", "-6", "addr", "del", "fdaa:0:2::3/128", "dev", "gw0"},
      {"ip", "-6", "addr", "add", "fdaa:0:18::3/128", "dev", "gw0", "nodad"},
      {"ip", "-6", "route", "replace", "fdaa:0:18::/48", "dev", "gw0"},
  };
  EXPECT_EQ(commands, expected);
}

TEST(Routing, NothingToDoWhenInSync) {
  OrgRouting current{{1, 2}, {1, 2}};
  EXPECT_TRUE(routing_commands("gw0", current, {1, 2}).empty());
}

TEST(Routing, AHostRoutesOnlyAndDropsAnyOrgDnsAddress) {
  OrgRouting current{{1}, {1, 7}};
  auto commands = routing_commands("h0", current, {1, 2}, false);
  std::vector<Argv> expected{
      {"ip", "-6", "route", "del", "fdaa:0:7::/48", "dev", "h0"},
      {"ip", "-6", "addr", "del", "fdaa:0:1::3/128", "dev", "h0"},
      {"ip", "-6", "route", "replace", "fdaa:0:2::/48", "dev", "h0"},
  };
  EXPECT_EQ(commands, expected);
  EXPECT_TRUE(routing_commands("h0", OrgRouting{{}, {1, 2}}, {1, 2}, false).empty());
}

}  // namespace
}  // namespace sixpn::net
