#include "commands/machine_args.hpp"

#include <gtest/gtest.h>

#include "tests/unit/commands/usage_error.hpp"

namespace sixpn::commands {
namespace {

RunFlags flags_in(std::string region = "ams") {
  RunFlags f;
  f.region = std::move(region);
  return f;
}

TEST(ParseEnv, TakesKeyValuePairsAndKeepsTheLastOfARepeatedKey) {
  auto env = parse_env({"MODE=batch", "EMPTY=", "URL=http://x/?a=b", "MODE=web"});
  EXPECT_EQ(env.size(), 3u);
  EXPECT_EQ(env["MODE"], "web");
  EXPECT_EQ(env["EMPTY"], "");
  EXPECT_EQ(env["URL"], "http://x/?a=b");
}

TEST(ParseEnv, RefusesWhatIsNoVariableAssignmentNamingTheFlag) {
  EXPECT_EQ(usage_error([] { parse_env({"novalue"}); }), "--env \"novalue\" is not KEY=VALUE");
  EXPECT_EQ(usage_error([] { parse_env({"=x"}); }), "--env \"=x\" is not KEY=VALUE");
  EXPECT_EQ(usage_error([] { parse_env({"1X=y"}); }),
            "--env name \"1X\" is not a variable name");
  EXPECT_EQ(usage_error([] { parse_env({"A-B=y"}); }),
            "--env name \"A-B\" is not a variable name");
  EXPECT_EQ(usage_error([] { parse_env({"FLY_REGION=x"}); }),
            "--env cannot set FLY_REGION: the FLY_* variables are set by the platform");
}

TEST(ParseDuration, ReadsGoStyleDurationsAndPlainSecondsRoundingUp) {
  EXPECT_EQ(parse_duration_seconds("5s"), 5);
  EXPECT_EQ(parse_duration_seconds("2m"), 120);
  EXPECT_EQ(parse_duration_seconds("1h"), 3600);
  EXPECT_EQ(parse_duration_seconds("1m30s"), 90);
  EXPECT_EQ(parse_duration_seconds("1500ms"), 2);
  EXPECT_EQ(parse_duration_seconds("30"), 30);
  EXPECT_EQ(parse_duration_seconds("0s"), 0);
  for (const char* bad : {"", "s", "5x", "5 s", "-5s", "5.5s", "99999999999s", "1m30"}) {
    EXPECT_EQ(parse_duration_seconds(bad), std::nullopt) << bad;
  }
}

TEST(StopSignal, AcceptsNamesWithOrWithoutSigInAnyCase) {
  EXPECT_EQ(normalize_stop_signal("SIGTERM"), "SIGTERM");
  EXPECT_EQ(normalize_stop_signal("term"), "SIGTERM");
  EXPECT_EQ(normalize_stop_signal("sigusr1"), "SIGUSR1");
  EXPECT_EQ(normalize_stop_signal("SIGSEGV"), "");
  EXPECT_EQ(normalize_stop_signal("15"), "");
}

TEST(PlanMachineStop, TurnsTheFlagsIntoTheStopBody) {
  EXPECT_TRUE(plan_machine_stop("", "").empty());
  EXPECT_EQ(plan_machine_stop("term", "10s"), (api::MachineStop{"SIGTERM", 10}));
  EXPECT_EQ(plan_machine_stop("", "0s"), (api::MachineStop{std::nullopt, 0}));
  EXPECT_EQ(plan_machine_stop("SIGKILL", ""), (api::MachineStop{"SIGKILL", std::nullopt}));
}

TEST(PlanMachineStop, RefusesBadFlagsNamingEach) {
  auto message = [](const std::string& signal, const std::string& timeout) {
    try {
      plan_machine_stop(signal, timeout);
    } catch (const cli::UsageError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(message("SIGSEGV", ""), "--signal \"SIGSEGV\" is not one the platform sends");
  EXPECT_EQ(message("", "3601s"), "--timeout must be from 0s to 3600s");
  EXPECT_EQ(message("", "soon"), "--timeout \"soon\" is not a duration");
}

TEST(PlanMachineRun, PutsEveryFlagIntoTheMachinesConfig) {
  RunFlags f = flags_in();
  f.name = "worker-1";
  f.process_group = "worker";
  f.env = {"MODE=batch"};
  f.metadata = {"role=db"};
  f.image = "/srv/rootfs";
  f.restart = "on-failure";
  f.max_retries = 3;
  f.stop_signal = "term";
  f.stop_timeout = "10s";
  f.cpus = 0.5;
  f.memory_mb = 256;
  f.wait_timeout = "2m";
  f.command = {"sh", "-c", "echo hi"};
  auto plan = plan_machine_run(f);
  EXPECT_TRUE(plan.wait);
  EXPECT_EQ(plan.wait_timeout_seconds, 120);
  const auto& b = plan.body;
  EXPECT_EQ(b.region, "ams");
  EXPECT_EQ(b.name, "worker-1");
  EXPECT_EQ(b.process_group, "worker");
  EXPECT_EQ(b.metadata.at("role"), "db");
  EXPECT_EQ(b.config.env.at("MODE"), "batch");
  EXPECT_EQ(b.config.image, "/srv/rootfs");
  EXPECT_EQ(b.config.init_cmd, (std::vector<std::string>{"sh", "-c", "echo hi"}));
  EXPECT_EQ(b.config.restart.policy, "on-failure");
  EXPECT_EQ(b.config.restart.max_retries, 3);
  EXPECT_EQ(b.config.stop_config.signal, "SIGTERM");
  EXPECT_EQ(b.config.stop_config.timeout_seconds, 10);
  EXPECT_EQ(b.config.guest.cpus, 0.5);
  EXPECT_EQ(b.config.guest.memory_mb, 256);
}

TEST(PlanMachineRun, LeavesTheApisDefaultsWhenFlagsAreAbsent) {
  RunFlags f = flags_in();
  f.detach = true;
  auto plan = plan_machine_run(f);
  EXPECT_FALSE(plan.wait);
  EXPECT_EQ(plan.wait_timeout_seconds, 60);
  EXPECT_FALSE(plan.body.name);
  EXPECT_FALSE(plan.body.process_group);
  EXPECT_EQ(plan.body.config.image, "host");
  EXPECT_TRUE(plan.body.config.init_cmd.empty());
  EXPECT_EQ(plan.body.config.restart.policy, "on-failure");
  EXPECT_EQ(plan.body.config.stop_config.signal, "SIGINT");
  EXPECT_EQ(plan.body.config.stop_config.timeout_seconds, 5);
  EXPECT_FALSE(plan.body.config.guest.cpus);
}

TEST(PlanMachineRun, RefusesBadFlagsNamingEach) {
  struct Case {
    void (*set)(RunFlags&);
    std::string error;
  };
  const std::vector<Case> cases = {
      {[](RunFlags& f) { f.restart = "sometimes"; },
       "--restart must be no, always or on-failure, not \"sometimes\""},
      {[](RunFlags& f) {
         f.restart = "always";
         f.max_retries = 3;
       },
       "--max-retries applies only to --restart on-failure"},
      {[](RunFlags& f) { f.max_retries = -1; }, "--max-retries must be from 0 to 1000"},
      {[](RunFlags& f) { f.stop_timeout = "soon"; }, "--stop-timeout \"soon\" is not a duration"},
      {[](RunFlags& f) { f.stop_timeout = "0s"; }, "--stop-timeout must be from 1s to 3600s"},
      {[](RunFlags& f) { f.wait_timeout = "5y"; }, "--wait-timeout \"5y\" is not a duration"},
      {[](RunFlags& f) { f.stop_signal = "SIGSEGV"; },
       "--stop-signal \"SIGSEGV\" is not one the platform sends"},
      {[](RunFlags& f) { f.image = "alpine:3"; },
       "--image must be host or an absolute path on the host, not \"alpine:3\""},
      {[](RunFlags& f) { f.cpus = 0; }, "--cpus must be more than 0 and at most 1024"},
      {[](RunFlags& f) { f.memory_mb = 8; }, "--memory must be from 16 to 1048576 (MB)"},
      {[](RunFlags& f) { f.env = {"X"}; }, "--env \"X\" is not KEY=VALUE"},
      {[](RunFlags& f) { f.metadata = {"x"}; }, "metadata \"x\" is not key=value"},
      {[](RunFlags& f) { f.command = {""}; },
       "the command after -- must start with a program name"},
  };
  for (const auto& c : cases) {
    RunFlags f = flags_in();
    c.set(f);
    EXPECT_EQ(usage_error([&] { plan_machine_run(f); }), c.error);
  }
}

}  // namespace
}  // namespace sixpn::commands
