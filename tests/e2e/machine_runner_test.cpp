// MachineRunner for real: machines started, stopped, adopted and destroyed with runc, the
// detached shim (`sixpnd machine-shim`) and namespaces, in a namespace standing in for the
// host's (host_namespace_fixture.hpp). Needs root.
#include <signal.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "host/machine_runner.hpp"
#include "tests/e2e/host_namespace_fixture.hpp"

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::random_hex;

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

class MachineRunnerTest : public testing::InHostNamespace {
 protected:
  MachineRunnerTest() : InHostNamespace("s6mr") {}

  MachineSpec machine(const std::string& script) {
    MachineSpec spec;
    spec.id = random_hex(14);
    spec.app = "web";
    spec.region = "ams";
    spec.private_ip = core::machine_address(0x18, 0x0a7b007d, ++slot_);
    spec.cmd = {"/bin/sh", "-c", script};
    return spec;
  }

  // Waits up to 3 s for the machine's log to hold `text`.
  bool log_has(const std::string& id, const std::string& text) {
    for (int i = 0; i < 150; ++i) {
      if (slurp(runner_->log_path(id)).find(text) != std::string::npos) return true;
      std::this_thread::sleep_for(20ms);
    }
    return false;
  }

  std::uint64_t slot_ = 0;
};

const char* const kPolite =
    "trap 'echo stopping; exit 0' INT; echo up; while :; do sleep 0.1; done";

TEST_F(MachineRunnerTest, StartsAMachineTheHostReachesAndStopsItWithSigint) {
  auto spec = machine(kPolite);
  runner_->start(spec);
  auto status = runner_->status(spec.id);
  EXPECT_EQ(status.kind, MachineStatus::Kind::Running);
  EXPECT_GT(status.pid, 0);
  EXPECT_TRUE(log_has(spec.id, " stdout up\n"));
  EXPECT_EQ(net::run_command({"ping", "-6", "-c", "1", "-W", "3", spec.private_ip.str()}).exit_code,
            0)
      << "the host cannot reach the machine's address";
  status = runner_->stop(spec.id, SIGINT, 5s);
  EXPECT_EQ(status.kind, MachineStatus::Kind::Exited);
  EXPECT_EQ(status.exit_code, 0);
  EXPECT_TRUE(log_has(spec.id, " stdout stopping\n"));
}

TEST_F(MachineRunnerTest, AMachineThatIgnoresSigintIsKilledAfterTheTimeout) {
  auto spec = machine("trap '' INT; while :; do sleep 0.1; done");
  runner_->start(spec);
  auto begun = std::chrono::steady_clock::now();
  auto status = runner_->stop(spec.id, SIGINT, 500ms);
  EXPECT_GE(std::chrono::steady_clock::now() - begun, 500ms);
  EXPECT_EQ(status.kind, MachineStatus::Kind::Exited);
  EXPECT_EQ(status.exit_code, 128 + SIGKILL);
}

TEST_F(MachineRunnerTest, AStoppedMachineStartsAgainWithItsAddress) {
  auto spec = machine(kPolite);
  runner_->start(spec);
  runner_->stop(spec.id, SIGINT, 5s);
  runner_->start(spec);
  EXPECT_EQ(runner_->status(spec.id).kind, MachineStatus::Kind::Running);
  EXPECT_EQ(net::run_command({"ping", "-6", "-c", "1", "-W", "3", spec.private_ip.str()}).exit_code,
            0);
}

TEST_F(MachineRunnerTest, ARunnerStartedLaterAdoptsTheRunningMachineUntouched) {
  auto spec = machine(kPolite);
  runner_->start(spec);
  const int pid = runner_->status(spec.id).pid;
  runner_.emplace(
      RunnerOptions{(work_ / "state").string(), tag_ + "-", {SIXPND_PATH, "machine-shim"}});
  EXPECT_EQ(runner_->machines(), std::vector<std::string>{spec.id});
  auto status = runner_->status(spec.id);
  EXPECT_EQ(status.kind, MachineStatus::Kind::Running);
  EXPECT_EQ(status.pid, pid);
}

TEST_F(MachineRunnerTest, AMachineWhoseCommandDoesNotExistEndsWithAnErrorInItsLog) {
  auto spec = machine("");
  spec.cmd = {"/no/such/program"};
  runner_->start(spec);
  for (int i = 0; i < 150 && runner_->status(spec.id).kind != MachineStatus::Kind::Exited; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  auto status = runner_->status(spec.id);
  EXPECT_EQ(status.kind, MachineStatus::Kind::Exited);
  EXPECT_NE(status.exit_code, 0);
  EXPECT_TRUE(log_has(spec.id, "/no/such/program"));
}

TEST_F(MachineRunnerTest, DestroyRemovesTheContainerTheNamespaceAndTheDirectory) {
  auto spec = machine(kPolite);
  runner_->start(spec);
  runner_->destroy(spec.id);
  EXPECT_EQ(runner_->status(spec.id).kind, MachineStatus::Kind::Absent);
  EXPECT_FALSE(fs::exists("/var/run/netns/" + runner_->link(spec.id, spec.private_ip).netns));
  EXPECT_FALSE(fs::exists(runner_->machine_dir(spec.id)));
  EXPECT_TRUE(runner_->machines().empty());
}

TEST_F(MachineRunnerTest, StatusesSayOfEveryMachineWhatStatusSays) {
  auto running = machine(kPolite);
  auto ended = machine("exit 3");
  runner_->start(running);
  runner_->start(ended);
  for (int i = 0; i < 150 && runner_->status(ended.id).kind != MachineStatus::Kind::Exited; ++i) {
    std::this_thread::sleep_for(20ms);
  }
  auto all = runner_->statuses();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[running.id].kind, MachineStatus::Kind::Running);
  EXPECT_EQ(all[running.id].pid, runner_->status(running.id).pid);
  EXPECT_NE(all[running.id].pid, 0);
  EXPECT_EQ(all[ended.id].kind, MachineStatus::Kind::Exited);
  EXPECT_EQ(all[ended.id].exit_code, 3);
  runner_->destroy(running.id);
  EXPECT_EQ(runner_->statuses().count(running.id), 0u);
}

TEST(ParseRuncList, ReadsEveryContainerAndNullAsNone) {
  auto list = parse_runc_list(
      R"([{"ociVersion":"1.0.2-dev","id":"a","pid":11,"status":"running","bundle":"/b"},)"
      R"({"id":"b","pid":0,"status":"stopped"},{"pid":5,"status":"running"}])");
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 2u);  // the entry without an id is no container of ours
  EXPECT_EQ(list->at("a").pid, 11);
  EXPECT_EQ(list->at("a").status, "running");
  EXPECT_EQ(list->at("b").status, "stopped");
  auto none = parse_runc_list("null\n");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(parse_runc_list("open /run/runc: permission denied"));
  EXPECT_FALSE(parse_runc_list(R"({"id":"a","status":"running"})"));
}

TEST(ParseRuncState, ReadsStatusAndPid) {
  auto state = parse_runc_state(R"({"ociVersion":"1.0.2","id":"x","pid":4242,"status":"running"})");
  ASSERT_TRUE(state);
  EXPECT_EQ(state->status, "running");
  EXPECT_EQ(state->pid, 4242);
  EXPECT_FALSE(parse_runc_state("container does not exist"));
  EXPECT_FALSE(parse_runc_state(R"({"pid":1})"));
}

}  // namespace
}  // namespace sixpn::host
