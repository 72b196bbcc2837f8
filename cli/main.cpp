// sixpn: the command-line tool. This file only builds the command tree, runs it, and hands
// whatever went wrong to the one place that turns it into "Error: …" and an exit code.
#include <string>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/report.hpp"
#include "cli/signals.hpp"
#include "commands/commands.hpp"

namespace {

int report_parse_error(sixpn::cli::Context& ctx, CLI::App& app, const CLI::ParseError& e) {
  using sixpn::cli::kExitUsage;
  // --help and --version are "errors" in CLI11's model; they print and succeed.
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
  std::string message = e.what();
  // An unknown word where a command belongs surfaces as "subcommand required" or as an extra
  // argument; name the word instead.
  auto extras = app.remaining();
  if (!extras.empty() && app.get_subcommands().empty()) {
    message = "unknown command \"" + extras.front() + "\" for \"sixpn\"";
  }
  ctx.out.error(message, "run 'sixpn --help' for usage");
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  sixpn::cli::install_interrupt_handler();
  sixpn::cli::Context ctx;
  CLI::App app;
  sixpn::commands::add_all(app, ctx);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(ctx, app, e);
  } catch (...) {
    return sixpn::cli::report_error(ctx.out, std::current_exception());
  }
  return sixpn::cli::kExitOk;
}
