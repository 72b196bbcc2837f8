// fly.toml's [[services]] and [http_service] as flyctl maps them onto config.services.
#include <gtest/gtest.h>

#include "api/machine_config.hpp"
#include "cli/config.hpp"
#include "cli/errors.hpp"

namespace sixpn::cli {
namespace {

FlyToml parse(const char* text) {
  return parse_fly_toml_text(text, "fly.toml");
}

TEST(FlyServices, ServicesTablesBecomeServicesWithTheirPortsAndConcurrency) {
  auto fly = parse(R"(app = "db"
[[services]]
  internal_port = 5432
  protocol = "tcp"
  auto_stop_machines = "stop"
  auto_start_machines = false
  min_machines_running = 1
  [[services.ports]]
    port = 5432
  [[services.ports]]
    port = 15432
  [services.concurrency]
    type = "connections"
    soft_limit = 5
    hard_limit = 8
[[services]]
  internal_port = 9090
  [[services.ports]]
    port = 9090
)");
  ASSERT_EQ(fly.services.size(), 2U);
  const auto& db = fly.services[0];
  EXPECT_EQ(db.internal_port, 5432);
  EXPECT_EQ(db.protocol, "tcp");
  EXPECT_EQ(db.autostop, "stop");
  EXPECT_FALSE(db.autostart);
  EXPECT_EQ(db.min_machines_running, 1);
  ASSERT_EQ(db.ports.size(), 2U);
  EXPECT_EQ(db.ports[1].port, 15432);
  EXPECT_EQ(db.concurrency.soft_limit, 5);
  EXPECT_EQ(db.concurrency.hard_limit, 8);
  // Unset fields keep the Machines API's defaults.
  const auto& metrics = fly.services[1];
  EXPECT_TRUE(metrics.autostart);
  EXPECT_EQ(metrics.autostop, "off");
  EXPECT_EQ(metrics.concurrency.soft_limit, 20);
  EXPECT_EQ(metrics.concurrency.hard_limit, 25);
  EXPECT_EQ(api::machine_services_problem(fly.services), "");
  EXPECT_EQ(fly.force_https_at, "");
}

TEST(FlyServices, HttpServiceIsATcpServiceOnPort80) {
  auto fly = parse(R"(app = "web"
[http_service]
  internal_port = 8080
  auto_stop_machines = true
  min_machines_running = 0
  [http_service.concurrency]
    soft_limit = 50
    hard_limit = 100
)");
  ASSERT_EQ(fly.services.size(), 1U);
  const auto& s = fly.services[0];
  EXPECT_EQ(s.protocol, "tcp");
  EXPECT_EQ(s.internal_port, 8080);
  ASSERT_EQ(s.ports.size(), 1U);
  EXPECT_EQ(s.ports[0].port, 80);
  EXPECT_EQ(s.autostop, "stop");  // the old boolean spelling
  EXPECT_EQ(s.concurrency.hard_limit, 100);
  EXPECT_TRUE(fly.has_services);
}

TEST(FlyServices, ForceHttpsIsFoundWhereverItIsSet) {
  EXPECT_EQ(parse("[http_service]\ninternal_port = 80\nforce_https = true\n").force_https_at,
            "http_service.force_https");
  EXPECT_EQ(parse("[[services]]\ninternal_port = 80\n[[services.ports]]\nport = 80\n"
                  "force_https = true\n")
                .force_https_at,
            "services[0].ports[0].force_https");
  EXPECT_EQ(parse("[http_service]\ninternal_port = 80\nforce_https = false\n").force_https_at, "");
}

TEST(FlyServices, AKeyOfTheWrongTypeNamesItAndTheFile) {
  auto message = [](const char* text) {
    try {
      parse(text);
    } catch (const UsageError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_EQ(message("[[services]]\ninternal_port = \"80\"\n"),
            "key \"services[0].internal_port\" in fly.toml must be an integer");
  EXPECT_EQ(message("[[services]]\nauto_start_machines = \"yes\"\n"),
            "key \"services[0].auto_start_machines\" in fly.toml must be true or false");
  EXPECT_EQ(message("[[services]]\nports = 80\n"),
            "key \"services[0].ports\" in fly.toml must be an array of tables");
  EXPECT_EQ(message("[[services]]\n[[services.ports]]\nport = 1.5\n"),
            "key \"services[0].ports[0].port\" in fly.toml must be an integer");
  EXPECT_EQ(message("[http_service]\nconcurrency = 3\n"),
            "key \"http_service.concurrency\" in fly.toml must be a table");
  EXPECT_EQ(message("services = 1\n"),
            "key \"services\" in fly.toml must be an array of tables ([[services]])");
  EXPECT_EQ(message("[[services]]\ninternal_port = 99999999999\n"),
            "key \"services[0].internal_port\" in fly.toml must be an integer");
}

TEST(FlyServices, OutOfRangeValuesAreLeftToTheContractsSentence) {
  auto fly = parse("[[services]]\ninternal_port = 70000\n[[services.ports]]\nport = 80\n");
  EXPECT_EQ(api::machine_services_problem(fly.services),
            "config.services[0].internal_port must be from 1 to 65535, not 70000");
}

}  // namespace
}  // namespace sixpn::cli
