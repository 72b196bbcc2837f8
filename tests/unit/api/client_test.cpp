#include "api/client.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client_fixture.hpp"
#include "fake_api.hpp"

namespace sixpn::api {
namespace {

using testing::FakeApi;
using testing::kPeer;
using testing::options_for;

const char* kRegions =
    R"({"items":[{"code":"ams","name":"Amsterdam","latitude":52.3,"longitude":4.9,)"
    R"("gateway_available":true,"deprecated":false}],"nearest":"ams","next_cursor":null})";

TEST(Client, RegionsNeedNoTokenAndSendUserAgent) {
  FakeApi api;
  std::mutex mu;
  std::string agent, auth = "unset";
  api.server.Get("/v1/platform/regions", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    agent = req.get_header_value("User-Agent");
    auth = req.get_header_value("Authorization");
    res.set_content(kRegions, "application/json");
  });
  api.start();
  Client client(options_for(api, ""));
  auto regions = client.regions();
  ASSERT_EQ(regions.items.size(), 1u);
  EXPECT_EQ(regions.items[0].code, "ams");
  EXPECT_EQ(regions.nearest, "ams");
  std::lock_guard lock(mu);
  EXPECT_EQ(agent, "sixpn/test");
  EXPECT_EQ(auth, "");
}

TEST(Client, SendsTheTokenAsBearer) {
  FakeApi api;
  std::mutex mu;
  std::string auth;
  api.server.Get("/v1/orgs", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    auth = req.get_header_value("Authorization");
    res.set_content(R"({"items":[],"next_cursor":null})", "application/json");
  });
  api.start();
  Client client(options_for(api));
  EXPECT_TRUE(client.orgs().empty());
  std::lock_guard lock(mu);
  EXPECT_EQ(auth, "Bearer secret-token");
}

TEST(Client, MissingTokenFailsBeforeAnyRequest) {
  FakeApi api;
  std::atomic<int> hits = 0;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response&) { ++hits; });
  api.start();
  Client client(options_for(api, ""));
  EXPECT_THROW(client.orgs(), MissingToken);
  EXPECT_EQ(hits, 0);
}

TEST(Client, RetriesGetOn503UntilItSucceeds) {
  FakeApi api;
  std::atomic<int> hits = 0;
  api.server.Get("/v1/platform/regions", [&](const httplib::Request&, httplib::Response& res) {
    if (++hits < 3) {
      res.status = 503;
      res.set_content(R"({"error":"busy","code":"unavailable"})", "application/json");
      return;
    }
    res.set_content(kRegions, "application/json");
  });
  api.start();
  Client client(options_for(api));
  EXPECT_EQ(client.regions().items.size(), 1u);
  EXPECT_EQ(hits, 3);
}

TEST(Client, CreateRetriesWithOneIdempotencyKey) {
  FakeApi api;
  std::mutex mu;
  std::vector<std::string> keys;
  api.server.Post("/v1/orgs/acme/wireguard_peers",
                  [&](const httplib::Request& req, httplib::Response& res) {
                    std::lock_guard lock(mu);
                    keys.push_back(req.get_header_value("Idempotency-Key"));
                    if (keys.size() < 3) {
                      res.status = keys.size() == 1 ? 502 : 429;
                      return;
                    }
                    res.status = 201;
                    res.set_content(kPeer, "application/json");
                  });
  api.start();
  Client client(options_for(api));
  auto peer = client.create_peer("acme", {"p1", "ams", "key"});
  EXPECT_EQ(peer.peer_ip, "fdaa:0:1:0:2:0:a:2");
  std::lock_guard lock(mu);
  ASSERT_EQ(keys.size(), 3u);
  EXPECT_EQ(keys[0].size(), 32u);
  EXPECT_EQ(keys[0], keys[1]);
  EXPECT_EQ(keys[1], keys[2]);
}

TEST(Client, EveryCreateGetsADifferentKey) {
  EXPECT_NE(Client::new_idempotency_key(), Client::new_idempotency_key());
}

TEST(Client, PostWithoutIdempotencyKeyIsNotRetried) {
  FakeApi api;
  std::atomic<int> hits = 0;
  api.server.Post("/v1/apps/web/machines/m1/start",
                  [&](const httplib::Request&, httplib::Response& res) {
                    ++hits;
                    res.status = 503;
                  });
  api.start();
  Client client(options_for(api));
  EXPECT_THROW(client.start_machine("web", "m1"), HttpError);
  EXPECT_EQ(hits, 1);
}

TEST(Client, GivesUpAfterMaxAttemptsWithTheLastStatus) {
  FakeApi api;
  std::atomic<int> hits = 0;
  api.server.Delete("/v1/orgs/acme/wireguard_peers/p1",
                    [&](const httplib::Request&, httplib::Response& res) {
                      ++hits;
                      res.status = 504;
                    });
  api.start();
  auto o = options_for(api);
  o.max_attempts = 3;
  Client client(o);
  try {
    client.delete_peer("acme", "p1");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 504);
  }
  EXPECT_EQ(hits, 3);
}

TEST(Client, ApiErrorCarriesSentenceCodeAndRequestId) {
  FakeApi api;
  api.server.Get(
      "/v1/orgs/acme/wireguard_peers", [&](const httplib::Request&, httplib::Response& res) {
        res.status = 404;
        res.set_header("X-Request-Id", "req-123");
        res.set_content(R"({"error":"org acme not found","code":"not_found"})", "application/json");
      });
  api.start();
  Client client(options_for(api));
  try {
    client.peers("acme");
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 404);
    EXPECT_EQ(e.message, "org acme not found");
    EXPECT_EQ(e.code, "not_found");
    EXPECT_EQ(e.request_id, "req-123");
  }
}

