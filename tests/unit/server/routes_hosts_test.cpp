// The host routes through the dispatcher: credential scopes, registration, the state watch.
#include <gtest/gtest.h>

#include <thread>

#include "core/keys.hpp"
#include "server/change_waiter.hpp"
#include "server/http/auth_limiter.hpp"
#include "server/http/dispatch.hpp"
#include "server/http/router.hpp"
#include "server/store/sqlite_store.hpp"
#include "server/tokens.hpp"
#include "tests/unit/server/temp_db.hpp"

namespace sixpn::server::http {
namespace {

using testing::TempDb;

class HostRoutesTest : public ::testing::Test {
 protected:
  TempDb db;
  RegionCatalog regions = RegionCatalog::builtin();
  store::SqliteStore store{db.path(), regions};
  ChangeWaiter changes;
  ChangeWaiter log_lines;
  Services services{store, regions, HostPort{"127.0.0.1", 51820}, "gw"};
  Router router{route_table()};
  std::string org_token = new_token();
  std::string operator_token = new_token();

  HostRoutesTest() {
    services.changes = &changes;
    services.log_lines = &log_lines;
    store.add_change_listener([this] { changes.bump(); });
    store.create_org("acme", "Acme");
    store.create_token(sha256(org_token), store::NewToken{{"acme"}, "", std::nullopt});
    store.create_token(sha256(operator_token), store::NewToken{{}, "ops", std::nullopt, true});
  }

  httplib::Response call(const std::string& method, const std::string& path,
                         const std::string& token, const std::string& body = "",
                         httplib::Params query = {}) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.body = body;
    req.params = std::move(query);
    if (!token.empty()) req.headers.emplace("Authorization", "Bearer " + token);
    httplib::Response res;
    auto m = router.match(method, path);
    EXPECT_NE(m.route, nullptr) << method << " " << path;
    if (m.route != nullptr) dispatch(services, *m.route, std::move(m.params), req, res);
    return res;
  }

  std::string join_token(const std::string& region = "fra") {
    auto token = new_token(kJoinTokenPrefix);
    store.create_join_token(sha256(token), store::NewJoinToken{region, "",
                                                               rfc3339(std::time(nullptr) + 3600)});
    return token;
  }

  std::string register_body(const std::string& token) {
    return api::Json{{"join_token", token},
                     {"pubkey", core::PrivateKey::generate().public_key().base64()},
                     {"endpoint", "10.0.0.2:51821"}}
        .dump();
  }

