#pragma once
// One function per noun, each wiring its subcommands into the tree (micromamba's pattern).
// commands/tree.cpp calls each of these; adding a command is one file here and one line there.
#include <string>
#include <vector>

namespace CLI {
class App;
}
namespace sixpn::cli {
class Context;
}

namespace sixpn::commands {

void add_version(CLI::App& root, cli::Context& ctx);
void add_dig(CLI::App& root, cli::Context& ctx);
void add_doctor(CLI::App& root, cli::Context& ctx);
void add_auth(CLI::App& root, cli::Context& ctx);
void add_orgs(CLI::App& root, cli::Context& ctx);
void add_apps(CLI::App& root, cli::Context& ctx);
void add_machine(CLI::App& root, cli::Context& ctx);
void add_wireguard(CLI::App& root, cli::Context& ctx);
void add_ips(CLI::App& root, cli::Context& ctx);
void add_platform(CLI::App& root, cli::Context& ctx);
void add_status(CLI::App& root, cli::Context& ctx);
void add_completion(CLI::App& root, cli::Context& ctx);
void add_logs(CLI::App& root, cli::Context& ctx);

// Verbs in files of their own, added by their noun.
void add_machine_run(CLI::App& machine, cli::Context& ctx);

// The whole command tree (completion scripts and tests list it).
void add_all(CLI::App& root, cli::Context& ctx);

// The tree main() runs: the root and its global flags, and of the nouns only the one the line
// names, as ninja's start-up does only what its tool needs. Every noun when the line names
// none (`sixpn`, `sixpn --help`, a typo) or names `completion`, which prints them all.
void add_for_command_line(CLI::App& root, cli::Context& ctx, int argc, const char* const* argv);

// Each noun's names, its own first and then its aliases, in the order of add_all.
std::vector<std::vector<std::string>> noun_names();

}  // namespace sixpn::commands
