// The machine config and host protocol documents: Fly's shapes in, the same shapes out, and a
// clear sentence for anything malformed.
#include <gtest/gtest.h>

#include "api/host_types.hpp"
#include "api/machine_config.hpp"

namespace sixpn::api {
namespace {

MachineConfig parse(const char* text) {
  return Json::parse(text).get<MachineConfig>();
}

TEST(MachineConfig, DefaultsAreFlysWhenNothingIsGiven) {
  auto c = parse("{}");
  EXPECT_EQ(c.image, "host");
  EXPECT_TRUE(c.init_cmd.empty());
  EXPECT_EQ(c.restart.policy, "on-failure");
  EXPECT_EQ(c.restart.max_retries, 10);
  EXPECT_EQ(c.stop_config.signal, "SIGINT");
  EXPECT_EQ(c.stop_config.timeout_seconds, 5);
  EXPECT_EQ(machine_config_problem(c), "");
}

TEST(MachineConfig, ReadsFlysMachineCreateConfig) {
  auto c = parse(R"({"image": "/srv/rootfs", "init": {"cmd": ["python3", "-m", "http.server"]},
    "env": {"GREETING": "hi"}, "metadata": {"role": "primary"},
    "restart": {"policy": "always"}, "stop_config": {"signal": "SIGTERM", "timeout": "2m"},
    "guest": {"cpus": 1, "memory_mb": 256}})");
  EXPECT_EQ(c.image, "/srv/rootfs");
  EXPECT_EQ(c.init_cmd, (std::vector<std::string>{"python3", "-m", "http.server"}));
  EXPECT_EQ(c.env.at("GREETING"), "hi");
  EXPECT_EQ(c.metadata.at("role"), "primary");
  EXPECT_EQ(c.restart.policy, "always");
  EXPECT_EQ(c.stop_config.signal, "SIGTERM");
  EXPECT_EQ(c.stop_config.timeout_seconds, 120);
  EXPECT_EQ(*c.guest.cpus, 1.0);
  EXPECT_EQ(*c.guest.memory_mb, 256);
  EXPECT_EQ(machine_config_problem(c), "");
}

TEST(MachineConfig, TimeoutTakesSecondsMillisecondsAndPlainNumbers) {
  EXPECT_EQ(parse(R"({"stop_config": {"timeout": 7}})").stop_config.timeout_seconds, 7);
  EXPECT_EQ(parse(R"({"stop_config": {"timeout": "1500ms"}})").stop_config.timeout_seconds, 2);
  EXPECT_THROW(parse(R"({"stop_config": {"timeout": "soon"}})"), ShapeError);
  EXPECT_THROW(parse(R"({"stop_config": {"timeout": "5h"}})"), ShapeError);
}

TEST(MachineConfig, RoundTripsThroughJson) {
  auto c = parse(R"({"init": {"cmd": ["sleep", "9"]}, "restart": {"policy": "on-failure",
    "max_retries": 3}, "guest": {"memory_mb": 64}})");
  Json j = c;
  auto back = j.get<MachineConfig>();
  EXPECT_EQ(back.init_cmd, c.init_cmd);
  EXPECT_EQ(back.restart.max_retries, 3);
  EXPECT_EQ(*back.guest.memory_mb, 64);
  EXPECT_FALSE(back.guest.cpus);
  EXPECT_EQ(j["stop_config"]["timeout"], "5s");
}

TEST(MachineConfig, ProblemsNameTheField) {
  auto with = [](auto change) {
    MachineConfig c;
    change(c);
    return machine_config_problem(c);
  };
  EXPECT_EQ(with([](auto& c) { c.restart.policy = "sometimes"; }),
            "config.restart.policy must be no, always or on-failure, not \"sometimes\"");
  EXPECT_EQ(with([](auto& c) { c.image = "rootfs"; }),
            "config.image must be \"host\" or an absolute path on the host, not \"rootfs\"");
  EXPECT_EQ(with([](auto& c) { c.image = "/srv/../etc"; }), "config.image must not contain \"..\"");
  EXPECT_EQ(with([](auto& c) { c.env["FLY_REGION"] = "x"; }),
            "config.env must not set FLY_REGION: FLY_* variables are the platform's");
  EXPECT_EQ(with([](auto& c) { c.env["A=B"] = "x"; }),
            "config.env keys must be non-empty and contain no \"=\"");
  EXPECT_EQ(with([](auto& c) { c.stop_config.signal = "SIGSTOP"; }),
            "config.stop_config.signal must be one of SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, "
            "SIGUSR2, SIGKILL");
  EXPECT_EQ(with([](auto& c) { c.stop_config.timeout_seconds = 0; }),
            "config.stop_config.timeout must be from 1s to 3600s");
  EXPECT_EQ(with([](auto& c) { c.guest.memory_mb = 1; }),
            "config.guest.memory_mb must be from 16 to 1048576");
  EXPECT_EQ(with([](auto& c) { c.init_cmd = {""}; }),
            "config.init.cmd must start with a program name");
}

