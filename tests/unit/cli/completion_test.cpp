#include "cli/completion.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <fstream>
#include <sstream>

#include "cli/context.hpp"
#include "commands/commands.hpp"

namespace sixpn::cli {
namespace {

struct Tree {
  Tree() { commands::add_all(app, ctx); }
  Context ctx;
  CLI::App app;
  const CommandSpec& at(const std::string& path) const {
    static std::vector<CommandSpec> model;
    model = completion_model(app);
    for (const auto& c : model) {
      if (c.path == path) return c;
    }
    throw std::runtime_error("no command " + path);
  }
};

bool has_flag(const CommandSpec& c, const std::string& name) {
  for (const auto& f : c.flags) {
    if (std::find(f.names.begin(), f.names.end(), name) != f.names.end()) return true;
  }
  return false;
}

TEST(CompletionModel, KnowsCommandsAliasesAndHidesInternals) {
  Tree t;
  auto model = completion_model(t.app);
  std::vector<std::string> top;
  for (auto i : model[0].children) top.push_back(model[i].name);
  EXPECT_NE(std::find(top.begin(), top.end(), "wireguard"), top.end());
  EXPECT_EQ(std::find(top.begin(), top.end(), "__complete"), top.end());
  const auto& wg = t.at("wireguard");
  EXPECT_EQ(wg.aliases, (std::vector<std::string>{"wg"}));
  EXPECT_EQ(t.at("ips").aliases, (std::vector<std::string>{"ip"}));
}

TEST(CompletionModel, PositionalsCarryTheirValueKinds) {
  Tree t;
  const auto& create = t.at("wireguard create");
  ASSERT_EQ(create.positionals.size(), 4u);
  EXPECT_EQ(create.positionals[0].encoded(), "dynamic:orgs");
  EXPECT_EQ(create.positionals[1].encoded(), "dynamic:regions");
  EXPECT_EQ(create.positionals[2].encoded(), "");
  EXPECT_EQ(create.positionals[3].encoded(), "file");
  EXPECT_EQ(t.at("completion").positionals[0].encoded(), "words:bash zsh fish");
}

TEST(CompletionModel, GlobalFlagsApplyBelowTheRoot) {
  Tree t;
  const auto& create = t.at("wireguard create");
  EXPECT_TRUE(has_flag(create, "--json"));
  EXPECT_TRUE(has_flag(create, "--api-url"));
  EXPECT_TRUE(has_flag(create, "--force"));
  EXPECT_TRUE(has_flag(create, "--help"));
  EXPECT_FALSE(has_flag(t.at("wireguard list"), "--force"));
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// completions/ is checked in; regenerate with `ninja -C build update-completions`.
TEST(CompletionModel, OnlyOptionsWithValuesSwallowTheNextWord) {
  Tree t;
  const auto& create = t.at("wireguard create");
  auto flag = [&](const std::string& name) -> const FlagSpec& {
    for (const auto& f : create.flags) {
      if (std::find(f.names.begin(), f.names.end(), name) != f.names.end()) return f;
    }
    throw std::runtime_error("no flag " + name);
  };
  for (const char* n : {"--json", "--force", "--verbose", "--help"}) {
    EXPECT_FALSE(flag(n).takes_value) << n;
  }
  for (const char* n : {"--api-url", "--org", "--timeout", "-o"}) {
    EXPECT_TRUE(flag(n).takes_value) << n;
  }
  EXPECT_EQ(flag("--org").kind.encoded(), "dynamic:orgs");
}

TEST(CompletionScripts, CheckedInScriptsAreNotStale) {
  Tree t;
  auto model = completion_model(t.app);
  const std::string dir = std::string(SIXPN_SOURCE_DIR) + "/completions/";
  EXPECT_EQ(slurp(dir + "sixpn.bash"), bash_completion(model))
      << "completions/sixpn.bash is stale: run 'ninja -C build update-completions'";
  EXPECT_EQ(slurp(dir + "_sixpn"), zsh_completion(model))
      << "completions/_sixpn is stale: run 'ninja -C build update-completions'";
  EXPECT_EQ(slurp(dir + "sixpn.fish"), fish_completion(model))
      << "completions/sixpn.fish is stale: run 'ninja -C build update-completions'";
}

TEST(CompletionScripts, QuoteDescriptionsSafely) {
  std::vector<CommandSpec> model(2);
  model[0].children = {1};
  model[1].path = "x";
  model[1].name = "x";
  model[1].description = "it's \\ tricky";
  EXPECT_NE(zsh_completion(model).find("'x:it'\\''s \\ tricky'"), std::string::npos);
  EXPECT_NE(fish_completion(model).find("-d 'it\\'s \\\\ tricky'"), std::string::npos);
}

}  // namespace
}  // namespace sixpn::cli
