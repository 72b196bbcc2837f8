// The client's host-protocol calls: what they send, and that they read the contract's shapes.
#include <gtest/gtest.h>

#include "client_fixture.hpp"

namespace sixpn::api::testing {
namespace {

TEST(ClientHost, RegisterSendsNoBearerTokenAndReadsTheCredential) {
  FakeApi api;
  std::string auth = "unset";
  api.server.Post("/v1/hosts/register", [&](const httplib::Request& req, httplib::Response& res) {
    auth = req.get_header_value("Authorization");
    auto body = Json::parse(req.body).get<HostRegister>();
    EXPECT_EQ(body.join_token, "sixpn_join_x");
    res.status = 201;
    res.set_content(R"({"host":{"id":201326593,"name":"h","region":"ams","pubkey":"k",)"
                    R"("endpoint":"10.0.0.2:1"},"credential":"sixpn_host_y"})",
                    "application/json");
  });
  api.start();
  Client client(options_for(api, ""));
  auto out = client.register_host(HostRegister{"sixpn_join_x", "k", "10.0.0.2:1", ""});
  EXPECT_EQ(auth, "");
  EXPECT_EQ(out.host.id, 0x0c000001u);
  EXPECT_EQ(out.credential, "sixpn_host_y");
}

TEST(ClientHost, TheWatchSendsAfterAndWaitAndOutlastsTheClientsTimeout) {
  FakeApi api;
  api.server.Get("/v1/hosts/self/state", [&](const httplib::Request& req, httplib::Response& res) {
    EXPECT_EQ(req.get_param_value("after"), "7");
    EXPECT_EQ(req.get_param_value("wait"), "3");
    EXPECT_EQ(req.get_header_value("Authorization"), "Bearer sixpn_host_y");
    // Longer than the client's own timeout (below), shorter than the wait it asked for plus it.
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content(R"({"version":8,"host":{"id":1,"name":"h","region":"ams","pubkey":"k",)"
                    R"("endpoint":"e"},"machines":[],"mesh":[],"dns":[],"regions":[]})",
                    "application/json");
  });
  api.start();
  auto options = options_for(api, "sixpn_host_y");
  options.timeout_seconds = 1;
  Client client(options);
  EXPECT_EQ(client.host_state(7, 3).version, 8u);
}

TEST(ClientHost, ReportsAndLogsArePostedAsTheContractsDocuments) {
  FakeApi api;
  Json reports, logs;
  api.server.Post("/v1/hosts/self/reports", [&](const httplib::Request& req, httplib::Response& res) {
    reports = Json::parse(req.body);
    res.status = 204;
  });
  api.server.Post("/v1/hosts/self/logs", [&](const httplib::Request& req, httplib::Response& res) {
    logs = Json::parse(req.body);
    res.status = 204;
  });
  api.start();
  Client client(options_for(api, "sixpn_host_y"));
  client.report_machines(HostReport{{MachineReport{"m1", 3, "started", std::nullopt, ""}}});
  client.send_logs(HostLogBatch{{LogLine{"m1", "", "2026-12-01T00:00:00.000Z", "stdout", "hi"}}});
  EXPECT_EQ(reports["machines"][0]["generation"], 3);
  EXPECT_EQ(logs["lines"][0]["message"], "hi");
}

TEST(ClientHost, AppLogsAndMachineWaitPassTheirParameters) {
  FakeApi api;
  api.server.Get("/v1/apps/web/logs", [&](const httplib::Request& req, httplib::Response& res) {
    EXPECT_EQ(req.get_param_value("machine_id"), "m1");
    EXPECT_EQ(req.get_param_value("cursor"), "abc");
    EXPECT_EQ(req.get_param_value("wait"), "5");
    res.set_content(R"({"items":[{"machine_id":"m1","timestamp":"t","stream":"stdout",)"
                    R"("message":"hi"}],"next_cursor":"def"})",
                    "application/json");
  });
  api.server.Get("/v1/apps/web/machines/m1/wait",
                 [&](const httplib::Request& req, httplib::Response& res) {
                   EXPECT_EQ(req.get_param_value("state"), "started");
                   EXPECT_EQ(req.get_param_value("timeout"), "2");
                   res.status = 408;
                   res.set_content(R"({"error":"not yet","code":"timeout"})", "application/json");
                 });
  api.start();
  Client client(options_for(api));
  auto page = client.app_logs("web", LogQuery{"m1", "abc", 0, 5});
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.next_cursor, "def");
  try {
    client.wait_machine("web", "m1", "started", 2);
    FAIL() << "expected a 408";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 408);
    EXPECT_EQ(e.code, "timeout");
  }
}

}  // namespace
}  // namespace sixpn::api::testing