TEST(MachineConfig, WrongTypesAreShapeErrors) {
  EXPECT_THROW(parse(R"({"init": {"cmd": "python3"}})"), ShapeError);
  EXPECT_THROW(parse(R"({"env": {"A": 1}})"), ShapeError);
  EXPECT_THROW(parse(R"({"restart": []})"), ShapeError);
  EXPECT_THROW(parse("[]"), ShapeError);
}

TEST(HostProtocol, StateRoundTripsThroughJson) {
  HostState s;
  s.version = 42;
  s.host = Host{0x0c000001, "ams-1", "ams", "PUB", "10.0.0.2:51821", "live", 1, {}, "t"};
  HostMachine m;
  m.id = "0123456789abcd";
  m.app = "web";
  m.org = "acme";
  m.network_id = 7;
  m.region = "ams";
  m.process_group = "app";
  m.private_ip = "fdaa:0:7:c00:1:0:1:2";
  m.desired = "started";
  m.generation = 3;
  m.config.init_cmd = {"sleep", "60"};
  s.machines.push_back(m);
  s.mesh.push_back(
      MeshNode{"gateway", 0, "gateway", "ams", "GW", "10.0.0.1:51820", {"fdaa:0:7:a7b:200::/80"}});
  DnsOrg org{"acme", 7, {DnsApp{"web", {}, true}}, {}, {}};
  org.machines.push_back(DnsMachine{m.id, "web", "ams", "app", {}, m.private_ip, true});
  s.dns.push_back(org);
  s.regions.push_back(DnsRegion{"ams", 52.37, 4.9});

  Json j = s;
  auto back = Json::parse(j.dump()).get<HostState>();
  EXPECT_EQ(back.version, 42u);
  EXPECT_EQ(back.host.id, 0x0c000001u);
  ASSERT_EQ(back.machines.size(), 1u);
  EXPECT_EQ(back.machines[0].generation, 3u);
  EXPECT_EQ(back.machines[0].config.init_cmd, m.config.init_cmd);
  ASSERT_EQ(back.mesh.size(), 1u);
  EXPECT_EQ(back.mesh[0].allowed_ips, s.mesh[0].allowed_ips);
  ASSERT_EQ(back.dns.size(), 1u);
  EXPECT_TRUE(back.dns[0].machines.at(0).started);
  EXPECT_EQ(back.regions.at(0).code, "ams");
}

TEST(HostProtocol, ReportKeepsAnExitCodeOnlyWhenThereIsOne) {
  HostReport r;
  r.machines.push_back(MachineReport{"a", 1, "stopped", 137, ""});
  r.machines.push_back(MachineReport{"b", 2, "started", {}, ""});
  Json j = r;
  EXPECT_EQ(j["machines"][0]["exit_code"], 137);
  EXPECT_TRUE(j["machines"][1]["exit_code"].is_null());
  auto back = j.get<HostReport>();
  EXPECT_EQ(*back.machines[0].exit_code, 137);
  EXPECT_FALSE(back.machines[1].exit_code);
  EXPECT_THROW(Json::parse(R"({"machines": [{"id": "a"}]})").get<HostReport>(), ShapeError);
}

TEST(MachineStop, OnlyTheGivenFieldsOverrideTheConfig) {
  StopConfig config{"SIGINT", 30};
  EXPECT_EQ(stop_config_for(config, MachineStop{}).signal, "SIGINT");
  auto both = stop_config_for(config, MachineStop{"SIGTERM", 0});
  EXPECT_EQ(both.signal, "SIGTERM");
  EXPECT_EQ(both.timeout_seconds, 0);
  auto timeout_only = stop_config_for(config, MachineStop{std::nullopt, 7});
  EXPECT_EQ(timeout_only.signal, "SIGINT");
  EXPECT_EQ(timeout_only.timeout_seconds, 7);
}

TEST(MachineStop, RoundTripsInFlysShape) {
  MachineStop stop{"SIGTERM", 10};
  Json j = stop;
  EXPECT_EQ(j, Json::parse(R"({"signal":"SIGTERM","timeout":"10s"})"));
  EXPECT_EQ(j.get<MachineStop>(), stop);
  EXPECT_EQ(Json(MachineStop{}), Json::object());
  EXPECT_EQ(machine_stop_problem(MachineStop{"SIGKILL", 3600}), "");
  EXPECT_NE(machine_stop_problem(MachineStop{"TERM", std::nullopt}), "");
}

TEST(HostMachineJson, CarriesAStopOnlyWhenThereIsOne) {
  HostMachine m;
  m.id = "0123456789abcd";
  m.desired = "stopped";
  EXPECT_FALSE(Json(m).contains("stop"));
  m.stop = StopConfig{"SIGTERM", 0};
  auto back = Json(m).get<HostMachine>();
  ASSERT_TRUE(back.stop);
  EXPECT_EQ(back.stop->signal, "SIGTERM");
  EXPECT_EQ(back.stop->timeout_seconds, 0);
}

}  // namespace
}  // namespace sixpn::api
