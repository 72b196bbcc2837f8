#include "host/agent_plan.hpp"

#include <csignal>

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

using Kind = MachineAction::Kind;
using Status = MachineStatus::Kind;
using namespace std::chrono_literals;

api::HostMachine machine(const std::string& desired, std::uint64_t generation,
                         const std::string& id = "0123456789abcd") {
  api::HostMachine m;
  m.id = id;
  m.app = "web";
  m.org = "acme";
  m.network_id = 0x18;
  m.region = "ams";
  m.process_group = "app";
  m.private_ip = "fdaa:0:18:a7b:d6b:0:a:2";
  m.desired = desired;
  m.generation = generation;
  m.config.init_cmd = {"/bin/sh", "-c", "echo hi"};
  return m;
}

ObservedMachine seen(Status kind, std::optional<MachineRecord> record, int exit_code = 0) {
  ObservedMachine out;
  out.status.kind = kind;
  out.status.exit_code = exit_code;
  out.status.pid = kind == Status::Running ? 4242 : 0;
  out.record = std::move(record);
  return out;
}

std::vector<MachineAction> plan(const std::vector<api::HostMachine>& desired,
                                const std::map<std::string, ObservedMachine>& observed,
                                bool fetched = true, const std::set<std::string>& said = {}) {
  return plan_machines(desired, fetched, observed, said);
}

TEST(PlanMachines, StartsANewMachineFromItsConfig) {
  auto m = machine("started", 1);
  m.config.env = {{"GREETING", "hi"}};
  auto actions = plan({m}, {});
  ASSERT_EQ(actions.size(), 1u);
  const auto& start = actions[0];
  EXPECT_EQ(start.kind, Kind::Start);
  EXPECT_EQ(start.generation, 1u);
  EXPECT_FALSE(start.replace);
  EXPECT_EQ(start.spec.cmd, (std::vector<std::string>{"/bin/sh", "-c", "echo hi"}));
  EXPECT_EQ(start.spec.env.at("GREETING"), "hi");
  EXPECT_EQ(start.spec.private_ip.str(), "fdaa:0:18:a7b:d6b:0:a:2");
  EXPECT_EQ(start.spec.rootfs, "");
}

