#include "net/command.hpp"

#include <gtest/gtest.h>

#include <csignal>

namespace sixpn::net {
namespace {

using namespace std::chrono_literals;

TEST(Command, ReportsExitCodeAndOutput) {
  auto r = run_command({"sh", "-c", "echo out; echo err >&2; exit 3"});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "out\n");
  EXPECT_EQ(r.err, "err\n");
}

TEST(Command, PassesArgumentsVerbatimWithoutAShell) {
  auto r = run_command({"printf", "%s|", "a b", "$HOME", ";rm -rf /"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, "a b|$HOME|;rm -rf /|");
}

TEST(Command, FeedsInputThroughStdin) {
  CommandOptions options;
  options.input = "secret\n";
  EXPECT_EQ(run_checked({"cat"}, options), "secret\n");
}

TEST(Command, LargeInputAndOutputDoNotDeadlock) {
  CommandOptions options;
  options.input.assign(1 << 20, 'x');
  EXPECT_EQ(run_checked({"cat"}, options).size(), std::size_t{1} << 20);
}

TEST(Command, InputToACommandThatDoesNotReadIsHarmless) {
  CommandOptions options;
  options.input.assign(1 << 20, 'x');
  EXPECT_EQ(run_command({"true"}, options).exit_code, 0);
}

TEST(Command, RunCheckedQuotesTheCommandAndItsStderr) {
  try {
    run_checked({"sh", "-c", "echo 'RTNETLINK answers: File exists' >&2; exit 2", "x y"});
    FAIL() << "expected a CommandError";
  } catch (const CommandError& e) {
    std::string what = e.what();
    EXPECT_NE(what.find("sh -c"), std::string::npos) << what;
    EXPECT_NE(what.find("'x y'"), std::string::npos) << what;
    EXPECT_NE(what.find("exit 2"), std::string::npos) << what;
    EXPECT_NE(what.find("RTNETLINK answers: File exists"), std::string::npos) << what;
  }
}

TEST(Command, AMissingProgramIsAnError) {
  EXPECT_THROW(run_command({"sixpn-no-such-program"}), CommandError);
  EXPECT_THROW(run_command({}), CommandError);
}

TEST(Command, ACommandPastItsTimeoutIsKilled) {
  CommandOptions options;
  options.timeout = 200ms;
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(run_command({"sleep", "5"}, options), CommandError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(Command, ChildrenInheritNoDescriptorsBeyondTheStandardThree) {
  auto r = run_checked({"sh", "-c", "ls /proc/self/fd | wc -l"});
  // 0, 1, 2 and the descriptor ls uses to read the directory.
  EXPECT_EQ(std::stoi(r), 4);
}

TEST(ChildProcess, StopEndsTheChild) {
  ChildProcess child({"sleep", "100"});
  ASSERT_TRUE(child.running());
  child.stop();
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_code(), 128 + SIGTERM);
}

TEST(ChildProcess, NoticesAnExit) {
  ChildProcess child({"sh", "-c", "exit 7"});
  for (int i = 0; i < 200 && child.running(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_FALSE(child.running());
  EXPECT_EQ(child.exit_code(), 7);
}

TEST(ChildProcess, GetsExtraEnvironment) {
  ChildProcess child({"sh", "-c", "test \"$SIXPN_CHILD_TEST\" = yes"}, {"SIXPN_CHILD_TEST=yes"});
  for (int i = 0; i < 200 && child.running(); ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(child.exit_code(), 0);
}

TEST(ChildProcess, GoingOutOfScopeStopsTheChild) {
  pid_t pid;
  {
    ChildProcess child({"sleep", "100"});
    pid = child.pid();
  }
  EXPECT_NE(::kill(pid, 0), 0);
}

}  // namespace
}  // namespace sixpn::net
