#include "cli/resolve.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "../api/fake_api.hpp"
#include "capture.hpp"
#include "cli/errors.hpp"
#include "env.hpp"

namespace sixpn::cli {
namespace {

const char* kTwoOrgs =
    R"({"items":[{"slug":"acme","name":"Acme","network_id":1,"network_prefix":"fdaa:0:1::/48",)"
    R"("dns_server":"fdaa:0:1::3"},{"slug":"beta","name":"Beta","network_id":2,)"
    R"("network_prefix":"fdaa:0:2::/48","dns_server":"fdaa:0:2::3"}],"next_cursor":null})";

struct OrgsApi {
  explicit OrgsApi(const char* body) {
    api.server.Get("/v1/orgs", [body](const httplib::Request&, httplib::Response& res) {
      res.set_content(body, "application/json");
    });
    api.start();
  }
  testing::FakeApi api;
};

void point_at(Context& ctx, const OrgsApi& orgs) {
  ctx.options.settings.api_url = orgs.api.url();
  ctx.options.settings.token = "t";
}

TEST(ResolveOrg, PositionalWinsWithoutAsking) {
  testing::ScopedEnv env;
  env.set("SIXPN_ORG", "from-env");
  Context ctx;
  EXPECT_EQ(resolve_org(ctx, "given"), "given");
}

TEST(ResolveOrg, FlagThenEnvironment) {
  testing::ScopedEnv env;
  env.set("SIXPN_ORG", "from-env");
  {
    Context ctx;
    EXPECT_EQ(resolve_org(ctx), "from-env");
  }
  Context ctx;
  ctx.options.settings.org = "from-flag";
  EXPECT_EQ(resolve_org(ctx), "from-flag");
}

TEST(ResolveOrg, TheTokensOnlyOrg) {
  testing::ScopedEnv env;
  OrgsApi api(R"({"items":[{"slug":"solo","name":"Solo","network_id":1,)"
              R"("network_prefix":"fdaa:0:1::/48","dns_server":"fdaa:0:1::3"}]})");
  Context ctx;
  point_at(ctx, api);
  ctx.set_interactive(false);
  EXPECT_EQ(resolve_org(ctx), "solo");
}

TEST(ResolveOrg, SeveralOrgsOffATerminalIsAUsageError) {
  testing::ScopedEnv env;
  OrgsApi api(kTwoOrgs);
  Context ctx;
  point_at(ctx, api);
  ctx.set_interactive(false);
  try {
    resolve_org(ctx);
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_STREQ(e.what(), "org must be specified when not running interactively");
  }
}

TEST(ResolveOrg, SeveralOrgsOnATerminalAreOffered) {
  testing::ScopedEnv env;
  OrgsApi api(kTwoOrgs);
  testing::Capture in("2\n"), talk;
  Context ctx;
  point_at(ctx, api);
  ctx.set_interactive(true);
  ctx.prompt = Prompter(in.file(), talk.file());
  EXPECT_EQ(resolve_org(ctx), "beta");
  EXPECT_NE(talk.text().find("  2) Beta (beta)"), std::string::npos);
}

TEST(ResolveApp, MissingAppSaysHowToGiveIt) {
  testing::ScopedEnv env;
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(env.dir());  // no fly.toml here
  Context ctx;
  try {
    resolve_app(ctx);
    std::filesystem::current_path(cwd);
    FAIL();
  } catch (const UsageError& e) {
    std::filesystem::current_path(cwd);
    EXPECT_STREQ(e.what(), "no app specified");
    EXPECT_EQ(e.hint(), "pass -a APP, set SIXPN_APP, or run where a fly.toml names the app");
  }
}

TEST(ResolveApp, FlyTomlInTheCurrentDirectory) {
  testing::ScopedEnv env;
  auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(env.dir());
  { std::ofstream("fly.toml") << "app = \"web\"\n"; }
  Context ctx;
  std::string app = resolve_app(ctx);
  std::filesystem::current_path(cwd);
  EXPECT_EQ(app, "web");
}

}  // namespace
}  // namespace sixpn::cli
