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
#include "net/command.hpp"
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

  // An OCI image layout at work_/<name> with tag `tag`, made as an image author would with
  // umoci (Debian): a busybox-static root with a marker file, and its CMD, ENV and WORKDIR.
  std::string busybox_layout(const std::string& name, const std::string& tag,
                             const std::vector<std::string>& cmd) {
    const auto layout = (work_ / name).string();
    const auto bundle = (work_ / (name + "-bundle")).string();
    const auto image = layout + ":" + tag;
    net::run_checked({"umoci", "init", "--layout", layout});
    net::run_checked({"umoci", "new", "--image", image});
    net::run_checked({"umoci", "unpack", "--image", image, bundle});
    const fs::path rootfs = fs::path(bundle) / "rootfs";
    fs::create_directories(rootfs / "bin");
    fs::create_directories(rootfs / "srv");
    fs::copy_file("/bin/busybox", rootfs / "bin/busybox");
    for (const char* tool : {"sh", "cat", "ls", "pwd", "sleep"})
      fs::create_symlink("busybox", rootfs / "bin" / tool);
    std::ofstream(rootfs / "image-marker") << "from the image\n";
    net::run_checked({"umoci", "repack", "--image", image, bundle});
    std::vector<std::string> config = {"umoci",        "config",         "--image",
                                       image,          "--config.env",   "IMAGE_VAR=from-image",
                                       "--config.env", "GREETING=image", "--config.workingdir",
                                       "/srv"};
    for (const auto& arg : cmd) config.insert(config.end(), {"--config.cmd", arg});
    net::run_checked(config);
    fs::remove_all(bundle);
    return layout;
  }

  // The text of every line the machine wrote, in order.
  std::vector<std::string> logged(const std::string& id) {
    std::vector<std::string> out;
    std::ifstream log(runner_->log_path(id));
    for (std::string line; std::getline(log, line);) {
      if (auto record = parse_log_record(line)) out.push_back(record->text);
    }
    return out;
  }

  bool ended_stopped(const api::HostMachine& m) {
    return tick_until({m},
                      [&] {
                        auto s = said(m.id);
                        return !s.empty() && (s.back() == "stopped" || s.back() == "failed");
                      }) &&
           said(m.id).back() == "stopped";
  }

  // What the image cache holds: the names under <state>/images.
  std::vector<std::string> cached() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(runner_->images_dir()))
      out.push_back(e.path().filename().string());
    return out;
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

TEST_F(AgentMachinesTest, AnOciImageRunsFromItsOwnFilesWithItsDefaultsUnpackedOnce) {
  const auto layout = busybox_layout(
      "web", "v1",
      {"/bin/sh", "-c",
       "cat /image-marker; ls /usr/bin/python3 2>/dev/null || echo no host python; pwd; "
       "echo $IMAGE_VAR $GREETING"});
  auto m = machine("");
  m.config.image = layout + ":v1";
  m.config.init_cmd.clear();  // the image's CMD
  m.config.env = {{"GREETING", "config"}};
  m.config.restart = {"no", 0};
  keeper_->converge({m}, true);
  ASSERT_TRUE(ended_stopped(m)) << outbox_->pending().back().message;
  EXPECT_EQ(logged(m.id), (std::vector<std::string>{"from the image", "no host python", "/srv",
                                                    "from-image config"}));
  auto entries = cached();
  ASSERT_EQ(entries.size(), 1u) << "one unpack, nothing left beside it";
  EXPECT_EQ(entries[0].size(), 64u) << entries[0];
  const fs::path sentinel = fs::path(runner_->images_dir()) / entries[0] / "kept";
  std::ofstream(sentinel) << "";

  // A second machine of the same image, with a command of its own.
  auto again = machine("");
  again.config.image = layout + ":v1";
  again.config.init_cmd = {"cat", "/image-marker"};
  again.config.restart = {"no", 0};
  keeper_->converge({m, again}, true);
  ASSERT_TRUE(ended_stopped(again)) << outbox_->pending().back().message;
  EXPECT_EQ(logged(again.id), std::vector<std::string>{"from the image"});
  EXPECT_TRUE(fs::exists(sentinel)) << "the cached unpack was used, not made again";
  EXPECT_EQ(cached().size(), 1u);
}

TEST_F(AgentMachinesTest, ABadOciImageFailsWithOneSentenceAndLeavesNoCache) {
  const auto layout = busybox_layout("app", "v1", {"/bin/sh", "-c", "true"});
  auto missing_tag = machine("");
  missing_tag.config.image = layout + ":v9";
  keeper_->converge({missing_tag}, true);
  EXPECT_EQ(said(missing_tag.id).back(), "failed");
  EXPECT_EQ(outbox_->pending().back().message,
            "its image " + layout + ":v9: it has no tag \"v9\" (its tags: v1)");

  // A layer that went missing: umoci itself fails.
  const auto broken = (work_ / "broken").string();
  fs::copy(layout, broken, fs::copy_options::recursive);
  std::vector<fs::path> blobs;
  for (const auto& e : fs::directory_iterator(fs::path(broken) / "blobs/sha256"))
    blobs.push_back(e.path());
  std::sort(blobs.begin(), blobs.end(), [](const fs::path& a, const fs::path& b) {
    return fs::file_size(a) > fs::file_size(b);
  });
  fs::remove(blobs.front());  // the busybox layer is the largest blob by far
  auto failing = machine("");
  failing.config.image = broken + ":v1";
  keeper_->converge({missing_tag, failing}, true);
  EXPECT_EQ(said(failing.id).back(), "failed");
  const auto message = outbox_->pending().back().message;
  EXPECT_EQ(message.rfind("umoci could not unpack its image " + broken + ":v1: ", 0), 0u)
      << message;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;

  std::ofstream(fs::path(broken) / "index.json") << "not json";
  auto garbled = machine("");
  garbled.config.image = broken;
  keeper_->converge({missing_tag, failing, garbled}, true);
  EXPECT_EQ(outbox_->pending().back().message,
            "its image " + broken + ": its index.json is not an OCI image index");
  EXPECT_TRUE(cached().empty()) << "no partial unpack is kept";
  EXPECT_EQ(runner_->status(failing.id).kind, MachineStatus::Kind::Absent);
}

}  // namespace
}  // namespace sixpn::host
