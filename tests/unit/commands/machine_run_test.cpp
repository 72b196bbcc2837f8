// `sixpn machine run`, `machine start` and `logs` as main() runs them — the command tree,
// the error funnel — against a real local HTTP server standing in for the API.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <mutex>

#include "../api/client_fixture.hpp"
#include "../cli/capture.hpp"
#include "../cli/env.hpp"
#include "api_machine_fixture.hpp"
#include "cli/context.hpp"
#include "cli/report.hpp"
#include "commands/commands.hpp"

namespace sixpn::commands {
namespace {

using api::testing::FakeApi;
using sixpn::testing::Capture;
using sixpn::testing::ScopedEnv;
using testing::body_of;
using testing::error_body;
using testing::machine_doc;

struct Ran {
  int rc = 0;
  std::string out, err;
};

Ran run(const FakeApi& api, std::vector<std::string> words) {
  ScopedEnv env;
  Capture out, err;
  cli::Context ctx;
  ctx.out = cli::Output(out.file(), err.file());
  CLI::App app;
  add_all(app, ctx);
  words.insert(words.begin(), {"sixpn", "--api-url", api.url(), "-t", "secret-token"});
  std::vector<const char*> argv;
  for (const auto& w : words) argv.push_back(w.c_str());
  Ran r;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    r.rc = 2;
    r.err = e.what();
    return r;
  } catch (...) {
    r.rc = cli::report_error(ctx.out, std::current_exception());
  }
  r.out = out.text();
  r.err += err.text();
  return r;
}

struct MachineApi {
  FakeApi api;
  std::mutex mu;
  nlohmann::json created;
  std::atomic<int> posts = 0;
  std::string final_state = "started";
  std::string message;

