#pragma once
// One function per noun, each wiring its subcommands into the tree (micromamba's pattern).
// cli/main.cpp calls each of these; adding a command is one file here and one line there.
namespace CLI {
class App;
}
namespace sixpn::cli {
class Context;
}

namespace sixpn::commands {

void add_version(CLI::App& root, cli::Context& ctx);
void add_dig(CLI::App& root, cli::Context& ctx);
void add_auth(CLI::App& root, cli::Context& ctx);
void add_orgs(CLI::App& root, cli::Context& ctx);
void add_apps(CLI::App& root, cli::Context& ctx);
void add_machine(CLI::App& root, cli::Context& ctx);
void add_wireguard(CLI::App& root, cli::Context& ctx);
void add_ips(CLI::App& root, cli::Context& ctx);
void add_platform(CLI::App& root, cli::Context& ctx);
void add_status(CLI::App& root, cli::Context& ctx);
void add_completion(CLI::App& root, cli::Context& ctx);

// The whole command tree, as main() runs it (tests build the same tree).
void add_all(CLI::App& root, cli::Context& ctx);

}  // namespace sixpn::commands
