// machine run's service flags: flyctl's --port spelling, the knobs over every service, fly.toml's
// services when no --port is given, and one clear sentence for each mistake.
#include "commands/service_flags.hpp"

#include <gtest/gtest.h>

#include "tests/unit/commands/usage_error.hpp"
#include "commands/machine_args.hpp"

namespace sixpn::commands {
namespace {

api::MachineService service_on(int internal_port, int port, bool force_https = false) {
  api::MachineService s;
  s.internal_port = internal_port;
  s.ports.push_back(api::ServicePort{port, force_https});
  return s;
}

TEST(PortFlag, TakesInternalAloneOrPortColonInternal) {
  EXPECT_EQ(parse_port_flag("5432/tcp"), (PortFlag{5432, 5432, "tcp"}));
  EXPECT_EQ(parse_port_flag("80:8080/tcp"), (PortFlag{80, 8080, "tcp"}));
  EXPECT_EQ(parse_port_flag("8080"), (PortFlag{8080, 8080, "tcp"}));
}

TEST(PortFlag, RefusesWhatIsNotAPortWithOneSentence) {
  EXPECT_EQ(usage_error([] { parse_port_flag("0/tcp"); }),
            "--port \"0/tcp\" has port 0, not one from 1 to 65535");
  EXPECT_EQ(usage_error([] { parse_port_flag("70000/tcp"); }),
            "--port \"70000/tcp\" has port 70000, not one from 1 to 65535");
  EXPECT_EQ(usage_error([] { parse_port_flag("80:99999/tcp"); }),
            "--port \"80:99999/tcp\" has port 99999, not one from 1 to 65535");
  EXPECT_EQ(usage_error([] { parse_port_flag("53/udp"); }),
            "--port \"53/udp\" is not tcp; only tcp services are served");
  EXPECT_EQ(usage_error([] { parse_port_flag("443/tcp:tls"); }),
            "--port \"443/tcp:tls\" names handlers, which Flycast does not have (it carries TCP "
            "as is)");
  for (const char* bad : {"", "/tcp", "abc/tcp", ":80", "80:", "-1", "1234567/tcp", "8 0"}) {
    EXPECT_EQ(usage_error([bad] { parse_port_flag(bad); }),
              "--port \"" + std::string(bad) + "\" is not [PORT:]INTERNAL/tcp")
        << bad;
  }
}

TEST(PlanServices, PortsOfOneInternalPortMakeOneServiceAsFlyctlGroupsThem) {
  ServiceFlags f;
  f.ports = {"80:8080/tcp", "5432/tcp", "81:8080"};
  auto services = plan_services(f);
  ASSERT_EQ(services.size(), 2U);
  EXPECT_EQ(services[0].internal_port, 8080);
  ASSERT_EQ(services[0].ports.size(), 2U);
  EXPECT_EQ(services[0].ports[1].port, 81);
  EXPECT_EQ(services[1].internal_port, 5432);
  EXPECT_TRUE(services[1].autostart);
  EXPECT_EQ(services[1].autostop, "off");
  EXPECT_EQ(services[1].concurrency.hard_limit, 25);
}

TEST(PlanServices, KnobsApplyToEveryService) {
  ServiceFlags f;
  f.ports = {"5432/tcp", "9090/tcp"};
  f.autostart = false;
  f.autostop = "stop";
  f.soft_limit = 3;
  f.hard_limit = 4;
  f.min_machines_running = 1;
  for (const auto& s : plan_services(f)) {
    EXPECT_FALSE(s.autostart);
    EXPECT_EQ(s.autostop, "stop");
    EXPECT_EQ(s.concurrency.soft_limit, 3);
    EXPECT_EQ(s.concurrency.hard_limit, 4);
    EXPECT_EQ(s.min_machines_running, 1);
  }
}

TEST(PlanServices, FlagsWinOverTheFile) {
  FileServices file{"fly.toml", {service_on(8080, 80)}, ""};
  ServiceFlags knobs;
  knobs.autostop = "stop";
  auto from_file = plan_services(knobs, file);
  ASSERT_EQ(from_file.size(), 1U);
  EXPECT_EQ(from_file[0].internal_port, 8080);
  EXPECT_EQ(from_file[0].autostop, "stop");

  ServiceFlags ports;
  ports.ports = {"5432/tcp"};
  auto from_flags = plan_services(ports, file);
  ASSERT_EQ(from_flags.size(), 1U);
  EXPECT_EQ(from_flags[0].internal_port, 5432);
  EXPECT_TRUE(plan_services(ServiceFlags{}, FileServices{}).empty());
}

TEST(PlanServices, ForceHttpsInTheFileIsRefusedWithTheReason) {
  FileServices file{"app/fly.toml", {service_on(80, 80, true)},
                    "http_service.force_https"};
  EXPECT_EQ(usage_error([&] { plan_services(ServiceFlags{}, file); }),
            "app/fly.toml sets http_service.force_https = true, which is refused: Flycast is "
            "private HTTP/TCP only; force_https needs the public edge");
  ServiceFlags ports;
  ports.ports = {"5432/tcp"};
  EXPECT_EQ(plan_services(ports, file).size(), 1U);  // --port replaces the file's services
}

TEST(PlanServices, EachMistakeIsOneSentence) {
  ServiceFlags f;
  f.autostop = "stop";
  EXPECT_EQ(usage_error([&] { plan_services(f); }), "service flags need a service to apply to");
  f.ports = {"5432/tcp"};
  f.autostop = "suspend";
  EXPECT_EQ(usage_error([&] { plan_services(f); }),
            "--autostop must be stop or off, not \"suspend\"");
  f.autostop = "";
  f.soft_limit = 30;
  EXPECT_EQ(usage_error([&] { plan_services(f); }),
            "the soft limit (30) must not be over the hard limit (25)");
  f.soft_limit = 0;
  EXPECT_EQ(usage_error([&] { plan_services(f); }), "--soft-limit must be from 1 to 1000000, not 0");
  f.soft_limit.reset();
  f.min_machines_running = -2;
  EXPECT_EQ(usage_error([&] { plan_services(f); }),
            "--min-machines-running must be from 0 to 1000, not -2");
  f.min_machines_running.reset();
  f.ports = {"5432/tcp", "5432:5433/tcp"};
  EXPECT_EQ(usage_error([&] { plan_services(f); }), "--port 5432 is given twice");
}

TEST(PlanMachineRun, CarriesTheServicesIntoTheConfig) {
  RunFlags f;
  f.region = "ams";
  f.services.ports = {"5432/tcp"};
  f.services.autostop = "stop";
  auto plan = plan_machine_run(f);
  ASSERT_EQ(plan.body.config.services.size(), 1U);
  EXPECT_EQ(plan.body.config.services[0].ports[0].port, 5432);
  EXPECT_EQ(plan.body.config.services[0].autostop, "stop");
  // The file's out-of-range values meet the contract's own sentence before anything is sent.
  FileServices file{"fly.toml", {service_on(0, 80)}, ""};
  RunFlags plain;
  plain.region = "ams";
  EXPECT_EQ(usage_error([&] { plan_machine_run(plain, file); }),
            "config.services[0].internal_port must be from 1 to 65535, not 0");
}

}  // namespace
}  // namespace sixpn::commands
