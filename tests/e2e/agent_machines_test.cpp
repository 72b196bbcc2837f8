// MachineKeeper for real: the agent's convergence and supervision over MachineRunner, runc and
// the detached shim, with reports landing in a real outbox, in a namespace standing in for the
// host's (host_namespace_fixture.hpp). Needs root.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>

#include "host/agent_machines.hpp"
#include "host/machine_log.hpp"
#include "tests/e2e/host_namespace_fixture.hpp"

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

using testing::random_hex;

class AgentMachinesTest : public testing::InHostNamespace {
 protected:
  AgentMachinesTest() : InHostNamespace("s6am") {}

  void SetUp() override {
    InHostNamespace::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    outbox_.emplace((work_ / "reports.json").string());
    keeper_.emplace(*runner_, *outbox_, [](const std::string&) {});
  }

  api::HostMachine machine(const std::string& script, std::uint64_t generation = 1) {
    api::HostMachine m;
    m.id = random_hex(14);
    m.app = "web";
    m.region = "ams";
    m.process_group = "app";
    m.private_ip = core::machine_address(0x18, 0x0a7b007d, ++slot_).str();
    m.desired = "started";
    m.generation = generation;
    m.config.init_cmd = {"/bin/sh", "-c", script};
    return m;
  }

  // "state" of every report about `id`, in order.
  std::vector<std::string> said(const std::string& id) {
    std::vector<std::string> out;
    for (const auto& r : outbox_->pending()) {
      if (r.id == id) out.push_back(r.state);
    }
    return out;
  }

  // Ticks, as the agent does between passes, until `done` or about 20 s.
  template <class Done>
  bool tick_until(const std::vector<api::HostMachine>& desired, Done done) {
    for (int i = 0; i < 100 && !done(); ++i) {
      keeper_->tick(desired);
      std::this_thread::sleep_for(200ms);
    }
    return done();
  }

  std::optional<ReportOutbox> outbox_;
  std::optional<MachineKeeper> keeper_;
  std::uint64_t slot_ = 0;
};

const char* const kPolite = "trap 'exit 0' INT; while :; do sleep 0.1; done";

TEST_F(AgentMachinesTest, StartsWhatIsDesiredAndAKeeperStartedLaterAdoptsIt) {
  auto m = machine(kPolite);
  keeper_->converge({m}, true);
  EXPECT_EQ(said(m.id), (std::vector<std::string>{"starting", "started"}));
  const int pid = runner_->status(m.id).pid;
  ASSERT_GT(pid, 0);

  MachineKeeper later(*runner_, *outbox_, [](const std::string&) {});
  later.converge({m}, true);
  EXPECT_EQ(said(m.id).size(), 2u) << "an adopted machine is not reported again";
  EXPECT_EQ(runner_->status(m.id).pid, pid);
}

TEST_F(AgentMachinesTest, StopsWithItsStopConfigAndReportsTheCode) {
  auto m = machine(kPolite);
  keeper_->converge({m}, true);
  m.desired = "stopped";
  m.generation = 2;
  keeper_->converge({m}, true);
  auto pending = outbox_->pending();
  ASSERT_FALSE(pending.empty());
  EXPECT_EQ(pending.back().state, "stopped");
  EXPECT_EQ(pending.back().generation, 2u);
  EXPECT_EQ(pending.back().exit_code, 0);
  EXPECT_EQ(runner_->status(m.id).kind, MachineStatus::Kind::Exited);
}

// Milliseconds since midnight of a log record's "…THH:MM:SS.mmmZ" stamp (the test runs briefly).
long stamp_millis(const std::string& stamp) {
  auto t = stamp.find('T');
  return ((std::stol(stamp.substr(t + 1, 2)) * 60 + std::stol(stamp.substr(t + 4, 2))) * 60 +
          std::stol(stamp.substr(t + 7, 2))) * 1000 + std::stol(stamp.substr(t + 10, 3));
}