TEST(Client, ErrorWithoutJsonBodyNamesTheStatus) {
  FakeApi api;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 500;
    res.set_content("<html>oops</html>", "text/html");
  });
  api.start();
  Client client(options_for(api));
  try {
    client.orgs();
    FAIL() << "expected HttpError";
  } catch (const HttpError& e) {
    EXPECT_EQ(e.status, 500);
    EXPECT_EQ(e.message, "the API answered HTTP 500 to GET /v1/orgs");
  }
}

TEST(Client, TruncatedJsonIsAShapeError) {
  FakeApi api;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"items":[{"slug":"a")", "application/json");
  });
  api.start();
  Client client(options_for(api));
  try {
    client.orgs();
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("invalid JSON in the response to GET /v1/orgs"),
              std::string::npos)
        << e.what();
  }
}

TEST(Client, WrongShapeIsAShapeErrorNamingTheField) {
  FakeApi api;
  api.server.Get("/v1/apps/web/machines", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(R"({"items":[{"id":"m1","region":7}]})", "application/json");
  });
  api.start();
  Client client(options_for(api));
  try {
    client.machines("web");
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("\"region\""), std::string::npos) << e.what();
  }
}

TEST(Client, RefusesBodiesOverTheCap) {
  FakeApi api;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(8192, ' ') + "{}", "application/json");
  });
  api.start();
  auto o = options_for(api);
  o.max_body_bytes = 1024;
  Client client(o);
  try {
    client.orgs();
    FAIL() << "expected TransportError";
  } catch (const TransportError& e) {
    EXPECT_NE(std::string(e.what()).find("is larger than 1024 bytes; refusing to read it"),
              std::string::npos)
        << e.what();
  }
}

TEST(Client, TimeoutEndsTheCallWithinItsBudget) {
  FakeApi api;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content(R"({"items":[]})", "application/json");
  });
  api.start();
  auto o = options_for(api);
  o.timeout_seconds = 0.3;
  Client client(o);
  auto start = std::chrono::steady_clock::now();
  EXPECT_THROW(client.orgs(), TransportError);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

TEST(Client, RefusedConnectionIsATransportError) {
  int port;
  {
    FakeApi closed;
    closed.start();
    port = std::stoi(closed.url().substr(closed.url().rfind(':') + 1));
  }
  ClientOptions o;
  o.base_url = "http://127.0.0.1:" + std::to_string(port);
  o.backoff_base_seconds = 0.01;
  std::vector<std::string> log;
  o.log = [&](std::string_view line) { log.emplace_back(line); };
  Client client(o);
  EXPECT_THROW(client.regions(), TransportError);
  int attempts = 0;
  for (const auto& line : log) attempts += line.rfind("> GET", 0) == 0;
  EXPECT_EQ(attempts, 4);
}

TEST(Client, EscapesEveryPathPart) {
  FakeApi api;
  std::mutex mu;
  std::string target;
  api.server.Delete(R"(/v1/orgs/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    std::lock_guard lock(mu);
    target = req.target;
    res.status = 204;
  });
  api.start();
  Client client(options_for(api));
  client.delete_peer("my org", "a/b?c");
  std::lock_guard lock(mu);
  EXPECT_EQ(target, "/v1/orgs/my%20org/wireguard_peers/a%2Fb%3Fc");
}

TEST(Client, VerboseLogNeverShowsTheToken) {
  FakeApi api;
  api.server.Post("/v1/apps", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 201;
    res.set_header("X-Request-Id", "r-9");
    res.set_content(R"({"name":"web","org":"acme"})", "application/json");
  });
  api.start();
  auto o = options_for(api);
  std::string log;
  o.log = [&](std::string_view line) { log += std::string(line) + "\n"; };
  Client client(o);
  client.create_app({"web", "acme"});
  EXPECT_EQ(log.find("secret-token"), std::string::npos) << log;
  EXPECT_NE(log.find("> Authorization: Bearer [redacted]"), std::string::npos) << log;
  EXPECT_NE(log.find("> POST " + api.url() + "/v1/apps"), std::string::npos) << log;
  EXPECT_NE(log.find("request id r-9"), std::string::npos) << log;
}

TEST(Client, CancelledHookAbortsARequestInFlight) {
  FakeApi api;
  api.server.Get("/v1/orgs", [&](const httplib::Request&, httplib::Response& res) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    res.set_content(R"({"items":[]})", "application/json");
  });
  api.start();
  auto o = options_for(api);
  const auto start = std::chrono::steady_clock::now();
  o.cancelled = [start] {
    return std::chrono::steady_clock::now() - start > std::chrono::milliseconds(100);
  };
  Client client(o);
  EXPECT_THROW(client.orgs(), Cancelled);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1000));
}

TEST(Client, RefusesAUrlThatIsNotHttp) {
  ClientOptions o;
  o.base_url = "ftp://127.0.0.1";
  EXPECT_THROW(Client{o}, BadUrl);
  o.base_url = "127.0.0.1:4280";
  EXPECT_THROW(Client{o}, BadUrl);
}

}  // namespace
}  // namespace sixpn::api
