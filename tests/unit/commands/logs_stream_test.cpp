#include "commands/logs_stream.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "../api/client_fixture.hpp"

namespace sixpn::commands {
namespace {

using api::testing::FakeApi;
using api::testing::options_for;

api::LogLine log_line(int n, std::string stream = "stdout") {
  api::LogLine l;
  l.machine_id = n % 2 ? "0e286e5d2c3a47" : "1f397f6e3d4b58";
  l.region = "ams";
  l.timestamp = "2026-12-01T09:00:0" + std::to_string(n) + ".000Z";
  l.stream = std::move(stream);
  l.message = "line " + std::to_string(n);
  return l;
}

TEST(LogLineFormat, IsFlyctlsLayoutWithTheStreamAsLevel) {
  EXPECT_EQ(format_log_line(log_line(1)),
            "2026-12-01T09:00:01.000Z app[0e286e5d2c3a47] ams [info] line 1\n");
  EXPECT_EQ(format_log_line(log_line(2, "stderr")),
            "2026-12-01T09:00:02.000Z app[1f397f6e3d4b58] ams [stderr] line 2\n");
}

TEST(LogLineFormat, KeepsOneLogLineOnOneOutputLine) {
  auto l = log_line(1);
  l.message = "a\rb\x1b[2Jc";
  auto text = format_log_line(l);
  EXPECT_EQ(text.find('\r'), std::string::npos);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);
}

TEST(LogLineJson, IsOneCompactApiDocumentPerLine) {
  auto l = log_line(2, "stderr");
  l.message = "say \"hi\"\n";
  auto text = log_line_json(l);
  ASSERT_EQ(text.back(), '\n');
  EXPECT_EQ(text.find('\n'), text.size() - 1);
  auto doc = nlohmann::json::parse(text);
  EXPECT_EQ(doc["machine_id"], "1f397f6e3d4b58");
  EXPECT_EQ(doc["region"], "ams");
  EXPECT_EQ(doc["timestamp"], "2026-12-01T09:00:02.000Z");
  EXPECT_EQ(doc["stream"], "stderr");
  EXPECT_EQ(doc["message"], "say \"hi\"\n");
}

TEST(LogLineJson, InvalidUtf8StillGivesAParsableRecord) {
  auto l = log_line(1);
  l.message = "caf\xe9";
  EXPECT_NO_THROW(nlohmann::json::parse(log_line_json(l)));
}

// The API's logs endpoint over a growing list: pages of `limit` after the cursor (an index);
// with wait, lines `arriving` are appended on the first poll that finds nothing new.
struct LogServer {
  FakeApi api;
  std::mutex mu;
  std::vector<api::LogLine> kept;
  std::vector<api::LogLine> arriving;
  std::vector<std::string> requests;
  std::set<std::size_t> failing;  // 1-based numbers of requests answered 503
  int fail_status = 503;

