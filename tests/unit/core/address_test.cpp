#include "core/address.hpp"

#include <gtest/gtest.h>

namespace sixpn::core {
namespace {

Ipv6 ip(const char* text) {
  auto parsed = Ipv6::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(Ipv6{});
}

TEST(Ipv6, ParsesAndFormatsCanonically) {
  EXPECT_EQ(ip("FDAA:0000:0018:0a7b:0d6b:0000:000a:0002").str(), "fdaa:0:18:a7b:d6b:0:a:2");
  EXPECT_EQ(ip("fdaa::3").str(), "fdaa::3");
}

TEST(Ipv6, RejectsWhatIsNotAnIpv6Address) {
  for (const char* bad : {"", "fdaa", "1.2.3.4", "fdaa:::1", "fdaa::g", "fdaa::1/48", " fdaa::1"}) {
    EXPECT_FALSE(Ipv6::parse(bad).has_value()) << bad;
  }
  EXPECT_FALSE(Ipv6::parse(std::string_view("fdaa::1\0junk", 12)).has_value());
}

TEST(SixpnLayout, SplitsTheSeedsPeerAddressIntoItsFields) {
  auto f = split(ip("fdaa:0:18:a7b:d6b:0:a:2"));
  EXPECT_EQ(f, (SixpnFields{0x18, 0x0a7b0d6b, 0x0000000a, 0x0002}));
  EXPECT_TRUE(is_sixpn(ip("fdaa:0:18:a7b:d6b:0:a:2")));
  EXPECT_FALSE(is_sixpn(ip("fd00::1")));
}

TEST(SixpnLayout, SeedPeerGivesPrefixAndDnsServer) {
  auto f = split(ip("fdaa:0:18:a7b:d6b:0:a:2"));
  EXPECT_EQ(org_prefix_cidr(f.network), "fdaa:0:18::/48");
  EXPECT_EQ(org_dns_server(f.network).str(), "fdaa:0:18::3");
}

TEST(SixpnLayout, ComposeIsTheInverseOfSplit) {
  for (const char* text : {"fdaa:0:18:a7b:7d:f066:b83b:2", "fdaa:0:4:a7b:ab6:0:a:102",
                           "fdaa:0:22b7:0:1::3", "fdaa:ffff:ffff:ffff:ffff:ffff:ffff:ffff"}) {
    EXPECT_EQ(compose(split(ip(text))).str(), text);
  }
}

TEST(SixpnLayout, MachineAddressIsInItsOwnSlash112AndEndsInTwo) {
  auto f = split(ip("fdaa:0:18:a7b:7d:f066:b83b:2"));
  EXPECT_EQ(f.network, 0x18u);
  EXPECT_EQ(f.host, 0x0a7b007du);
  EXPECT_EQ(f.machine, 0xf066b83bu);
  EXPECT_EQ(f.free, 2);
  auto a = machine_address(0x18, 0x0a7b007d, 0xf066b83a);
  EXPECT_EQ(a.str(), "fdaa:0:18:a7b:7d:f066:b83b:2");
  EXPECT_EQ(network_of(a, 112).str(), "fdaa:0:18:a7b:7d:f066:b83b:0");
}

TEST(SixpnLayout, PeerSlotsMatchTheSeedsPeerAddresses) {
  EXPECT_EQ(peer_address(0x18, 0x0a7b0d6b, 0).str(), "fdaa:0:18:a7b:d6b:0:a:2");
  EXPECT_EQ(peer_address(0x4, 0x0a7b0ab6, 1).str(), "fdaa:0:4:a7b:ab6:0:a:102");
  EXPECT_EQ(peer_address(0x4, 0x0a7b0ab6, 256).str(), "fdaa:0:4:a7b:ab6:0:b:2");
  // Each peer owns a /120 that no other slot falls into.
  auto a = peer_address(0x4, 0x0a7b0ab6, 1);
  EXPECT_EQ(network_of(a, 120).str(), "fdaa:0:4:a7b:ab6:0:a:100");
  EXPECT_FALSE(in_prefix(peer_address(0x4, 0x0a7b0ab6, 2), a, 120));
}

TEST(SixpnLayout, FlycastSlotZeroIsTheSeedsExample) {
  EXPECT_EQ(flycast_address(0x22b7, 0).str(), "fdaa:0:22b7:0:1::3");
  EXPECT_EQ(flycast_address(0x22b7, 1).str(), "fdaa:0:22b7:0:1:0:1:3");
}

TEST(SixpnLayout, OrgPrefixContainsEveryKindOfAddressOfTheOrg) {
  auto prefix = org_prefix(0x22b7);
  EXPECT_TRUE(in_prefix(flycast_address(0x22b7, 7), prefix, 48));
  EXPECT_TRUE(in_prefix(peer_address(0x22b7, 0x0a7b0201, 9), prefix, 48));
  EXPECT_TRUE(in_prefix(machine_address(0x22b7, 0x0a7b0101, 9), prefix, 48));
  EXPECT_FALSE(in_prefix(machine_address(0x22b8, 0x0a7b0101, 9), prefix, 48));
}

TEST(SixpnLayout, ExhaustedSlotSpaceIsAnErrorNotAWrap) {
  EXPECT_THROW(machine_address(1, 1, kMaxMachineSlot + 1), std::out_of_range);
  EXPECT_THROW(peer_address(1, 1, kMaxPeerSlot + 1), std::out_of_range);
  EXPECT_NO_THROW(peer_address(1, 1, kMaxPeerSlot));
}

}  // namespace
}  // namespace sixpn::core
