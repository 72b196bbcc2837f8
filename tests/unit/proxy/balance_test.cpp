#include "proxy/balance.hpp"

#include <gtest/gtest.h>

namespace sixpn::proxy {
namespace {

Backend backend(std::string id, std::string region, bool started = true, int soft = 20,
                int hard = 0) {
  Backend b;
  b.machine_id = std::move(id);
  b.region = std::move(region);
  b.address = *core::Ipv6::parse("fdaa:0:1:0:2:0:1:2");
  b.port = 8080;
  b.started = started;
  b.soft_limit = soft;
  b.hard_limit = hard;
  return b;
}

ProxyConfig world() {
  ProxyConfig c;
  c.region = "ams";
  c.regions["ams"] = {52.37, 4.90};
  c.regions["fra"] = {50.11, 8.68};
  c.regions["syd"] = {-33.87, 151.21};
  return c;
}

std::vector<BackendLoad> loads(std::vector<int> active) {
  std::vector<BackendLoad> out;
  for (int a : active) out.push_back(BackendLoad{a, true, false});
  return out;
}

Choice choose(const Service& s, const std::vector<BackendLoad>& l, std::size_t rotation = 0,
              const std::string& from = "ams") {
  return choose_backend(s, l, backend_distances(s, from, world()), rotation);
}

TEST(Balance, PicksTheLeastLoadedMachineInTheClientsRegion) {
  Service s;
  s.backends = {backend("a", "ams"), backend("b", "ams"), backend("c", "fra")};
  auto c = choose(s, loads({3, 1, 0}));
  EXPECT_EQ(c.backend, 1u);
  EXPECT_FALSE(c.start);
  EXPECT_FALSE(c.wait);
}

TEST(Balance, EqualMachinesTakeTurnsAsTheRotationAdvances) {
  Service s;
  s.backends = {backend("a", "ams"), backend("b", "ams")};
  EXPECT_EQ(choose(s, loads({0, 0}), 0).backend, 0u);
  EXPECT_EQ(choose(s, loads({0, 0}), 1).backend, 1u);
  EXPECT_EQ(choose(s, loads({0, 0}), 2).backend, 0u);
}

TEST(Balance, GoesToTheNearestOtherRegionOnlyWhenLocalMachinesAreAtTheirSoftLimit) {
  Service s;
  s.backends = {backend("syd", "syd"), backend("local", "ams", true, 2), backend("fra", "fra")};
  EXPECT_EQ(choose(s, loads({0, 1, 0})).backend, 1u);
  EXPECT_EQ(choose(s, loads({0, 2, 0})).backend, 2u);  // fra is nearer than syd
}

TEST(Balance, AMachineAtItsSoftLimitGetsTrafficOnlyWhenEveryOtherIsToo) {
  Service s;
  s.backends = {backend("a", "ams", true, 2, 4), backend("b", "fra", true, 2, 4)};
  EXPECT_EQ(choose(s, loads({2, 1})).backend, 1u);
  // Both past their soft limits: the closest one that is under its hard limit.
  EXPECT_EQ(choose(s, loads({3, 2})).backend, 0u);
  EXPECT_EQ(choose(s, loads({4, 2})).backend, 1u);
}

TEST(Balance, NothingGoesToAMachineAtItsHardLimit) {
  Service s;
  s.backends = {backend("a", "ams", true, 1, 2)};
  auto c = choose(s, loads({2}));
  EXPECT_FALSE(c.backend);
  EXPECT_FALSE(c.wait);  // nothing to start: refused
}

TEST(Balance, SkipsMachinesThatRefused) {
  Service s;
  s.backends = {backend("a", "ams"), backend("b", "fra")};
  auto l = loads({0, 5});
  l[0].usable = false;
  EXPECT_EQ(choose(s, l).backend, 1u);
  l[1].usable = false;
  EXPECT_FALSE(choose(s, l).backend);
}

TEST(Balance, StartsTheNearestStoppedMachineAndWaitsWhenNoneIsStarted) {
  Service s;
  s.backends = {backend("far", "syd", false), backend("near", "fra", false)};
  auto c = choose(s, loads({0, 0}));
  EXPECT_FALSE(c.backend);
  EXPECT_EQ(c.start, 1u);
  EXPECT_TRUE(c.wait);
}

TEST(Balance, StartsAMachineWhenEveryStartedOneIsPastItsSoftLimitButStillUsesThem) {
  Service s;
  s.backends = {backend("busy", "ams", true, 1, 10), backend("idle", "ams", false)};
  auto c = choose(s, loads({1, 0}));
  EXPECT_EQ(c.backend, 0u);
  EXPECT_EQ(c.start, 1u);
}

TEST(Balance, AsksForOneStartAtATime) {
  Service s;
  s.backends = {backend("a", "ams", false), backend("b", "ams", false)};
  auto l = loads({0, 0});
  l[0].starting = true;
  auto c = choose(s, l);
  EXPECT_FALSE(c.start);
  EXPECT_TRUE(c.wait);
}

TEST(Balance, RefusesAtOnceWhenNothingRunsAndAutostartIsOff) {
  Service s;
  s.backends = {backend("a", "ams", false)};
  s.backends[0].autostart = false;
  auto c = choose(s, loads({0}));
  EXPECT_FALSE(c.backend);
  EXPECT_FALSE(c.start);
  EXPECT_FALSE(c.wait);
}

TEST(Balance, RegionsWithoutAKnownPositionComeAfterEveryKnownOne) {
  Service s;
  s.backends = {backend("x", "zzz"), backend("syd", "syd")};
  auto d = backend_distances(s, "ams", world());
  EXPECT_GT(d[0], d[1]);
  EXPECT_EQ(choose(s, loads({0, 0})).backend, 1u);
}

TEST(Balance, TheClientsRegionComesFromItsPeerOrMachineElseTheNodes) {
  auto c = world();
  c.clients.peers[*core::Ipv6::parse("fdaa:0:1:0:a::")] = "syd";
  c.clients.machines[*core::Ipv6::parse("fdaa:0:1:0:2:0:1:0")] = "fra";
  EXPECT_EQ(client_region(c, *core::Ipv6::parse("fdaa:0:1:0:a::2")), "syd");
  EXPECT_EQ(client_region(c, *core::Ipv6::parse("fdaa:0:1:0:2:0:1:2")), "fra");
  EXPECT_EQ(client_region(c, *core::Ipv6::parse("fdaa:0:1:0:2:0:7:2")), "ams");
}

}  // namespace
}  // namespace sixpn::proxy
