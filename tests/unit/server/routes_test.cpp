#include "server/http/routes.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "server/http/router.hpp"

namespace sixpn::server::http {
namespace {

// (METHOD, path) pairs of api/openapi.yaml, read from its layout: a path is a two-space
// indented key starting with "/", its operations four-space indented get/post/delete keys.
std::set<std::pair<std::string, std::string>> openapi_operations() {
  std::ifstream in(std::string(SIXPN_SOURCE_DIR) + "/api/openapi.yaml");
  EXPECT_TRUE(in.good()) << "api/openapi.yaml is missing";
  std::set<std::pair<std::string, std::string>> ops;
  std::string line;
  std::string path;
  bool in_paths = false;
  while (std::getline(in, line)) {
    if (line == "paths:") {
      in_paths = true;
      continue;
    }
    if (!line.empty() && line[0] != ' ' && line[0] != '#') in_paths = false;
    if (!in_paths) continue;
    if (line.rfind("  /", 0) == 0 && line.back() == ':') {
      path = line.substr(2, line.size() - 3);
      continue;
    }
    for (const char* method : {"get", "post", "delete", "put", "patch"}) {
      if (line == std::string("    ") + method + ":") {
        std::string upper = method;
        for (auto& c : upper) c = static_cast<char>(std::toupper(c));
        ops.emplace(upper, path);
      }
    }
  }
  return ops;
}

TEST(Routes, EveryRegisteredRouteIsDescribedInOpenApi) {
  auto ops = openapi_operations();
  ASSERT_FALSE(ops.empty());
  for (const auto& r : route_table()) {
    EXPECT_TRUE(ops.count({r.method, r.path}))
        << r.method << " " << r.path << " is not in api/openapi.yaml";
  }
}

TEST(Routes, OpenApiDescribesNoRouteTheServerLacks) {
  std::set<std::pair<std::string, std::string>> registered;
  for (const auto& r : route_table()) registered.emplace(r.method, r.path);
  for (const auto& op : openapi_operations()) {
    EXPECT_TRUE(registered.count(op))
        << op.first << " " << op.second << " is in openapi.yaml but not served";
  }
}

TEST(Routes, OnlyRegionsAndHostRegistrationArePublic) {
  for (const auto& r : route_table()) {
    bool is_public = r.path == "/v1/platform/regions" || r.path == "/v1/hosts/register";
    EXPECT_EQ(r.auth == Auth::None, is_public) << r.method << " " << r.path;
  }
}

TEST(Routes, HostCredentialsReachOnlyTheirOwnRoutes) {
  for (const auto& r : route_table()) {
    EXPECT_EQ(r.auth == Auth::Host, r.path.rfind("/v1/hosts/self/", 0) == 0) << r.path;
    if (r.auth == Auth::Operator) EXPECT_EQ(r.path.rfind("/v1/hosts", 0), 0u) << r.path;
  }
}

TEST(Router, MatchesTemplatesAndExtractsParameters) {
  Router router(route_table());
  auto m = router.match("POST", "/v1/apps/web/machines/0123456789abcd/stop");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.route->path, "/v1/apps/{app}/machines/{id}/stop");
  EXPECT_EQ(m.params, (std::vector<std::string>{"web", "0123456789abcd"}));
  auto ip = router.match("DELETE", "/v1/apps/web/ip_assignments/fdaa:0:1:0:1::3");
  ASSERT_NE(ip.route, nullptr);
  EXPECT_EQ(ip.params.at(1), "fdaa:0:1:0:1::3");
}

TEST(Router, WrongMethodNamesTheAllowedOnes) {
  Router router(route_table());
  auto m = router.match("PUT", "/v1/apps");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_EQ(m.allowed, "GET, POST");
}

TEST(Router, UnknownPathsAndExtraSegmentsMatchNothing) {
  Router router(route_table());
  for (const char* path : {"/v1/nope", "/v1/apps/web/extra/x", "/v1/apps/", "/v1/apps//machines",
                           "/v2/apps", "/v1/platform/regions/x"}) {
    auto m = router.match("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
  }
}

TEST(Router, SegmentsKeepEmptyOnesSoSlashesCount) {
  EXPECT_EQ(Router::segments("/v1/a.b/{x}"), (std::vector<std::string>{"", "v1", "a.b", "{x}"}));
  EXPECT_EQ(Router::segments("/v1/apps/"), (std::vector<std::string>{"", "v1", "apps", ""}));
}

TEST(Router, LiteralSegmentsMatchOnlyThemselves) {
  Router router(route_table());
  for (const char* path : {"/v1/platform/region", "/v1/platform/regions.", "/v1/platform/.*",
                           "/v1/Platform/regions", "v1/platform/regions"}) {
    EXPECT_EQ(router.match("GET", path).route, nullptr) << path;
    EXPECT_EQ(router.match("GET", path).allowed, "") << path;
  }
  EXPECT_NE(router.match("HEAD", "/v1/platform/regions").route, nullptr);
}

}  // namespace
}  // namespace sixpn::server::http