  void start() {
    api.server.Get("/v1/apps/my-app/logs", [this](const httplib::Request& req,
                                                  httplib::Response& res) {
      std::lock_guard lock(mu);
      requests.push_back("cursor=" + req.get_param_value("cursor") +
                         " wait=" + req.get_param_value("wait") +
                         " machine=" + req.get_param_value("machine_id"));
      if (failing.contains(requests.size())) {
        res.status = fail_status;
        res.set_content(R"({"error":"restarting","code":"unavailable"})", "application/json");
        return;
      }
      std::size_t from = req.has_param("cursor") ? std::stoul(req.get_param_value("cursor")) : 0;
      std::size_t limit = req.has_param("limit") ? std::stoul(req.get_param_value("limit")) : 100;
      if (from >= kept.size() && req.has_param("wait") && !arriving.empty()) {
        kept.insert(kept.end(), arriving.begin(), arriving.end());
        arriving.clear();
      }
      nlohmann::json items = nlohmann::json::array();
      std::size_t at = from;
      for (; at < kept.size() && at < from + limit; ++at) items.push_back(kept[at]);
      res.set_content(
          nlohmann::json{{"items", items}, {"next_cursor", std::to_string(at)}}.dump(),
          "application/json");
    });
    api.start();
  }
};

TEST(StreamLogs, PrintsTheNewestNLinesOfEveryPageOldestFirstThenStops) {
  LogServer server;
  for (int i = 1; i <= 5; ++i) server.kept.push_back(log_line(i));
  server.start();
  api::Client client(options_for(server.api));
  LogsRequest request;
  request.app = "my-app";
  request.lines = 3;
  request.page_limit = 2;
  std::vector<std::vector<std::string>> batches;
  stream_logs(
      client, request,
      [&](const std::vector<api::LogLine>& lines) {
        batches.emplace_back();
        for (const auto& l : lines) batches.back().push_back(l.message);
      },
      [] { return false; });
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0], (std::vector<std::string>{"line 3", "line 4", "line 5"}));
  std::lock_guard lock(server.mu);
  // Pages of two to the end (the empty page), never a long-poll without --follow.
  EXPECT_EQ(server.requests,
            (std::vector<std::string>{"cursor= wait= machine=", "cursor=2 wait= machine=",
                                      "cursor=4 wait= machine=", "cursor=5 wait= machine="}));
}

TEST(StreamLogs, FollowingLongPollsFromTheEndAndHandsOverNewLinesInOrder) {
  LogServer server;
  for (int i = 1; i <= 2; ++i) server.kept.push_back(log_line(i));
  for (int i = 3; i <= 4; ++i) server.arriving.push_back(log_line(i, "stderr"));
  server.start();
  api::Client client(options_for(server.api));
  LogsRequest request;
  request.app = "my-app";
  request.machine_id = "0e286e5d2c3a47";
  request.lines = 0;  // only what arrives
  request.follow = true;
  request.wait_seconds = 1;
  std::vector<std::string> seen;
  stream_logs(
      client, request,
      [&](const std::vector<api::LogLine>& lines) {
        for (const auto& l : lines) seen.push_back(l.message + "/" + l.stream);
      },
      [&] { return seen.size() >= 2; });
  EXPECT_EQ(seen, (std::vector<std::string>{"line 3/stderr", "line 4/stderr"}));
  std::lock_guard lock(server.mu);
  ASSERT_GE(server.requests.size(), 2u);
  EXPECT_EQ(server.requests.back(), "cursor=2 wait=1 machine=0e286e5d2c3a47");
}

TEST(StreamLogs, AnUnknownAppIsTheApisNotFound) {
  FakeApi api;
  api.server.Get("/v1/apps/nope/logs", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"error":"no app named nope","code":"not_found"})", "application/json");
  });
  api.start();
  api::Client client(options_for(api));
  LogsRequest request;
  request.app = "nope";
  try {
    stream_logs(client, request, [](const std::vector<api::LogLine>&) {}, [] { return false; });
    FAIL() << "expected an HttpError";
  } catch (const api::HttpError& e) {
    EXPECT_EQ(e.status, 404);
  }
}

TEST(ReconnectDelay, IsOneSecondDoublingToTen) {
  using std::chrono::milliseconds;
  std::optional<milliseconds> delay;
  std::vector<long> seen;
  for (int i = 0; i < 6; ++i) {
    delay = next_reconnect_delay(delay, std::chrono::seconds(1), std::chrono::seconds(10));
    seen.push_back(static_cast<long>(delay->count()));
  }
  EXPECT_EQ(seen, (std::vector<long>{1000, 2000, 4000, 8000, 10000, 10000}));
}

