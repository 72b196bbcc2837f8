#include "host/agent_machines.hpp"

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "host/agent_outbox.hpp"

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;

class AgentFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sixpn-agent-files-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
  }
  void TearDown() override { fs::remove_all(root_); }

  MachineSpec spec(std::vector<std::string> cmd, std::string rootfs = "") {
    MachineSpec out;
    out.id = "0123456789abcd";
    out.cmd = std::move(cmd);
    out.rootfs = std::move(rootfs);
    return out;
  }
  fs::path root_;
};

TEST_F(AgentFilesTest, TheHostImageFindsCommandsInItsPath) {
  EXPECT_EQ(start_problem(spec({"sh", "-c", "true"})), "");
  EXPECT_EQ(start_problem(spec({"/bin/sh"})), "");
  EXPECT_EQ(start_problem(spec({"no-such-program-here"})),
            "its command \"no-such-program-here\" is not found in the image");
  EXPECT_EQ(start_problem(spec({"/no/such/program"})),
            "its command \"/no/such/program\" is not found in the image");
}

TEST_F(AgentFilesTest, ARootFileSystemIsSearchedInsideAndLinksCount) {
  fs::create_directories(root_ / "bin");
  std::ofstream(root_ / "bin/busybox") << "";
  fs::create_symlink("/bin/busybox", root_ / "bin/sh");  // absolute: resolved in the image
  EXPECT_EQ(start_problem(spec({"sh"}, root_.string())), "");
  EXPECT_EQ(start_problem(spec({"/bin/sh"}, root_.string())), "");
  EXPECT_EQ(start_problem(spec({"bash"}, root_.string())),
            "its command \"bash\" is not found in the image");
}

TEST_F(AgentFilesTest, AMissingImageOrAnOciLayoutIsSaidPlainly) {
  EXPECT_EQ(start_problem(spec({"sh"}, (root_ / "missing").string())),
            "its image " + (root_ / "missing").string() + " is not a directory on this host");
  std::ofstream(root_ / "oci-layout") << R"({"imageLayoutVersion":"1.0.0"})";
  EXPECT_NE(start_problem(spec({"sh"}, root_.string())).find("OCI image layout"),
            std::string::npos);
}

TEST_F(AgentFilesTest, UnsentReportsOutliveTheAgent) {
  const auto path = (root_ / "reports.json").string();
  {
    ReportOutbox outbox(path);
    EXPECT_TRUE(outbox.empty());
    outbox.push({"00000000000001", 3, "started", std::nullopt, ""});
    outbox.push({"00000000000002", 4, "stopped", 137, ""});
    outbox.push({"00000000000003", 1, "failed", std::nullopt, "its image is missing"});
    outbox.confirm(1);
  }
  ReportOutbox again(path);
  EXPECT_EQ(again.problem(), "");
  auto pending = again.pending();
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].id, "00000000000002");
  EXPECT_EQ(pending[0].exit_code, 137);
  EXPECT_EQ(pending[1].message, "its image is missing");
  EXPECT_EQ(fs::status(path).permissions(), fs::perms::owner_read | fs::perms::owner_write);
}

TEST_F(AgentFilesTest, AWaitForAReportEndsWithTheReport) {
  using namespace std::chrono_literals;
  ReportOutbox outbox((root_ / "reports.json").string());
  EXPECT_FALSE(outbox.wait_for_report(0ms));
  // The wait is far longer than ctest lets the test run: it passes only if the push ends it.
  std::thread pusher([&] { outbox.push({"00000000000001", 1, "started", std::nullopt, ""}); });
  EXPECT_TRUE(outbox.wait_for_report(std::chrono::hours(1)));
  pusher.join();
  EXPECT_TRUE(outbox.wait_for_report(0ms));  // still waiting to be sent
  outbox.confirm(1);
  EXPECT_FALSE(outbox.wait_for_report(0ms));
}

TEST_F(AgentFilesTest, AnUnreadableOutboxIsDroppedWithAMessage) {
  const auto path = (root_ / "reports.json").string();
  std::ofstream(path) << "{not json";
  ReportOutbox outbox(path);
  EXPECT_TRUE(outbox.empty());
  EXPECT_NE(outbox.problem(), "");
}

}  // namespace
}  // namespace sixpn::host
