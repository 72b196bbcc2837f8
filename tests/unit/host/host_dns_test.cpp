// A host's DNS data from its desired state, in the resolver's own form.
#include "host/host_dns.hpp"

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

api::HostState state() {
  api::HostState s;
  s.version = 42;
  s.host.region = "fra";
  s.regions = {{"ams", 52.37, 4.90}, {"fra", 50.11, 8.68}};
  api::DnsOrg org;
  org.slug = "acme";
  org.network_id = 1;
  org.apps = {{"web", {"fdaa:0:1:0:1::3"}, true}};
  org.machines = {
      {"1781e0ec2d9e89", "web", "ams", "app", {{"role", "primary"}}, "fdaa:0:1:c00:1:0:1:2", true},
      {"0e286e1f5d3378", "web", "fra", "app", {}, "not an address", true}};
  org.peers = {{"laptop", "ams", "fdaa:0:1:a7b:200:0:a:2"}};
  s.dns = {org};
  return s;
}

TEST(HostDnsSnapshot, CarriesEveryOrgWithItsAppsMachinesAndPeers) {
  std::vector<std::string> skipped;
  auto snapshot = host_dns_snapshot(state(), skipped);
  EXPECT_EQ(snapshot.version, 42u);
  EXPECT_EQ(snapshot.origin_region, "fra");
  EXPECT_EQ(snapshot.regions.size(), 2u);
  ASSERT_EQ(snapshot.by_network.count(1), 1u);
  const auto& zone = snapshot.by_network.at(1);
  EXPECT_EQ(zone.slug, "acme");
  ASSERT_EQ(zone.apps.size(), 1u);
  EXPECT_EQ(zone.apps[0].flycast, (std::vector{*core::Ipv6::parse("fdaa:0:1:0:1::3")}));
  ASSERT_EQ(zone.machines.size(), 1u);  // the one with a bad address is left out, and said
  EXPECT_EQ(zone.machines[0].metadata.at("role"), "primary");
  EXPECT_TRUE(zone.machines[0].started);
  ASSERT_EQ(skipped.size(), 1u);
  EXPECT_NE(skipped[0].find("0e286e1f5d3378"), std::string::npos);
  ASSERT_EQ(zone.peers.size(), 1u);
  EXPECT_EQ(zone.peers[0].region, "ams");
}

TEST(HostDnsSnapshot, TheEmbeddedHostMeasuresNearestFromTheMachinesOwnRegion) {
  auto s = state();
  s.host.region = "*";
  std::vector<std::string> skipped;
  EXPECT_EQ(host_dns_snapshot(s, skipped).origin_region, "");
  s.host.region = "xyz";  // not in the catalog
  EXPECT_EQ(host_dns_snapshot(s, skipped).origin_region, "");
}

TEST(HostDns, RefusesAMalformedUpstreamInOneSentence) {
  try {
    HostDns dns({"not an address"}, {});
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("not an address"), std::string::npos) << e.what();
  }
  HostDns none({"none"}, {});  // other names REFUSED; nothing bound until start()
}

}  // namespace
}  // namespace sixpn::host