TEST(PassingFailure, IsNoAnswerOrAServersTroubleNotARefusal) {
  EXPECT_TRUE(is_passing_failure(api::TransportError("connection refused")));
  EXPECT_TRUE(is_passing_failure(api::HttpError(503, "restarting", "unavailable", "")));
  EXPECT_TRUE(is_passing_failure(api::HttpError(500, "oops", "internal", "")));
  EXPECT_TRUE(is_passing_failure(api::HttpError(429, "slow down", "rate_limited", "")));
  EXPECT_FALSE(is_passing_failure(api::HttpError(401, "no", "unauthorized", "")));
  EXPECT_FALSE(is_passing_failure(api::HttpError(404, "gone", "not_found", "")));
  EXPECT_FALSE(is_passing_failure(api::TlsFailure("certificate changed")));
  EXPECT_FALSE(is_passing_failure(api::Cancelled()));
}

LogsRequest following(int lines) {
  LogsRequest request;
  request.app = "my-app";
  request.lines = lines;
  request.follow = true;
  request.wait_seconds = 1;
  request.reconnect_first = std::chrono::milliseconds(10);
  request.reconnect_max = std::chrono::milliseconds(40);
  return request;
}

TEST(StreamLogs, FollowingOutlivesFailedPollsAndResumesFromTheLastCursor) {
  LogServer server;
  for (int i = 1; i <= 2; ++i) server.kept.push_back(log_line(i));
  for (int i = 3; i <= 4; ++i) server.arriving.push_back(log_line(i));
  server.failing = {3, 4, 5};  // the first three polls after the kept lines
  server.start();
  auto options = options_for(server.api);
  options.max_attempts = 1;  // each failure reaches the loop
  api::Client client(options);
  std::vector<std::string> seen, notices;
  stream_logs(
      client, following(100),
      [&](const std::vector<api::LogLine>& lines) {
        for (const auto& l : lines) seen.push_back(l.message);
      },
      [&] { return seen.size() >= 4; }, [&](const std::string& s) { notices.push_back(s); });
  EXPECT_EQ(seen, (std::vector<std::string>{"line 1", "line 2", "line 3", "line 4"}));
  ASSERT_EQ(notices.size(), 2u) << "one sentence for the outage, one for its end";
  EXPECT_EQ(notices[0].rfind("Lost the control plane (", 0), 0u) << notices[0];
  EXPECT_EQ(notices[1], "The control plane answers again; following on");
  std::lock_guard lock(server.mu);
  ASSERT_EQ(server.requests.size(), 6u);
  for (std::size_t i = 2; i < 6; ++i) EXPECT_EQ(server.requests[i], "cursor=2 wait=1 machine=");
}

TEST(StreamLogs, ARefusalWhileFollowingIsFinal) {
  LogServer server;
  server.failing = {2};
  server.fail_status = 401;
  server.start();
  auto options = options_for(server.api);
  options.max_attempts = 1;
  api::Client client(options);
  std::vector<std::string> notices;
  try {
    stream_logs(
        client, following(0), [](const std::vector<api::LogLine>&) {}, [] { return false; },
        [&](const std::string& s) { notices.push_back(s); });
    FAIL() << "expected an HttpError";
  } catch (const api::HttpError& e) {
    EXPECT_EQ(e.status, 401);
  }
  EXPECT_TRUE(notices.empty());
  std::lock_guard lock(server.mu);
  EXPECT_EQ(server.requests.size(), 2u);
}

TEST(StreamLogs, StoppingWhileWaitingToRetryEndsAtOnce) {
  LogServer server;
  for (std::size_t i = 1; i <= 1000; ++i) server.failing.insert(i);
  server.start();
  auto options = options_for(server.api);
  options.max_attempts = 1;
  api::Client client(options);
  auto request = following(0);
  request.reconnect_first = request.reconnect_max = std::chrono::hours(1);
  std::atomic<int> notices{0};
  std::atomic<bool> stop{false};
  std::thread stopper([&] {
    while (notices == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    stop = true;
  });
  stream_logs(
      client, request, [](const std::vector<api::LogLine>&) {}, [&] { return stop.load(); },
      [&](const std::string&) { ++notices; });
  stopper.join();
  EXPECT_EQ(notices, 1);
}

}  // namespace
}  // namespace sixpn::commands
