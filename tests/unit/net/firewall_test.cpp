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

TEST(Firewall, TheGatewaysTableIsExactlyThis) {
  EXPECT_EQ(render_firewall("sixpnd_gw0", {1}),
            "table ip6 sixpnd_gw0 {}\n"
            "delete table ip6 sixpnd_gw0\n"
            "table ip6 sixpnd_gw0 {\n"
            "  set same_org {\n"
            "    type ipv6_addr . ipv6_addr\n"
            "    flags interval\n"
            "    elements = { fdaa:0:1::/48 . fdaa:0:1::/48 }\n"
            "  }\n"
            "  set proxy_backends {\n"
            "    type ipv6_addr . inet_service\n"
            "  }\n"
            "  chain isolate {\n"
            "    ip6 saddr . ip6 daddr @same_org return\n"
            "    ip6 saddr fdaa::/16 ip6 daddr { fe80::/10, ff00::/8 } return\n"
            "    ip6 saddr fdaa::/16 counter drop\n"
            "    ip6 daddr fdaa::/16 counter drop\n"
            "  }\n"
            "  chain prerouting {\n"
            "    type filter hook prerouting priority raw; policy accept;\n"
            "    iifname \"vm*\" fib saddr . iif oif missing counter drop\n"
            "  }\n"
            "  chain forward {\n"
            "    type filter hook forward priority filter - 10; policy accept;\n"
            "    ip6 saddr fdaa::/48 ip6 daddr . tcp dport @proxy_backends accept\n"
            "    ip6 daddr fdaa::/48 ip6 saddr . tcp sport @proxy_backends accept\n"
            "    jump isolate\n"
            "  }\n"
            "  chain input {\n"
            "    type filter hook input priority filter - 10; policy accept;\n"
            "    jump isolate\n"
            "  }\n"
            "}\n");
}

TEST(Firewall, TheProxyReachesExactlyTheDeclaredPortsAndItsRepliesComeBack) {
  ProxyRules proxy;
  proxy.own_address = core::proxy_address(0x0c000001);
  proxy.backends = {{*core::Ipv6::parse("fdaa:0:1:c00:1:0:1:2"), 8080},
                    {*core::Ipv6::parse("fdaa:0:2:c00:1:0:2:2"), 5432}};
  auto text = render_firewall("t", {1}, FirewallOptions{true}, proxy);
  EXPECT_TRUE(has(text, "    elements = { fdaa:0:1:c00:1:0:1:2 . 8080, "
                        "fdaa:0:2:c00:1:0:2:2 . 5432 }\n"));
  // Replies to the proxy's own connections only: nothing new reaches the proxy address.
  const std::string back = "    ip6 daddr fdaa::c00:1:0:0:1 ct state established,related accept\n";
  EXPECT_TRUE(has(text, back));
  EXPECT_LT(text.find("hook input"), text.find(back));
  EXPECT_LT(text.find(back), text.rfind("jump isolate"));
}

TEST(Firewall, AHostLetsEveryOrgsMachinesAskItsDnsAndNothingElseOfIt) {
  auto host = render_firewall("t", {1}, FirewallOptions{true});
  auto gateway = render_firewall("t", {1});
  const std::string dns =
      "    ip6 daddr fdaa::3 ip6 saddr fdaa::/16 meta l4proto { tcp, udp } th dport 53 accept\n";
  // Only on input (packets for the host itself), ahead of the isolation chain.
  auto input = host.find("hook input");
  auto rule = host.find(dns);
  ASSERT_NE(rule, std::string::npos) << host;
  EXPECT_LT(input, rule);
  EXPECT_LT(rule, host.find("    jump isolate\n", input));
  EXPECT_EQ(host.find(dns, rule + 1), std::string::npos);
  // Otherwise the table is the gateway's, line for line.
  auto without = host;
  without.erase(rule, dns.size());
  EXPECT_EQ(without, gateway);
  EXPECT_FALSE(has(gateway, "dport 53"));
}

}  // namespace
}  // namespace sixpn::net
