// config.services[]: Fly's shape in, the same shape out, Fly's defaults, and one sentence for
// each service the proxy could not serve.
#include <gtest/gtest.h>

#include "api/host_types.hpp"
#include "api/machine_config.hpp"

namespace sixpn::api {
namespace {

MachineConfig parse(const char* text) {
  return Json::parse(text).get<MachineConfig>();
}

std::string problem_of(const char* services) {
  return machine_config_problem(parse((std::string(R"({"services": )") + services + "}").c_str()));
}

TEST(MachineService, DefaultsAreFlysWhenOnlyPortsAreGiven) {
  auto c = parse(R"({"services": [{"internal_port": 5432, "ports": [{"port": 5432}]}]})");
  ASSERT_EQ(c.services.size(), 1U);
  const auto& s = c.services[0];
  EXPECT_EQ(s.protocol, "tcp");
  EXPECT_EQ(s.internal_port, 5432);
  EXPECT_TRUE(s.autostart);
  EXPECT_EQ(s.autostop, "off");
  EXPECT_EQ(s.min_machines_running, 0);
  EXPECT_EQ(s.concurrency.type, "connections");
  EXPECT_EQ(s.concurrency.soft_limit, 20);
  EXPECT_EQ(s.concurrency.hard_limit, 25);
  EXPECT_EQ(machine_config_problem(c), "");
}

TEST(MachineService, NoServicesIsAnEmptyListAndIsNotWritten) {
  auto c = parse("{}");
  EXPECT_TRUE(c.services.empty());
  EXPECT_FALSE(Json(c).contains("services"));
}

TEST(MachineService, RoundTripsEveryField) {
  auto c = parse(R"({"services": [{"protocol": "tcp", "internal_port": 8080,
    "ports": [{"port": 80}, {"port": 8080}], "autostart": false, "autostop": "stop",
    "min_machines_running": 2,
    "concurrency": {"type": "connections", "soft_limit": 5, "hard_limit": 9}}]})");
  Json j = c;
  EXPECT_EQ(j["services"][0]["ports"][1]["port"], 8080);
  EXPECT_EQ(j["services"][0]["autostop"], "stop");
  EXPECT_EQ(j["services"][0]["concurrency"]["hard_limit"], 9);
  auto back = j.get<MachineConfig>();
  EXPECT_EQ(back.services, c.services);
  EXPECT_FALSE(back.services[0].autostart);
  EXPECT_EQ(back.services[0].min_machines_running, 2);
}

TEST(MachineService, AutostopTakesFlysOldBooleans) {
  auto on = parse(R"({"services": [{"internal_port": 1, "ports": [{"port": 1}], "autostop": true}]})");
  auto off = parse(R"({"services": [{"internal_port": 1, "ports": [{"port": 1}], "autostop": false}]})");
  EXPECT_EQ(on.services[0].autostop, "stop");
  EXPECT_EQ(off.services[0].autostop, "off");
  EXPECT_THROW(parse(R"({"services": [{"internal_port": 1, "autostop": 3}]})"), ShapeError);
}

TEST(MachineService, MalformedShapesAreShapeErrors) {
  EXPECT_THROW(parse(R"({"services": {}})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [7]})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [{"internal_port": "80"}]})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [{"internal_port": 1.5}]})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [{"internal_port": 99999999999}]})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [{"ports": [80]}]})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [{"autostart": "yes"}]})"), ShapeError);
  EXPECT_THROW(parse(R"({"services": [{"concurrency": []}]})"), ShapeError);
}

TEST(MachineService, EachProblemIsOneSentenceNamingTheField) {
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 0}]}])"),
            "config.services[0].ports[0].port must be from 1 to 65535, not 0");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 65536}]}])"),
            "config.services[0].ports[0].port must be from 1 to 65535, not 65536");
  EXPECT_EQ(problem_of(R"([{"internal_port": -1, "ports": [{"port": 80}]}])"),
            "config.services[0].internal_port must be from 1 to 65535, not -1");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80}]},
                           {"internal_port": 81, "ports": [{"port": 80}]}])"),
            "port 80 is in config.services[0] and config.services[1]");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80}, {"port": 80}]}])"),
            "port 80 is in config.services[0] twice");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80}],
                            "concurrency": {"soft_limit": 30, "hard_limit": 10}}])"),
            "config.services[0].concurrency.soft_limit (30) must not be over hard_limit (10)");
  EXPECT_EQ(problem_of(R"([{"protocol": "udp", "internal_port": 53, "ports": [{"port": 53}]}])"),
            "config.services[0].protocol must be tcp, not \"udp\"");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80}], "autostop": "suspend"}])"),
            "config.services[0].autostop must be off or stop, not \"suspend\"");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80}],
                            "concurrency": {"type": "requests"}}])"),
            "config.services[0].concurrency.type must be connections, not \"requests\"");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": []}])"),
            "config.services[0].ports must list at least one port");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80, "force_https": true}]}])"),
            "config.services[0].ports[0].force_https is refused: Flycast is private HTTP/TCP "
            "only; force_https needs the public edge");
  EXPECT_EQ(problem_of(R"([{"internal_port": 80, "ports": [{"port": 80}],
                            "min_machines_running": -1}])"),
            "config.services[0].min_machines_running must be from 0 to 1000");
}

TEST(MachineService, SummaryShowsEachPortToItsInternalPort) {
  auto c = parse(R"({"services": [{"internal_port": 5432, "ports": [{"port": 5432}]},
    {"internal_port": 8080, "ports": [{"port": 80}, {"port": 81}]}]})");
  EXPECT_EQ(services_summary(c.services),
            "5432\u21925432/tcp, 80\u21928080/tcp, 81\u21928080/tcp");
  EXPECT_EQ(services_summary({}), "");
}

TEST(MachineService, HostMachineCarriesTheServicesInItsConfig) {
  HostMachine m;
  m.id = "m1";
  m.config = parse(R"({"services": [{"internal_port": 5432, "ports": [{"port": 5432}],
    "autostop": "stop"}]})");
  auto back = Json(m).get<HostMachine>();
  EXPECT_EQ(back.config.services, m.config.services);
}

}  // namespace
}  // namespace sixpn::api
