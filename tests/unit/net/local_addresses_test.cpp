#include "net/local_addresses.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

const core::Ipv6 kA = *core::Ipv6::parse("fdaa:0:1:0:1::3");
const core::Ipv6 kB = *core::Ipv6::parse("fdaa:0:1:0:1:0:1:3");
const core::Ipv6 kTheirs = *core::Ipv6::parse("fdaa:0:2:0:1::3");

std::string lo_with(const std::vector<std::string>& addresses) {
  std::string info = R"({"family":"inet6","local":"::1","prefixlen":128})";
  for (const auto& a : addresses) {
    info += std::string(R"(,{"family":"inet6","local":")") + a + R"(","prefixlen":128})";
  }
  return R"([{"ifname":"lo","addr_info":[)" + info + "]}]";
}

TEST(LocalAddresses, AddsWhatIsMissingWithNodad) {
  auto plan = local_address_commands("lo", lo_with({}), {kA}, {});
  ASSERT_EQ(plan.commands.size(), 1u);
  EXPECT_EQ(plan.commands[0],
            (Argv{"ip", "-6", "addr", "add", "fdaa:0:1:0:1::3/128", "dev", "lo", "nodad"}));
  EXPECT_EQ(plan.owned, (std::set<core::Ipv6>{kA}));
}

TEST(LocalAddresses, RemovesOnlyWhatItAddedAndNoLongerWants) {
  auto plan = local_address_commands("lo", lo_with({kA.str(), kB.str(), kTheirs.str()}), {kB},
                                     {kA, kB});
  ASSERT_EQ(plan.commands.size(), 1u);
  EXPECT_EQ(plan.commands[0],
            (Argv{"ip", "-6", "addr", "del", "fdaa:0:1:0:1::3/128", "dev", "lo"}));
  EXPECT_EQ(plan.owned, (std::set<core::Ipv6>{kB}));
  // An address someone else put there is used, never taken over nor removed.
  plan = local_address_commands("lo", lo_with({kTheirs.str()}), {kTheirs}, {});
  EXPECT_TRUE(plan.commands.empty());
  EXPECT_TRUE(plan.owned.empty());
  plan = local_address_commands("lo", lo_with({kTheirs.str()}), {}, {});
  EXPECT_TRUE(plan.commands.empty());
}

TEST(LocalAddresses, PutsBackAnOwnedAddressRemovedByHand) {
  auto plan = local_address_commands("lo", lo_with({}), {kA}, {kA});
  ASSERT_EQ(plan.commands.size(), 1u);
  EXPECT_EQ(plan.commands[0][3], "add");
}

TEST(LocalAddresses, RefusesTextThatIsNotIpsJson) {
  EXPECT_THROW(local_address_commands("lo", "not json", {kA}, {}), std::runtime_error);
  EXPECT_EQ(local_address_commands("lo", "", {kA}, {}).commands.size(), 1u);
}

}  // namespace
}  // namespace sixpn::net
