// await_machine_state against a real local HTTP server that answers as the API's wait endpoint.
#include "commands/machine_wait.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

#include "../api/client_fixture.hpp"
#include "api_machine_fixture.hpp"
#include "cli/errors.hpp"

namespace sixpn::commands {
namespace {

using api::testing::FakeApi;
using api::testing::options_for;
using testing::body_of;
using testing::error_body;
using testing::machine_doc;

const char* kWait = "/v1/apps/my-app/machines/0e286e5d2c3a47/wait";
const char* kMachine = "/v1/apps/my-app/machines/0e286e5d2c3a47";

std::string failure_of(api::Client& client, const std::string& state, int timeout) {
  try {
    await_machine_state(client, "my-app", machine_doc("created"), state, timeout);
  } catch (const cli::Failure& e) {
    return e.what();
  }
  return "";
}

TEST(AwaitMachineState, AsksAgainAfterATimeoutAndReturnsTheMachineOnceStarted) {
  FakeApi api;
  std::atomic<int> waits = 0;
  std::mutex mu;
  std::vector<std::string> asked;
  api.server.Get(kWait, [&](const httplib::Request& req, httplib::Response& res) {
    {
      std::lock_guard lock(mu);
      asked.push_back(req.get_param_value("state") + "/" + req.get_param_value("timeout"));
    }
    if (++waits == 1) {
      res.status = 408;
      res.set_content(error_body("not started yet", "timeout"), "application/json");
      return;
    }
    res.set_content(R"({"ok":true,"state":"started"})", "application/json");
  });
  api.server.Get(kMachine, [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body_of(machine_doc("started")), "application/json");
  });
  api.start();
  api::Client client(options_for(api));
  auto m = await_machine_state(client, "my-app", machine_doc("created"), "started", 120);
  EXPECT_EQ(m.state, "started");
  EXPECT_EQ(m.host, "ams-1");
  EXPECT_EQ(waits, 2);
  std::lock_guard lock(mu);
  ASSERT_FALSE(asked.empty());
  EXPECT_EQ(asked.front(), "started/60");  // one request holds at most the API's 60 s
}

TEST(AwaitMachineState, AFailedStartIsAFailureWithTheHostsMessage) {
  FakeApi api;
  api.server.Get(kWait, [&](const httplib::Request&, httplib::Response& res) {
    res.status = 409;
    res.set_content(error_body("machine failed", "machine_failed"), "application/json");
  });
  api.server.Get(kMachine, [&](const httplib::Request&, httplib::Response& res) {
    auto m = machine_doc("failed", "exec: \"nope\": executable file not found in $PATH");
    m.exit_code = 127;
    res.set_content(body_of(m), "application/json");
  });
  api.start();
  api::Client client(options_for(api));
  EXPECT_EQ(failure_of(client, "started", 30),
            "machine 0e286e5d2c3a47 failed: exec: \"nope\": executable file not found in $PATH "
            "(exit code 127)");
}

TEST(AwaitMachineState, RunningOutOfTimeNamesTheStateTheMachineIsIn) {
  FakeApi api;
  api.server.Get(kWait, [&](const httplib::Request&, httplib::Response& res) {
    res.status = 408;
    res.set_content(error_body("not yet", "timeout"), "application/json");
  });
  api.server.Get(kMachine, [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(body_of(machine_doc("starting")), "application/json");
  });
  api.start();
  api::Client client(options_for(api));
  EXPECT_EQ(failure_of(client, "started", 1),
            "machine 0e286e5d2c3a47 is starting, not started, after 1 s");
}

TEST(AwaitMachineState, AMachineAlreadyGoneCountsAsDestroyed) {
  FakeApi api;
  api.server.Get(kWait, [&](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(error_body("app my-app has no machine 0e286e5d2c3a47", "not_found"),
                    "application/json");
  });
  api.start();
  api::Client client(options_for(api));
  auto m = await_machine_state(client, "my-app", machine_doc("destroying"), "destroyed", 10);
  EXPECT_EQ(m.state, "destroyed");
}

TEST(AwaitMachineState, AnUnknownMachineWhileWaitingToStartIsNotFound) {
  FakeApi api;
  api.server.Get(kWait, [&](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(error_body("no such machine", "not_found"), "application/json");
  });
  api.start();
  api::Client client(options_for(api));
  try {
    await_machine_state(client, "my-app", machine_doc("created"), "started", 10);
    FAIL() << "expected an HttpError";
  } catch (const api::HttpError& e) {
    EXPECT_EQ(e.status, 404);
  }
}

}  // namespace
}  // namespace sixpn::commands
