// main() builds only the noun a command line names. These tests hold that shortcut to the
// whole tree: the same help, the same errors, the same names, for every command there is.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/completion.hpp"
#include "cli/context.hpp"
#include "commands/commands.hpp"

namespace sixpn::commands {
namespace {

using Words = std::vector<std::string>;

// What parsing a line gave: the help printed or the error thrown, and the commands entered.
struct Outcome {
  std::string kind;  // "help", "error: <type>", or "ran"
  std::string text;
  std::string path;
};

Outcome parse(CLI::App& app, const Words& words) {
  std::vector<const char*> argv = {"sixpn"};
  for (const auto& w : words) argv.push_back(w.c_str());
  Outcome out;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    out.kind = "ran";
  } catch (const CLI::CallForHelp&) {
    out.kind = "help";
    out.text = app.help();
  } catch (const CLI::Error& e) {
    out.kind = std::string("error: ") + e.get_name();
    out.text = e.what();
  } catch (const std::exception& e) {
    out.kind = "ran";  // a command's callback threw
    out.text = e.what();
  }
  for (auto* at = &app; !at->get_subcommands().empty();) {
    at = at->get_subcommands().front();
    out.path += " " + at->get_name();
  }
  return out;
}

struct Lines {
  explicit Lines(const Words& words) : words(words) {
    std::vector<const char*> argv = {"sixpn"};
    for (const auto& w : words) argv.push_back(w.c_str());
    add_for_command_line(alone, alone_ctx, static_cast<int>(argv.size()), argv.data());
    add_all(whole, whole_ctx);
  }
  Words words;
  cli::Context alone_ctx, whole_ctx;
  CLI::App alone, whole;
};

void expect_same(const Words& words) {
  Lines l(words);
  auto a = parse(l.alone, words);
  auto w = parse(l.whole, words);
  std::string line;
  for (const auto& x : words) line += " " + x;
  EXPECT_EQ(a.kind, w.kind) << "sixpn" << line;
  EXPECT_EQ(a.text, w.text) << "sixpn" << line;
  EXPECT_EQ(a.path, w.path) << "sixpn" << line;
  EXPECT_NE(a.kind, "ran") << "sixpn" << line << " must not run a command in a test";
}

std::vector<std::string> top_level_names(const CLI::App& app) {
  std::vector<std::string> names;
  for (const auto* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    names.push_back(sub->get_name());
    for (const auto& alias : sub->get_aliases()) names.push_back(alias);
  }
  return names;
}

TEST(CommandTree, TheNounTableNamesWhatEachNounAdds) {
  cli::Context ctx;
  CLI::App whole;
  add_all(whole, ctx);
  std::vector<std::string> table;
  for (const auto& names : noun_names()) table.insert(table.end(), names.begin(), names.end());
  EXPECT_EQ(table, top_level_names(whole));
}

TEST(CommandTree, ALineNamingANounBuildsThatNounAlone) {
  for (const auto& names : noun_names()) {
    for (const auto& name : names) {
      Lines l({"--json", name});
      auto built = top_level_names(l.alone);
      if (name == "completion" || name == "__complete") {
        EXPECT_EQ(built, top_level_names(l.whole)) << name << " lists the whole tree";
      } else {
        EXPECT_EQ(built, names) << name;
      }
    }
  }
  EXPECT_EQ(top_level_names(Lines({"--help"}).alone).size(),
            top_level_names(Lines({}).whole).size());
  EXPECT_EQ(top_level_names(Lines({"bogus", "platform"}).alone).size(),
            top_level_names(Lines({}).whole).size());
}

TEST(CommandTree, EveryCommandsHelpIsTheSameBuiltAlone) {
  cli::Context ctx;
  CLI::App whole;
  add_all(whole, ctx);
  auto model = cli::completion_model(whole);
  ASSERT_GT(model.size(), 20u);
  // Root options before the noun, some of whose values are themselves noun names.
  const std::vector<Words> before = {{},
                                     {"--json"},
                                     {"--api-url", "platform"},
                                     {"--api-url=http://x"},
                                     {"-t", "wg"},
                                     {"-jt", "machine"},
                                     {"-jtstatus"},
                                     {"--timeout", "5", "-c", "fly.toml", "--verbose"},
                                     {"--unknown"}};
  for (const auto& command : model) {
    Words path;
    std::string word;
    for (char c : command.path + " ") {
      if (c != ' ') {
        word += c;
      } else if (!word.empty()) {
        path.push_back(word);
        word.clear();
      }
    }
    for (const auto& prefix : before) {
      Words words = prefix;
      words.insert(words.end(), path.begin(), path.end());
      words.push_back("--help");
      expect_same(words);
    }
    for (const auto& alias : command.aliases) {
      Words words = path;
      words.back() = alias;
      words.push_back("-h");
      expect_same(words);
    }
  }
  expect_same({"__complete", "--help"});
}

TEST(CommandTree, ParseErrorsAreTheSameBuiltAlone) {
  const std::vector<Words> lines = {
      {},
      {"bogus"},
      {"platform"},
      {"platform", "bogus"},
      {"platform", "regions", "extra"},
      {"platform", "regions", "machine", "list"},
      {"--bogus", "platform", "regions"},
      {"-x", "platform", "regions"},
      {"--timeout", "0", "platform", "regions"},
      {"--timeout"},
      {"--", "platform", "regions"},
      {"-", "platform", "regions"},
      {"wg", "remove", "--bogus"},
      {"wg", "lst"},
      {"machine", "create", "--region"},
      {"ips", "list", "--app"},
      {"dig", "--bogus"},
      {"completion"},
      {"completion", "tcsh"},
      {"__complete"},
      {"version", "extra"},
      {"-v", "platform"},
      {"--version"},
  };
  for (const auto& words : lines) expect_same(words);
}

}  // namespace
}  // namespace sixpn::commands
