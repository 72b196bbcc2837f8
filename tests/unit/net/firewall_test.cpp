#include "net/firewall.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

bool has(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Firewall, TableNameIsDerivedFromTheInterface) {
  EXPECT_EQ(firewall_table_name("gw0"), "sixpnd_gw0");
  EXPECT_EQ(firewall_table_name("wg-gw.1"), "sixpnd_wg_gw_1");
}

TEST(Firewall, ReplacesTheTableInOneTransaction) {
  auto text = render_firewall("sixpnd_gw0", {1});
  auto create = text.find("table ip6 sixpnd_gw0 {}");
  auto drop = text.find("delete table ip6 sixpnd_gw0");
  auto full = text.find("table ip6 sixpnd_gw0 {\n");
  ASSERT_NE(create, std::string::npos);
  EXPECT_LT(create, drop);
  EXPECT_LT(drop, full);
}

TEST(Firewall, EachOrgMayOnlyReachItsOwnPrefix) {
  auto text = render_firewall("t", {1, 0x18});
  EXPECT_TRUE(has(text,
                  "elements = { fdaa:0:1::/48 . fdaa:0:1::/48, "
                  "fdaa:0:18::/48 . fdaa:0:18::/48 }"))
      << text;
  EXPECT_TRUE(has(text, "ip6 saddr . ip6 daddr @same_org return"));
  EXPECT_TRUE(has(text, "ip6 saddr fdaa::/16 counter drop"));
  EXPECT_TRUE(has(text, "ip6 daddr fdaa::/16 counter drop"));
  EXPECT_TRUE(has(text, "hook forward"));
  EXPECT_TRUE(has(text, "hook input"));
}

TEST(Firewall, WithoutOrgsTheSetIsEmptyAndEverythingSixpnIsDropped) {
  auto text = render_firewall("t", {});
  EXPECT_FALSE(has(text, "elements"));
  EXPECT_TRUE(has(text, "ip6 saddr fdaa::/16 counter drop"));
}

}  // namespace
}  // namespace sixpn::net