  // Registers a host and returns its credential.
  std::string credential() {
    auto res = call("POST", "/v1/hosts/register", "", register_body(join_token()));
    EXPECT_EQ(res.status, 201) << res.body;
    return api::Json::parse(res.body).at("credential").get<std::string>();
  }
};

TEST_F(HostRoutesTest, RegistrationAnswersACredentialOnceAndRefusesTheTokenAfter) {
  auto token = join_token();
  auto res = call("POST", "/v1/hosts/register", "", register_body(token));
  ASSERT_EQ(res.status, 201) << res.body;
  auto doc = api::Json::parse(res.body).get<api::HostRegistered>();
  EXPECT_EQ(doc.credential.rfind("sixpn_host_", 0), 0u);
  EXPECT_EQ(doc.host.id, store::kFirstHostId);
  auto again = call("POST", "/v1/hosts/register", "", register_body(token));
  EXPECT_EQ(again.status, 401);
  EXPECT_NE(again.body.find("join_token_invalid"), std::string::npos);
}

TEST_F(HostRoutesTest, RegistrationRefusesAMalformedEndpointOrKey) {
  auto body = api::Json::parse(register_body(join_token()));
  body["endpoint"] = "example.com:80";
  EXPECT_EQ(call("POST", "/v1/hosts/register", "", body.dump()).status, 400);
  body["endpoint"] = "[fd00::1]:51820";
  body["pubkey"] = "not a key";
  EXPECT_EQ(call("POST", "/v1/hosts/register", "", body.dump()).status, 400);
}

TEST_F(HostRoutesTest, RepeatedBadJoinTokensFromOneAddressAre429) {
  AuthLimiter limiter(2, std::chrono::seconds(600));
  services.auth_limiter = &limiter;
  auto bad = register_body("sixpn_join_guess");
  EXPECT_EQ(call("POST", "/v1/hosts/register", "", bad).status, 401);
  EXPECT_EQ(call("POST", "/v1/hosts/register", "", bad).status, 401);
  EXPECT_EQ(call("POST", "/v1/hosts/register", "", bad).status, 429);
}

TEST_F(HostRoutesTest, EachCredentialReachesOnlyItsOwnRoutes) {
  auto host = credential();
  EXPECT_EQ(call("GET", "/v1/hosts/self/state", host, "", {{"wait", "0"}}).status, 200);
  EXPECT_EQ(call("GET", "/v1/hosts/self/state", org_token, "", {{"wait", "0"}}).status, 403);
  EXPECT_EQ(call("GET", "/v1/hosts/self/state", operator_token, "", {{"wait", "0"}}).status, 403);
  EXPECT_EQ(call("GET", "/v1/hosts/self/state", "sixpn_host_unknown").status, 401);
  EXPECT_EQ(call("GET", "/v1/hosts", operator_token).status, 200);
  EXPECT_EQ(call("GET", "/v1/hosts", org_token).status, 403);
  EXPECT_EQ(call("GET", "/v1/hosts", host).status, 403);
  EXPECT_EQ(call("GET", "/v1/apps", host).status, 403);
  EXPECT_EQ(call("GET", "/v1/apps", operator_token).status, 403);
  EXPECT_EQ(call("GET", "/v1/apps", org_token).status, 200);
}

TEST_F(HostRoutesTest, ARemovedHostsCredentialIsRefused) {
  auto host = credential();
  auto id = store.list_hosts().at(0).id;
  EXPECT_EQ(call("DELETE", "/v1/hosts/" + std::to_string(id), operator_token).status, 204);
  EXPECT_EQ(call("GET", "/v1/hosts/self/state", host, "", {{"wait", "0"}}).status, 401);
}

TEST_F(HostRoutesTest, TheWatchAnswersAtOnceWhenTheHostIsBehind) {
  auto host = credential();
  auto res = call("GET", "/v1/hosts/self/state", host, "", {{"after", "0"}, {"wait", "60"}});
  ASSERT_EQ(res.status, 200);
  auto state = api::Json::parse(res.body).get<api::HostState>();
  EXPECT_EQ(state.version, changes.version());
  EXPECT_FALSE(state.regions.empty());
}

TEST_F(HostRoutesTest, TheWatchReturnsWithANewerVersionAfterAChange) {
  auto host = credential();
  const auto seen = changes.version();
  httplib::Response res;
  std::thread watch([&] {
    res = call("GET", "/v1/hosts/self/state", host, "",
               {{"after", std::to_string(seen)}, {"wait", "60"}});
  });
  auto org = *store.find_org("acme");
  auto app = store.create_app(org, "web");
  store::NewMachine m;
  m.region = "fra";
  m.process_group = "app";
  store.create_machine(app, m);
  watch.join();
  ASSERT_EQ(res.status, 200) << res.body;
  auto state = api::Json::parse(res.body).get<api::HostState>();
  EXPECT_GT(state.version, seen);
}

TEST_F(HostRoutesTest, AWatchEndsWhenTheServerShutsDown) {
  auto host = credential();
  const auto seen = changes.version();
  httplib::Response res;
  std::thread watch([&] {
    res = call("GET", "/v1/hosts/self/state", host, "",
               {{"after", std::to_string(seen)}, {"wait", "60"}});
  });
  changes.shutdown();
  watch.join();
  EXPECT_EQ(res.status, 200);
}

TEST_F(HostRoutesTest, AMachineLandsOnTheHostAndItsReportsShowInTheMachinesState) {
  auto host = credential();
  auto org = *store.find_org("acme");
  store.create_app(org, "web");
  auto created = call("POST", "/v1/apps/web/machines", org_token,
                      R"({"region":"fra","config":{"init":{"cmd":["sleep","60"]},"metadata":{"a":"1"}},"metadata":{"b":"2"}})");
  ASSERT_EQ(created.status, 201) << created.body;
  auto m = api::Json::parse(created.body).get<api::Machine>();
  EXPECT_EQ(m.state, "created");
  EXPECT_EQ(m.host_id, store::kFirstHostId);
  EXPECT_EQ(m.metadata.size(), 2u);
  EXPECT_EQ(m.config.init_cmd, (std::vector<std::string>{"sleep", "60"}));
  auto state = api::Json::parse(call("GET", "/v1/hosts/self/state", host, "", {{"wait", "0"}}).body)
                   .get<api::HostState>();
  ASSERT_EQ(state.machines.size(), 1u);
  EXPECT_EQ(state.machines[0].id, m.id);
  ASSERT_EQ(state.dns.size(), 1u);
  EXPECT_EQ(state.dns[0].slug, "acme");
  auto report = api::Json{{"machines", {{{"id", m.id}, {"generation", 1}, {"state", "started"}}}}};
  EXPECT_EQ(call("POST", "/v1/hosts/self/reports", host, report.dump()).status, 204);
  auto wait = call("GET", "/v1/apps/web/machines/" + m.id + "/wait", org_token, "",
                   {{"state", "started"}, {"timeout", "1"}});
  EXPECT_EQ(wait.status, 200) << wait.body;
  auto logs = api::Json{{"lines", {{{"machine_id", m.id}, {"timestamp", "2026-12-01T12:00:00.000Z"},
                                    {"stream", "stdout"}, {"message", "hello"}}}}};
  EXPECT_EQ(call("POST", "/v1/hosts/self/logs", host, logs.dump()).status, 204);
  auto page = api::Json::parse(call("GET", "/v1/apps/web/logs", org_token).body)
                  .get<api::Page<api::LogLine>>();
  ASSERT_EQ(page.items.size(), 1u);
  EXPECT_EQ(page.items[0].message, "hello");
  EXPECT_EQ(page.items[0].region, "fra");
  EXPECT_TRUE(page.next_cursor.has_value());
}

TEST_F(HostRoutesTest, AnInvalidConfigIsRefusedWithItsSentence) {
  store.create_app(*store.find_org("acme"), "web");
  auto res = call("POST", "/v1/apps/web/machines", org_token,
                  R"({"region":"fra","config":{"restart":{"policy":"sometimes"}}})");
  EXPECT_EQ(res.status, 422);
  EXPECT_NE(res.body.find("invalid_config"), std::string::npos);
  EXPECT_NE(res.body.find("restart.policy"), std::string::npos);
}

TEST_F(HostRoutesTest, NoHostInTheRegionIs422OnceAHostExists) {
  credential();  // a host in fra
  store.create_app(*store.find_org("acme"), "web");
  auto res = call("POST", "/v1/apps/web/machines", org_token, R"({"region":"syd"})");
  EXPECT_EQ(res.status, 422);
  EXPECT_NE(res.body.find("no_host_in_region"), std::string::npos);
  EXPECT_NE(res.body.find("fra"), std::string::npos);
}

TEST_F(HostRoutesTest, AWaitTimesOutWith408) {
  credential();
  store.create_app(*store.find_org("acme"), "web");
  auto m = api::Json::parse(call("POST", "/v1/apps/web/machines", org_token,
                                 R"({"region":"fra"})").body)
               .get<api::Machine>();
  auto res = call("GET", "/v1/apps/web/machines/" + m.id + "/wait", org_token, "",
                  {{"state", "stopped"}, {"timeout", "1"}});
  EXPECT_EQ(res.status, 408);
}

}  // namespace
}  // namespace sixpn::server::http
