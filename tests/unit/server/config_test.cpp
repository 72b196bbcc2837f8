// sixpnd's inputs: --listen/--gateway-endpoint, the region catalog, the --seed file.
#include <gtest/gtest.h>

#include "core/address.hpp"
#include "server/hostport.hpp"
#include "server/regions.hpp"
#include "server/seed.hpp"

namespace sixpn::server {
namespace {

TEST(HostPort, ParsesHostsPortsAndBracketedIpv6) {
  std::string err;
  auto a = parse_host_port("127.0.0.1:4280", std::nullopt, err);
  ASSERT_TRUE(a) << err;
  EXPECT_EQ(a->host, "127.0.0.1");
  EXPECT_EQ(a->port, 4280);
  auto b = parse_host_port("[::1]:51820", std::nullopt, err);
  ASSERT_TRUE(b) << err;
  EXPECT_EQ(b->host, "::1");
  EXPECT_EQ(b->str(), "[::1]:51820");
  auto c = parse_host_port("gw.example.com", 51820, err);
  ASSERT_TRUE(c) << err;
  EXPECT_EQ(c->str(), "gw.example.com:51820");
  auto d = parse_host_port("[fdaa::1]", 51820, err);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->port, 51820);
}

TEST(HostPort, RefusesWhatIsNotHostPort) {
  for (const char* bad : {"", ":80", "host:", "host:0", "host:65536", "host:http", "::1:80", "[::1",
                          "[::1]x", "bad host:80", "h:80:90"}) {
    std::string err;
    EXPECT_FALSE(parse_host_port(bad, std::nullopt, err)) << bad;
    EXPECT_FALSE(err.empty()) << bad;
  }
  std::string err;
  EXPECT_FALSE(parse_host_port("localhost", std::nullopt, err)) << "a port is required";
}

TEST(Regions, BuiltinListHasRealCodesGatewaysAndDeprecatedOnes) {
  auto catalog = RegionCatalog::builtin();
  EXPECT_GE(catalog.all().size(), 20u);
  int gateways = 0, without = 0, deprecated = 0;
  for (const auto& r : catalog.all()) {
    (r.region.gateway_available ? gateways : without)++;
    deprecated += r.region.deprecated;
  }
  EXPECT_GT(gateways, 0);
  EXPECT_GT(without, 0);
  EXPECT_GT(deprecated, 0);
  EXPECT_EQ(catalog.find("iad")->region.name, "Ashburn, Virginia (US)");
  EXPECT_TRUE(catalog.find(catalog.nearest())->region.gateway_available);
}

TEST(Regions, HostIdsFollowThePositionInTheBuiltinList) {
  auto all = builtin_regions();
  for (std::size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].machine_host, kMachineHostBase + i);
    EXPECT_EQ(all[i].gateway_host, kGatewayHostBase + i);
  }
}

TEST(Regions, CatalogRefusesCollidingOrReservedHostIdsAndBadNearest) {
  auto two = [](std::uint32_t m1, std::uint32_t g1, std::uint32_t m2, std::uint32_t g2) {
    return std::vector<RegionEntry>{{{"aaa", "A", 0, 0, true, false}, m1, g1},
                                    {{"bbb", "B", 0, 0, false, false}, m2, g2}};
  };
  EXPECT_NO_THROW(RegionCatalog(two(10, 11, 12, 13), ""));
  EXPECT_THROW(RegionCatalog(two(10, 11, 10, 13), ""), std::invalid_argument);
  EXPECT_THROW(RegionCatalog(two(core::kFlycastHost, 11, 12, 13), ""), std::invalid_argument);
  EXPECT_THROW(RegionCatalog(two(0, 11, 12, 13), ""), std::invalid_argument);
  EXPECT_THROW(RegionCatalog(two(10, 11, 12, 13), "bbb"), std::invalid_argument);
  EXPECT_THROW(RegionCatalog(two(10, 11, 12, 13), "zzz"), std::invalid_argument);
  EXPECT_THROW(RegionCatalog({}, ""), std::invalid_argument);
}

TEST(Seed, ReplacesRegionsSetsNearestAndCreatesOrgs) {
  auto seed = parse_seed(R"(
nearest = "two"
[[regions]]
code = "one"
name = "One"
latitude = 1.5
longitude = -2
gateway_available = false
[[regions]]
code = "two"
name = "Two"
latitude = 3
longitude = 4
gateway_available = true
deprecated = true
machine_host = 0x0b000001
gateway_host = 0x0b000002
[[orgs]]
slug = "acme"
name = "Acme Corp"
[[orgs]]
slug = "solo"
)",
                         "seed.toml");
  ASSERT_TRUE(seed.regions);
  ASSERT_EQ(seed.regions->size(), 2u);
  EXPECT_EQ((*seed.regions)[0].machine_host, kMachineHostBase);
  EXPECT_EQ((*seed.regions)[1].machine_host, 0x0b000001u);
  EXPECT_EQ((*seed.regions)[1].gateway_host, 0x0b000002u);
  EXPECT_TRUE((*seed.regions)[1].region.deprecated);
  EXPECT_DOUBLE_EQ((*seed.regions)[0].region.longitude, -2);
  EXPECT_EQ(*seed.nearest, "two");
  ASSERT_EQ(seed.orgs.size(), 2u);
  EXPECT_EQ(seed.orgs[1].name, "solo");
  EXPECT_NO_THROW(RegionCatalog(*seed.regions, *seed.nearest));
}

TEST(Seed, ErrorsNameTheFileAndLine) {
  for (const char* bad : {"nearest = 3", "[[regions]]\ncode = \"x\"", "typo = 1",
                          "[[regions]]\ncode=\"a\"\nname=\"A\"\nlatitude=1\nlongitude=1\ncolour=1",
                          "[[orgs]]\nname = \"no slug\"", "this is not toml",
                          "[[regions]]\ncode=\"a\"\nname=\"A\"\nlatitude=1\nlongitude=1\n"
                          "machine_host=-5"}) {
    try {
      parse_seed(bad, "s.toml");
      ADD_FAILURE() << "accepted: " << bad;
    } catch (const SeedError& e) {
      EXPECT_EQ(std::string(e.what()).rfind("s.toml", 0), 0u) << e.what();
    }
  }
}

}  // namespace
}  // namespace sixpn::server