TEST_F(AgentMachinesTest, MachinesThatIgnoreTheirSignalAreStoppedTogetherNotInTurn) {
  // Each says when it got SIGINT and carries on, so only SIGKILL after its 3 s ends it. In
  // turn, the second would get its SIGINT only after the first's 3 s ran out.
  const char* const stubborn = "trap 'echo got INT' INT; echo ready; while :; do sleep 0.1; done";
  auto a = machine(stubborn);
  auto b = machine(stubborn);
  for (auto* m : {&a, &b}) m->config.stop_config.timeout_seconds = 3;
  keeper_->converge({a, b}, true);
  auto log_of = [&](const api::HostMachine& m) {
    std::ifstream in(runner_->log_path(m.id));
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  for (int i = 0; i < 100 && (log_of(a).find("ready") == std::string::npos ||
                              log_of(b).find("ready") == std::string::npos);
       ++i) {
    std::this_thread::sleep_for(50ms);  // the traps are set
  }
  for (auto* m : {&a, &b}) {
    m->desired = "stopped";
    m->generation = 2;
  }
  keeper_->converge({a, b}, true);
  auto got_int_at = [&](const api::HostMachine& m) -> long {
    std::istringstream lines(log_of(m));
    for (std::string line; std::getline(lines, line);) {
      auto record = parse_log_record(line);
      if (record && record->text == "got INT") return stamp_millis(record->timestamp);
    }
    return -1;
  };
  const long at_a = got_int_at(a), at_b = got_int_at(b);
  ASSERT_GE(at_a, 0) << log_of(a);
  ASSERT_GE(at_b, 0) << log_of(b);
  EXPECT_LT(std::labs(at_a - at_b), 3000) << "SIGINT reached them " << std::labs(at_a - at_b)
                                          << " ms apart: one waited for the other's timeout";
  EXPECT_EQ(runner_->status(a.id).kind, MachineStatus::Kind::Exited);
  EXPECT_EQ(runner_->status(b.id).kind, MachineStatus::Kind::Exited);
}

TEST_F(AgentMachinesTest, OnFailureRestartsThenGivesUp) {
  auto m = machine("exit 3");
  m.config.restart = {"on-failure", 1};
  keeper_->converge({m}, true);
  ASSERT_TRUE(tick_until({m},
                         [&] {
                           auto s = said(m.id);
                           return !s.empty() && s.back() == "failed";
                         }))
      << "reports: " << said(m.id).size();
  // "started" may come between, when the shell lived long enough to be seen running.
  EXPECT_EQ(said(m.id).front(), "starting");
  auto last = outbox_->pending().back();
  EXPECT_EQ(last.state, "failed");
  EXPECT_EQ(last.message, "it exited with code 3 after 1 restart, and its restart policy allows 1");
}

TEST_F(AgentMachinesTest, NoRestartMeansStoppedWithTheCode) {
  auto m = machine("exit 4");
  m.config.restart = {"no", 0};
  keeper_->converge({m}, true);
  ASSERT_TRUE(tick_until({m}, [&] {
    auto s = said(m.id);
    return !s.empty() && s.back() == "stopped";
  }));
  EXPECT_EQ(outbox_->pending().back().exit_code, 4);
}

TEST_F(AgentMachinesTest, ACommandNotInTheImageFailsWithoutRunning) {
  auto m = machine("");
  m.config.init_cmd = {"no-such-program"};
  keeper_->converge({m}, true);
  EXPECT_EQ(said(m.id), std::vector<std::string>{"failed"});
  EXPECT_EQ(outbox_->pending().back().message,
            "its command \"no-such-program\" is not found in the image");
  keeper_->converge({m}, true);
  EXPECT_EQ(said(m.id).size(), 1u) << "said once";
}

TEST_F(AgentMachinesTest, UnlistedMachinesGoOnlyAfterAFetch) {
  auto m = machine(kPolite);
  keeper_->converge({m}, true);
  keeper_->converge({}, false);
  EXPECT_EQ(runner_->status(m.id).kind, MachineStatus::Kind::Running);
  keeper_->converge({}, true);
  EXPECT_EQ(runner_->status(m.id).kind, MachineStatus::Kind::Absent);
  EXPECT_FALSE(fs::exists(runner_->machine_dir(m.id)));
}

TEST_F(AgentMachinesTest, DestroyedIsReportedOnce) {
  auto m = machine(kPolite);
  keeper_->converge({m}, true);
  m.desired = "destroyed";
  m.generation = 2;
  keeper_->converge({m}, true);
  keeper_->converge({m}, true);
  auto s = said(m.id);
  EXPECT_EQ(std::count(s.begin(), s.end(), "destroyed"), 1);
  EXPECT_FALSE(fs::exists("/var/run/netns/" + tag_ + "-" + m.id));
}

}  // namespace
}  // namespace sixpn::host
