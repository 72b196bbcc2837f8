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

}  // namespace sixpn::commands