  void start() {
    api.server.Post("/v1/apps/my-app/machines",
                    [this](const httplib::Request& req, httplib::Response& res) {
                      ++posts;
                      std::lock_guard lock(mu);
                      created = nlohmann::json::parse(req.body);
                      res.status = 201;
                      res.set_content(body_of(machine_doc("created")), "application/json");
                    });
    api.server.Get("/v1/apps/my-app/machines/0e286e5d2c3a47/wait",
                   [this](const httplib::Request&, httplib::Response& res) {
                     if (final_state == "failed") {
                       res.status = 409;
                       res.set_content(error_body("machine failed", "machine_failed"),
                                       "application/json");
                       return;
                     }
                     res.set_content(R"({"ok":true,"state":"started"})", "application/json");
                   });
    api.server.Get("/v1/apps/my-app/machines/0e286e5d2c3a47",
                   [this](const httplib::Request&, httplib::Response& res) {
                     res.set_content(body_of(machine_doc(final_state, message)),
                                     "application/json");
                   });
    api.start();
  }
};

TEST(MachineRunCommand, SendsTheConfigWaitsAndPrintsTheStartedMachine) {
  MachineApi server;
  server.start();
  auto r = run(server.api, {"machine", "run", "-a", "my-app", "--region", "ams", "--env",
                            "MODE=batch", "--env", "N=1", "--restart", "no", "--", "sh", "-c",
                            "echo hi; sleep 1"});
  ASSERT_EQ(r.rc, 0) << r.err;
  {
    std::lock_guard lock(server.mu);
    const auto& config = server.created["config"];
    EXPECT_EQ(config["init"]["cmd"], nlohmann::json({"sh", "-c", "echo hi; sleep 1"}));
    EXPECT_EQ(config["env"], nlohmann::json({{"MODE", "batch"}, {"N", "1"}}));
    EXPECT_EQ(config["restart"]["policy"], "no");
    EXPECT_EQ(server.created["region"], "ams");
  }
  EXPECT_NE(r.out.find("HOST"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" ams-1 "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(" started "), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("Created machine 0e286e5d2c3a47"), std::string::npos) << r.err;
}

TEST(MachineRunCommand, JsonIsTheApisMachineDocument) {
  MachineApi server;
  server.start();
  auto r = run(server.api, {"machine", "run", "-a", "my-app", "-r", "ams", "--json", "--",
                            "sleep", "600"});
  ASSERT_EQ(r.rc, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc, nlohmann::json(machine_doc("started")));
}

TEST(MachineRunCommand, AMachineThatFailsToStartIsExit1WithItsMessage) {
  MachineApi server;
  server.final_state = "failed";
  server.message = "exec: \"nope\": executable file not found";
  server.start();
  auto r = run(server.api, {"machine", "run", "-a", "my-app", "-r", "ams", "--", "nope"});
  EXPECT_EQ(r.rc, 1);
  EXPECT_NE(r.err.find("Error: machine 0e286e5d2c3a47 failed: exec: \"nope\": executable file "
                       "not found\n"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(r.out, "");
}

TEST(MachineRunCommand, BadFlagsAreExit2BeforeAnythingIsSent) {
  MachineApi server;
  server.start();
  for (const auto& [flag, value, error] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"--env", "NOVALUE", "--env \"NOVALUE\" is not KEY=VALUE"},
           {"--restart", "sometimes", "--restart must be no, always or on-failure"},
           {"--stop-timeout", "5x", "--stop-timeout \"5x\" is not a duration"},
           {"--wait-timeout", "soon", "--wait-timeout \"soon\" is not a duration"}}) {
    auto r = run(server.api, {"machine", "run", "-a", "my-app", "-r", "ams", flag, value, "--",
                              "true"});
    EXPECT_EQ(r.rc, 2) << flag;
    EXPECT_NE(r.err.find(error), std::string::npos) << r.err;
  }
  EXPECT_EQ(server.posts, 0);
}

TEST(MachineRunCommand, DetachReturnsWithoutWaiting) {
  MachineApi server;
  server.final_state = "failed";  // a wait would say so
  server.start();
  auto r = run(server.api, {"machine", "run", "-a", "my-app", "-r", "ams", "--detach"});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find(" created "), std::string::npos) << r.out;
}

TEST(LogsCommand, AnUnknownMachineIsExit4) {
  FakeApi api;
  api.server.Get("/v1/apps/my-app/machines/00000000000000",
                 [](const httplib::Request&, httplib::Response& res) {
                   res.status = 404;
                   res.set_content(error_body("app my-app has no machine 00000000000000",
                                              "not_found"),
                                   "application/json");
                 });
  api.start();
  auto r = run(api, {"logs", "-a", "my-app", "--machine", "00000000000000"});
  EXPECT_EQ(r.rc, 4);
  EXPECT_NE(r.err.find("has no machine 00000000000000"), std::string::npos) << r.err;
}

TEST(LogsCommand, JsonIsOneObjectPerLine) {
  FakeApi api;
  api.server.Get("/v1/apps/my-app/logs", [](const httplib::Request& req, httplib::Response& res) {
    if (req.has_param("cursor")) {
      res.set_content(R"({"items":[],"next_cursor":"2"})", "application/json");
      return;
    }
    res.set_content(
        R"({"items":[{"machine_id":"a","region":"ams","timestamp":"t1","stream":"stdout","message":"one"},)"
        R"({"machine_id":"b","region":"fra","timestamp":"t2","stream":"stderr","message":"two"}],"next_cursor":"2"})",
        "application/json");
  });
  api.start();
  auto r = run(api, {"logs", "-a", "my-app", "--json"});
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out,
            R"({"machine_id":"a","message":"one","region":"ams","stream":"stdout","timestamp":"t1"})"
            "\n"
            R"({"machine_id":"b","message":"two","region":"fra","stream":"stderr","timestamp":"t2"})"
            "\n");
  r = run(api, {"logs", "-a", "my-app"});
  EXPECT_EQ(r.out, "t1 app[a] ams [info] one\nt2 app[b] fra [stderr] two\n");
}

}  // namespace
}  // namespace sixpn::commands