TEST(PlanMachines, AMachineRunningAtItsGenerationNeedsNothingOnceReported) {
  auto m = machine("started", 3);
  EXPECT_TRUE(
      plan({m}, {{m.id, seen(Status::Running, MachineRecord{3, "started", "started"})}}).empty());
  auto actions =
      plan({m}, {{m.id, seen(Status::Running, MachineRecord{3, "started", "starting"})}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Report);
  EXPECT_EQ(actions[0].report.state, "started");
}

TEST(PlanMachines, AdoptsARunningMachineWithoutARecord) {
  auto m = machine("started", 2);
  auto actions = plan({m}, {{m.id, seen(Status::Running, std::nullopt)}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Report);
  EXPECT_EQ(actions[0].report.state, "started");
  EXPECT_EQ(actions[0].report.generation, 2u);
}

TEST(PlanMachines, ANewerGenerationOfARunningMachineReplacesIt) {
  auto m = machine("started", 5);
  m.config.stop_config = {"SIGTERM", 7};
  auto actions = plan({m}, {{m.id, seen(Status::Running, MachineRecord{4, "started", "started"})}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Start);
  EXPECT_TRUE(actions[0].replace);
  EXPECT_EQ(actions[0].signal, SIGTERM);
  EXPECT_EQ(actions[0].timeout, 7s);
}

TEST(PlanMachines, AMachineThatEndedOnItsOwnGoesToSupervision) {
  auto m = machine("started", 3);
  m.config.restart = {"always", 0};
  auto actions =
      plan({m}, {{m.id, seen(Status::Exited, MachineRecord{3, "started", "started"}, 2)}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Ended);
  EXPECT_EQ(actions[0].exit_code, 2);
  EXPECT_EQ(actions[0].restart.policy, "always");
  // Once supervision has said stopped or failed, that is the end of it.
  EXPECT_TRUE(
      plan({m}, {{m.id, seen(Status::Exited, MachineRecord{3, "started", "stopped"}, 2)}}).empty());
  EXPECT_TRUE(
      plan({m}, {{m.id, seen(Status::Exited, MachineRecord{3, "started", "failed"}, 2)}}).empty());
}

TEST(PlanMachines, AStartAfterAStopIsANewStart) {
  auto m = machine("started", 4);
  auto actions =
      plan({m}, {{m.id, seen(Status::Exited, MachineRecord{3, "stopped", "stopped"}, 0)}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Start);
  EXPECT_FALSE(actions[0].replace);
}

TEST(PlanMachines, AMachineThatVanishedIsStartedAgainUnlessItCouldNeverStart) {
  auto m = machine("started", 3);
  auto actions = plan({m}, {{m.id, seen(Status::Absent, MachineRecord{3, "started", "started"})}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Start);
  EXPECT_TRUE(
      plan({m}, {{m.id, seen(Status::Absent, MachineRecord{3, "started", "failed"})}}).empty());
}

TEST(PlanMachines, AnImageWithoutInitCmdStartsWithTheCommandLeftToTheImage) {
  auto m = machine("started", 1);
  m.config.image = "/srv/images/web:v2";
  m.config.init_cmd.clear();
  auto actions = plan({m}, {});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Start);
  EXPECT_TRUE(actions[0].spec.cmd.empty());
  EXPECT_EQ(actions[0].spec.rootfs, "/srv/images/web:v2");
}

TEST(PlanMachines, AConfigThatCannotRunIsReportedFailedOnce) {
  auto m = machine("started", 1);
  m.config.restart.policy = "sometimes";
  auto actions = plan({m}, {});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Report);
  EXPECT_EQ(actions[0].report.state, "failed");
  EXPECT_EQ(actions[0].report.message,
            "config.restart.policy must be no, always or on-failure, not \"sometimes\"");
  EXPECT_TRUE(
      plan({m}, {{m.id, seen(Status::Absent, MachineRecord{1, "started", "failed"})}}).empty());
}

TEST(PlanMachines, StopsARunningMachineWithItsStopConfig) {
  auto m = machine("stopped", 6);
  m.config.stop_config = {"SIGQUIT", 3};
  auto actions = plan({m}, {{m.id, seen(Status::Running, MachineRecord{5, "started", "started"})}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Stop);
  EXPECT_EQ(actions[0].signal, SIGQUIT);
  EXPECT_EQ(actions[0].timeout, 3s);
}

TEST(PlanMachines, AMachineAlreadyEndedIsReportedStoppedWithItsCodeOnce) {
  auto m = machine("stopped", 6);
  auto actions =
      plan({m}, {{m.id, seen(Status::Exited, MachineRecord{5, "started", "started"}, 137)}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].report.state, "stopped");
  EXPECT_EQ(actions[0].report.exit_code, 137);
  EXPECT_EQ(actions[0].desired, "stopped");
  EXPECT_TRUE(plan({m}, {{m.id, seen(Status::Exited, MachineRecord{6, "stopped", "stopped"}, 137)}})
                  .empty());
}

TEST(PlanMachines, DestroysAndReportsItOnceTheMachineIsGone) {
  auto m = machine("destroyed", 7);
  auto actions = plan({m}, {{m.id, seen(Status::Running, MachineRecord{6, "started", "started"})}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Destroy);
  EXPECT_TRUE(actions[0].report_destroyed);
  // Not on disk: still listed until the control plane hears "destroyed"; said once.
  actions = plan({m}, {});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].report.state, "destroyed");
  EXPECT_TRUE(plan({m}, {}, true, {m.id}).empty());
}

TEST(PlanMachines, MachinesNoLongerListedAreDestroyedOnlyAfterAFetch) {
  auto listed = machine("started", 1, "00000000000001");
  std::map<std::string, ObservedMachine> observed = {
      {listed.id, seen(Status::Running, MachineRecord{1, "started", "started"})},
      {"00000000000002", seen(Status::Running, MachineRecord{4, "started", "started"})}};
  auto actions = plan({listed}, observed, true);
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Destroy);
  EXPECT_EQ(actions[0].id, "00000000000002");
  EXPECT_FALSE(actions[0].report_destroyed);
  EXPECT_TRUE(plan({listed}, observed, false).empty());
  EXPECT_TRUE(plan({}, observed, false).empty());
}

TEST(MachineSpecOf, TheHostImageWithoutACommandSleeps) {
  auto m = machine("started", 1);
  m.config.init_cmd.clear();
  auto made = machine_spec_of(m);
  EXPECT_EQ(made.problem, "");
  EXPECT_EQ(made.spec.cmd, (std::vector<std::string>{"sleep", "infinity"}));
}

TEST(MachineSpecOf, NamesWhatIsWrong) {
  auto m = machine("started", 1);
  m.private_ip = "not-an-address";
  EXPECT_EQ(machine_spec_of(m).problem, "its address \"not-an-address\" is not an IPv6 address");
  m = machine("started", 1);
  m.config.restart.policy = "sometimes";
  EXPECT_NE(machine_spec_of(m).problem, "");
  m = machine("started", 1);
  m.config.image = "/srv/rootfs";
  auto made = machine_spec_of(m);
  EXPECT_EQ(made.problem, "");
  EXPECT_EQ(made.spec.rootfs, "/srv/rootfs");
}

TEST(DecideAfterExit, NoNeverRestarts) {
  auto d = decide_after_exit({"no", 0}, 1, 0, 1s);
  EXPECT_EQ(d.kind, ExitDecision::Kind::Stopped);
}

TEST(DecideAfterExit, OnFailureRestartsOnlyNonZeroCodes) {
  EXPECT_EQ(decide_after_exit({"on-failure", 3}, 0, 0, 1s).kind, ExitDecision::Kind::Stopped);
  auto d = decide_after_exit({"on-failure", 3}, 1, 0, 1s);
  EXPECT_EQ(d.kind, ExitDecision::Kind::Restart);
  EXPECT_EQ(d.delay, 1s);
  EXPECT_EQ(d.restarts, 1);
}

TEST(DecideAfterExit, TheDelayDoublesToThirtySeconds) {
  std::vector<std::chrono::milliseconds> delays;
  int restarts = 0;
  for (int i = 0; i < 8; ++i) {
    auto d = decide_after_exit({"always", 0}, 0, restarts, 2s);
    ASSERT_EQ(d.kind, ExitDecision::Kind::Restart);
    delays.push_back(d.delay);
    restarts = d.restarts;
  }
  EXPECT_EQ(delays, (std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 16s, 30s, 30s, 30s}));
}

TEST(DecideAfterExit, OnFailureGivesUpAfterMaxRetries) {
  auto d = decide_after_exit({"on-failure", 2}, 3, 2, 1s);
  EXPECT_EQ(d.kind, ExitDecision::Kind::GaveUp);
  EXPECT_EQ(d.message, "it exited with code 3 after 2 restarts, and its restart policy allows 2");
  EXPECT_EQ(decide_after_exit({"on-failure", 0}, 3, 0, 1s).kind, ExitDecision::Kind::GaveUp);
}

TEST(DecideAfterExit, ALongRunStartsTheCountAfresh) {
  auto d = decide_after_exit({"on-failure", 2}, 3, 2, 60s);
  EXPECT_EQ(d.kind, ExitDecision::Kind::Restart);
  EXPECT_EQ(d.restarts, 1);
  EXPECT_EQ(d.delay, 1s);
  EXPECT_EQ(decide_after_exit({"always", 0}, 0, 9, 59s).delay, 30s);
}

TEST(PlanMachines, AStopRequestsSignalAndTimeoutWinOverTheConfigs) {
  auto m = machine("stopped", 6);
  m.config.stop_config = {"SIGINT", 60};
  m.stop = api::StopConfig{"SIGTERM", 0};
  auto actions = plan({m}, {{m.id, seen(Status::Running, MachineRecord{5, "started", "started"})}});
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(actions[0].kind, Kind::Stop);
  EXPECT_EQ(actions[0].signal, SIGTERM);
  EXPECT_EQ(actions[0].timeout, 0s);
}

}  // namespace
}  // namespace sixpn::host
