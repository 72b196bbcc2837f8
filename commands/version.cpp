#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "commands/commands.hpp"
#include "sixpn/version.hpp"

namespace sixpn::commands {

void add_version(CLI::App& root, cli::Context& ctx) {
  auto* cmd = root.add_subcommand("version", "Show the version of sixpn");
  cmd->footer("\nExamples:\n  sixpn version\n  sixpn version --json");
  cmd->callback([&ctx] {
    if (ctx.out.json()) {
      ctx.out.json_document({{"version", kVersion}});
    } else {
      ctx.out.raw(std::string("sixpn ") + kVersion + "\n");
    }
  });
}

}  // namespace sixpn::commands
