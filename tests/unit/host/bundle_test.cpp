#include "host/bundle.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include <nlohmann/json.hpp>

namespace sixpn::host {
namespace {

using nlohmann::json;

MachineSpec web_machine() {
  MachineSpec spec;
  spec.id = "3d8d9e1b2c4a70";
  spec.app = "web";
  spec.region = "ams";
  spec.private_ip = *core::Ipv6::parse("fdaa:0:18:a7b:7d:f066:b83b:2");
  spec.cmd = {"python3", "-m", "http.server", "8080"};
  spec.env = {{"GREETING", "hi"}};
  return spec;
}

BundleLayout layout() {
  return {"/var/lib/sixpnd-host/machines/3d8d9e1b2c4a70",
          "/var/run/netns/sixpn-3d8d9e1b2c4a70",
          {"/usr", "/bin", "/lib", "/etc"}};
}

json config_of(const MachineSpec& spec) {
  return json::parse(plan_bundle(spec, layout()).config_json);
}

std::vector<std::string> destinations(const json& config) {
  std::vector<std::string> out;
  for (const auto& m : config["mounts"]) out.push_back(m["destination"]);
  return out;
}

TEST(MachineEnvironment, HoldsEveryFlyVariableBesideConfigEnvSortedByName) {
  EXPECT_EQ(machine_environment(web_machine()),
            (std::vector<std::string>{
                "FLY_ALLOC_ID=3d8d9e1b2c4a70", "FLY_APP_NAME=web", "FLY_MACHINE_ID=3d8d9e1b2c4a70",
                "FLY_PRIVATE_IP=fdaa:0:18:a7b:7d:f066:b83b:2", "FLY_PROCESS_GROUP=app",
                "FLY_REGION=ams", "GREETING=hi", "HOME=/root",
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}));
}

TEST(MachineEnvironment, ThePlatformsNamesWinOverConfigEnvButPathCanBeSet) {
  auto spec = web_machine();
  spec.env = {{"FLY_REGION", "nowhere"}, {"PATH", "/opt/bin"}};
  auto env = machine_environment(spec);
  EXPECT_NE(std::find(env.begin(), env.end(), "FLY_REGION=ams"), env.end());
  EXPECT_EQ(std::find(env.begin(), env.end(), "FLY_REGION=nowhere"), env.end());
  EXPECT_NE(std::find(env.begin(), env.end(), "PATH=/opt/bin"), env.end());
}

TEST(PlanBundle, MachineFilesNameTheMachineAndFdaa3) {
  auto files = plan_bundle(web_machine(), layout());
  EXPECT_EQ(files.hosts,
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fdaa:0:18:a7b:7d:f066:b83b:2\tfly-local-6pn\n"
            "fdaa:0:18:a7b:7d:f066:b83b:2\t3d8d9e1b2c4a70\n");
  EXPECT_EQ(files.resolv_conf, "nameserver fdaa::3\n");
  EXPECT_EQ(files.hostname, "3d8d9e1b2c4a70\n");
}

TEST(PlanBundle, RunsTheCommandInItsOwnNamespacesAndThePreparedNetwork) {
  auto config = config_of(web_machine());
  EXPECT_EQ(config["process"]["args"], json({"python3", "-m", "http.server", "8080"}));
  EXPECT_EQ(config["hostname"], "3d8d9e1b2c4a70");
  EXPECT_EQ(config["linux"]["namespaces"],
            json::parse(R"([{"type":"pid"},{"type":"ipc"},{"type":"uts"},{"type":"mount"},
                {"type":"network","path":"/var/run/netns/sixpn-3d8d9e1b2c4a70"}])"));
  EXPECT_EQ(config["process"]["noNewPrivileges"], true);
  EXPECT_EQ(config["process"]["capabilities"]["bounding"].size(), 14u);
  EXPECT_EQ(config["process"]["capabilities"]["effective"],
            config["process"]["capabilities"]["bounding"]);
}

TEST(PlanBundle, HostImageBindsTheHostsDirectoriesReadOnlyOverAnEmptyRoot) {
  auto files = plan_bundle(web_machine(), layout());
  auto config = json::parse(files.config_json);
  EXPECT_EQ(config["root"], json({{"path", layout().bundle_dir + "/rootfs"}, {"readonly", true}}));
  EXPECT_EQ(destinations(config),
            (std::vector<std::string>{"/proc", "/dev", "/dev/pts", "/dev/shm", "/dev/mqueue",
                                      "/sys", "/usr", "/bin", "/lib", "/etc", "/tmp", "/run",
                                      "/etc/hosts", "/etc/resolv.conf", "/etc/hostname"}));
  for (const auto& m : config["mounts"]) {
    if (m["type"] == "bind") {
      auto options = m["options"].get<std::vector<std::string>>();
      EXPECT_NE(std::find(options.begin(), options.end(), "ro"), options.end()) << m.dump();
    }
  }
  EXPECT_EQ(config["mounts"][12]["source"], layout().bundle_dir + "/etc/hosts");
  EXPECT_EQ(files.rootfs_dirs, (std::vector<std::string>{"/usr", "/bin", "/lib", "/etc", "/proc",
                                                         "/dev", "/sys", "/tmp", "/run"}));
}

TEST(PlanBundle, NeverMountsTheCgroupFileSystem) {
  for (const auto& d : destinations(config_of(web_machine()))) EXPECT_NE(d, "/sys/fs/cgroup");
}

TEST(PlanBundle, RootfsImageIsTheRootAndBindsNothingOfTheHost) {
  auto spec = web_machine();
  spec.rootfs = "/var/lib/images/busybox";
  auto files = plan_bundle(spec, layout());
  auto config = json::parse(files.config_json);
  EXPECT_EQ(config["root"], json({{"path", "/var/lib/images/busybox"}, {"readonly", true}}));
  auto dests = destinations(config);
  EXPECT_EQ(std::count(dests.begin(), dests.end(), "/usr"), 0);
  EXPECT_TRUE(files.rootfs_dirs.empty());
}

TEST(PlanBundle, GuestLimitsBecomeCgroupResourcesAndAreAbsentOtherwise) {
  EXPECT_EQ(config_of(web_machine())["linux"]["resources"], json::object());
  auto spec = web_machine();
  spec.guest.cpus = 0.5;
  spec.guest.memory_mb = 256;
  EXPECT_EQ(config_of(spec)["linux"]["resources"],
            json::parse(R"({"cpu":{"period":100000,"quota":50000},"memory":{"limit":268435456}})"));
}

TEST(SpecProblem, AcceptsARunnableSpec) {
  EXPECT_EQ(spec_problem(web_machine()), "");
}

TEST(SpecProblem, NamesWhatIsWrong) {
  struct Case {
    void (*mutate)(MachineSpec&);
    const char* expected;
  };
  const Case cases[] = {
      {[](MachineSpec& s) { s.id = "3D8D9E1B2C4A70"; },
       "machine id \"3D8D9E1B2C4A70\" is not 14 lower-case hex digits"},
      {[](MachineSpec& s) { s.cmd.clear(); }, "machine 3d8d9e1b2c4a70 has no command"},
      {[](MachineSpec& s) {
         s.env = {{"1X", "v"}};
       },
       "environment name \"1X\" is not [A-Za-z_][A-Za-z0-9_]*"},
      {[](MachineSpec& s) {
         s.env = {{"A=B", "v"}};
       },
       "environment name \"A=B\" is not [A-Za-z_][A-Za-z0-9_]*"},
      {[](MachineSpec& s) { s.rootfs = "images/busybox"; },
       "image \"images/busybox\" is neither \"host\" nor an absolute path without \"..\""},
      {[](MachineSpec& s) { s.rootfs = "/srv/../etc"; },
       "image \"/srv/../etc\" is neither \"host\" nor an absolute path without \"..\""},
      {[](MachineSpec& s) { s.private_ip = *core::Ipv6::parse("fd00::2"); },
       "machine 3d8d9e1b2c4a70 has no 6PN address (fd00::2)"},
      {[](MachineSpec& s) { s.guest.cpus = 0; }, "guest.cpus must be between 0.01 and 1024"},
      {[](MachineSpec& s) { s.guest.memory_mb = 4; },
       "guest.memory_mb must be between 8 and 16777216"},
  };
  for (const auto& c : cases) {
    auto spec = web_machine();
    c.mutate(spec);
    EXPECT_EQ(spec_problem(spec), c.expected);
  }
}

}  // namespace
}  // namespace sixpn::host
