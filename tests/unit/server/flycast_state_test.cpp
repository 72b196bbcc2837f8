#include "server/flycast_state.hpp"

#include <gtest/gtest.h>

#include "server/autostop.hpp"

namespace sixpn::server {
namespace {

using store::NetworkView;

api::MachineService service(int port, int internal, std::string autostop = "off", int min = 0) {
  api::MachineService s;
  s.internal_port = internal;
  s.ports = {api::ServicePort{port, false}};
  s.autostop = std::move(autostop);
  s.min_machines_running = min;
  return s;
}

NetworkView::Machine machine(std::uint32_t network, std::string id, std::string app,
                             std::vector<api::MachineService> services, bool started = true) {
  NetworkView::Machine m;
  m.network_id = network;
  m.id = std::move(id);
  m.app = std::move(app);
  m.region = "ams";
  m.address = core::machine_address(network, 0x0c000001, m.id.size());
  m.started = started;
  m.services = std::move(services);
  return m;
}

TEST(FlycastState, EachAddressAndDeclaredPortIsAServiceWithTheMachinesThatDeclareIt) {
  NetworkView view;
  view.orgs = {{1, "acme"}, {2, "beta"}};
  auto own = core::flycast_address(1, 0), for_beta = core::flycast_address(2, 0);
  view.flycast = {{1, "web", own}, {2, "web", for_beta}};
  view.machines = {machine(1, "m1", "web", {service(80, 8080), service(443, 8443)}),
                   machine(1, "m2", "web", {service(80, 8081, "stop", 1)}, false),
                   machine(1, "m3", "web", {}), machine(1, "x1", "other", {service(80, 80)})};
  auto services = flycast_services(view);
  ASSERT_EQ(services.size(), 4u);
  EXPECT_EQ(services[0].address, own.str());
  EXPECT_EQ(services[0].port, 80);
  EXPECT_EQ(services[0].app, "web");
  EXPECT_EQ(services[0].org, "acme");
  EXPECT_EQ(services[0].network_id, 1u);
  EXPECT_EQ(services[0].min_machines_running, 1);
  ASSERT_EQ(services[0].backends.size(), 2u);
  EXPECT_EQ(services[0].backends[0].machine_id, "m1");
  EXPECT_EQ(services[0].backends[0].internal_port, 8080);
  EXPECT_TRUE(services[0].backends[0].started);
  EXPECT_EQ(services[0].backends[1].machine_id, "m2");
  EXPECT_EQ(services[0].backends[1].internal_port, 8081);
  EXPECT_FALSE(services[0].backends[1].started);
  EXPECT_TRUE(services[0].backends[1].autostop);
  EXPECT_EQ(services[1].port, 443);
  ASSERT_EQ(services[1].backends.size(), 1u);
  // The address on beta's network: the same machines, beta's network.
  EXPECT_EQ(services[2].address, for_beta.str());
  EXPECT_EQ(services[2].network_id, 2u);
  EXPECT_EQ(services[2].org, "acme");

  auto on_beta = flycast_services_on(services, {2});
  ASSERT_EQ(on_beta.size(), 2u);
  EXPECT_EQ(on_beta[0].address, for_beta.str());
}

TEST(FlycastState, AnAddressWithoutServicesYieldsNothingYet) {
  NetworkView view;
  view.orgs = {{1, "acme"}};
  view.flycast = {{1, "web", core::flycast_address(1, 0)}};
  view.machines = {machine(1, "m1", "web", {})};
  EXPECT_TRUE(flycast_services(view).empty());
}

TEST(FlycastState, AProxyMayStartOnlyAMachineWhoseServiceAllowsIt) {
  NetworkView view;
  view.orgs = {{1, "acme"}};
  view.flycast = {{1, "web", core::flycast_address(1, 0)}};
  auto off = service(80, 8080);
  off.autostart = false;
  view.machines = {machine(1, "on", "web", {service(80, 8080)}), machine(1, "off", "web", {off})};
  auto services = flycast_services(view);
  EXPECT_TRUE(proxy_may_start(services, "web", "on"));
  EXPECT_FALSE(proxy_may_start(services, "web", "off"));
  EXPECT_FALSE(proxy_may_start(services, "other", "on"));
}

AutostopMachine loaded(std::string id, int active, std::uint64_t connections,
                       std::string region = "ams") {
  AutostopMachine m;
  m.id = std::move(id);
  m.region = std::move(region);
  m.started = true;
  m.autostop = true;
  m.active = active;
  m.connections = connections;
  return m;
}

TEST(Autostop, StopsOneExcessIdleMachinePerRegionAndPass) {
  AutostopApp app{"web", 0, {loaded("a", 0, 5), loaded("b", 0, 9), loaded("c", 3, 20)}};
  // Excess 3 - (0 + 1) = 2; b had no connection since the last pass, a had one.
  auto stops = plan_autostops({app}, {{"a", 4}, {"b", 9}, {"c", 10}});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].machine_id, "b");
  // Without a last pass, one with nothing open now.
  stops = plan_autostops({app}, {});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].machine_id, "a");
}

TEST(Autostop, MachinesOverTheirSoftLimitKeepTheOthersRunning) {
  auto busy = loaded("busy", 25, 100);
  AutostopApp app{"web", 0, {busy, loaded("spare", 0, 0)}};
  EXPECT_TRUE(plan_autostops({app}, {{"spare", 0}}).empty());  // excess 2 - (1 + 1) = 0
}

TEST(Autostop, ARegionsOnlyMachineStopsAfterAnIntervalWithoutConnections) {
  AutostopApp app{"web", 0, {loaded("only", 0, 7)}};
  EXPECT_TRUE(plan_autostops({app}, {}).empty());             // no interval behind it yet
  EXPECT_TRUE(plan_autostops({app}, {{"only", 6}}).empty());  // one connection meanwhile
  auto stops = plan_autostops({app}, {{"only", 7}});
  ASSERT_EQ(stops.size(), 1u);
  EXPECT_EQ(stops[0].machine_id, "only");
}

TEST(Autostop, NeverGoesBelowMinMachinesRunningNorTouchesMachinesWithoutAutostop) {
  AutostopApp app{"web", 2, {loaded("a", 0, 0), loaded("b", 0, 0), loaded("c", 0, 0, "fra")}};
  auto stops = plan_autostops({app}, {{"a", 0}, {"b", 0}, {"c", 0}});
  ASSERT_EQ(stops.size(), 1u);  // 3 started, 2 kept
  app.min_machines_running = 0;
  for (auto& m : app.machines) m.autostop = false;
  EXPECT_TRUE(plan_autostops({app}, {{"a", 0}, {"b", 0}, {"c", 0}}).empty());
}

}  // namespace
}  // namespace sixpn::server
