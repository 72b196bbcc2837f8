#include "commands/machine_view.hpp"

#include <gtest/gtest.h>

#include "api_machine_fixture.hpp"

namespace sixpn::commands {
namespace {

using testing::machine_doc;

TEST(MachineRow, ShowsHostRegionStateAndAddress) {
  EXPECT_EQ(kMachineHeaders, (std::vector<std::string>{"ID", "NAME", "PROCESS", "HOST", "REGION",
                                                       "STATE", "6PN ADDRESS", "LAST UPDATED"}));
  EXPECT_EQ(machine_row(machine_doc("started")),
            (std::vector<std::string>{"0e286e5d2c3a47", "web-1", "app", "ams-1", "ams", "started",
                                      "fdaa:0:1:0:c000:1:0:2", "2026-12-01T09:00:01Z"}));
  auto unplaced = machine_doc("created");
  unplaced.host.clear();
  EXPECT_EQ(machine_row(unplaced)[3], "-");
  EXPECT_EQ(status_machine_row(machine_doc("started"))[2], "ams-1");
}

TEST(ShellWords, QuotesOnlyWhatAShellWouldSplitOrExpand) {
  EXPECT_EQ(shell_words({"python3", "-m", "http.server", "8080"}), "python3 -m http.server 8080");
  EXPECT_EQ(shell_words({"sh", "-c", "echo it's $HOME"}), "sh -c 'echo it'\\''s $HOME'");
  EXPECT_EQ(shell_words({""}), "''");
}

TEST(MachineDetail, ShowsWhereItRunsHowItEndedAndItsConfig) {
  auto m = machine_doc("stopped", "exited");
  m.exit_code = 3;
  m.config.env = {{"MODE", "batch"}};
  m.config.restart.policy = "no";
  m.config.stop_config.signal = "SIGTERM";
  m.config.guest.memory_mb = 256;
  auto text = machine_detail(m);
  for (const char* line :
       {"Machine\n", "  Host          = ams-1\n", "  State         = stopped\n",
        "  Exit code     = 3\n", "  Message       = exited\n",
        "  6PN address   = fdaa:0:1:0:c000:1:0:2\n", "\nConfig\n", "  Image    = host\n",
        "  Command  = sleep 600\n", "  Env      = MODE=batch\n", "  Restart  = no\n",
        "  Stop     = SIGTERM, then SIGKILL after 5s\n", "  Limits   = 256 MB\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << "missing: " << line << "in:\n" << text;
  }
}

TEST(MachineDetail, ShowsEachServicesPortsAndHowTheProxyTreatsIt) {
  auto m = machine_doc("started");
  EXPECT_NE(machine_detail(m).find("  Services = none\n"), std::string::npos);
  m.config.services.resize(2);
  m.config.services[0].internal_port = 5432;
  m.config.services[0].ports = {api::ServicePort{5432, false}};
  m.config.services[0].autostop = "stop";
  m.config.services[1].internal_port = 8080;
  m.config.services[1].ports = {api::ServicePort{80, false}};
  m.config.services[1].autostart = false;
  EXPECT_NE(machine_detail(m).find(
                "  Services = 5432\u21925432/tcp (autostart, autostop stop, min 0, limits 20/25); "
                "80\u21928080/tcp (no autostart, autostop off, min 0, limits 20/25)\n"),
            std::string::npos)
      << machine_detail(m);
}

}  // namespace
}  // namespace sixpn::commands
