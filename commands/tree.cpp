#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "commands/commands.hpp"
#include "sixpn/version.hpp"

namespace sixpn::commands {

namespace {

struct Noun {
  void (*add)(CLI::App&, cli::Context&);
  // Every name the add function gives its subcommands, aliases included (a unit test holds
  // the two together).
  std::vector<std::string_view> names;
  // `completion` prints the whole tree, so it cannot be built alone.
  bool alone = true;
};

// In the order `sixpn --help` lists them.
const std::vector<Noun>& nouns() {
  static const std::vector<Noun> list = {
      {add_wireguard, {"wireguard", "wg"}},
      {add_ips, {"ips", "ip"}},
      {add_platform, {"platform"}},
      {add_status, {"status"}},
      {add_orgs, {"orgs", "org"}},
      {add_apps, {"apps", "app"}},
      {add_machine, {"machine", "machines", "m"}},
      {add_logs, {"logs"}},
      {add_auth, {"auth"}},
      {add_dig, {"dig"}},
      {add_doctor, {"doctor"}},
      {add_completion, {"completion", "__complete"}, false},
      {add_version, {"version"}},
  };
  return list;
}

void add_root(CLI::App& root, cli::Context& ctx) {
  root.name("sixpn");
  root.description(
      "sixpn: private IPv6 networking between your machines and laptops over WireGuard");
  root.set_version_flag("--version,-v", std::string("sixpn ") + kVersion);
  root.require_subcommand(1);
  // Global flags are accepted after the subcommand too: `sixpn wg list --json`.
  root.fallthrough();
  root.footer(
      "\nExamples:\n"
      "  sixpn platform regions\n"
      "  sixpn wireguard create my-org ams my-laptop my-laptop.conf\n"
      "  sixpn ips allocate-v6 --private -a my-app\n"
      "\nExit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 auth, 4 not found,\n"
      "5 conflict, 130 interrupted.");
  cli::add_global_flags(root, ctx);
}

bool takes_value(const CLI::Option* opt) {
  return opt->get_items_expected_max() > 0;
}

// The noun CLI11 will enter for this command line, read the way it reads the words before it:
// root options (with the value each takes, as CLI11 knows them), unknown options kept aside.
// nullptr when the line names none, or holds anything this reading is not sure of; the caller
// then builds every noun, so the answer is only ever a shortcut.
const Noun* named_noun(const CLI::App& root, int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.size() > 2 && arg.substr(0, 2) == "--") {
      auto eq = arg.find('=');
      const CLI::Option* opt = root.get_option_no_throw(std::string(arg.substr(0, eq)));
      if (opt != nullptr && takes_value(opt) && eq == std::string_view::npos) ++i;
      continue;
    }
    if (arg.size() > 1 && arg[0] == '-' && arg[1] != '-') {
      // A cluster like -jt TOKEN: flags, then at most one option whose value is the rest of
      // the word or the next word. An unknown letter sets the rest of the word aside.
      for (std::size_t j = 1; j < arg.size(); ++j) {
        const CLI::Option* opt = root.get_option_no_throw(std::string{'-', arg[j]});
        if (opt == nullptr) break;
        if (takes_value(opt)) {
          if (j + 1 == arg.size()) ++i;
          break;
        }
      }
      continue;
    }
    for (const Noun& noun : nouns()) {
      for (auto name : noun.names) {
        if (arg == name) return &noun;
      }
    }
    return nullptr;  // "--", "-", or a word that is no noun: CLI11 reports it
  }
  return nullptr;
}

}  // namespace

void add_all(CLI::App& root, cli::Context& ctx) {
  add_root(root, ctx);
  for (const Noun& noun : nouns()) noun.add(root, ctx);
}

void add_for_command_line(CLI::App& root, cli::Context& ctx, int argc, const char* const* argv) {
  add_root(root, ctx);
  const Noun* named = named_noun(root, argc, argv);
  if (named != nullptr && named->alone) {
    // The parser never enters a second noun (the root takes one subcommand), so the others
    // would only be built and torn down.
    named->add(root, ctx);
    return;
  }
  for (const Noun& noun : nouns()) noun.add(root, ctx);
}

std::vector<std::vector<std::string>> noun_names() {
  std::vector<std::vector<std::string>> out;
  for (const Noun& noun : nouns()) out.emplace_back(noun.names.begin(), noun.names.end());
  return out;
}

}  // namespace sixpn::commands
