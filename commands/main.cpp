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

// The command the parser got to, e.g. "sixpn wireguard", for messages and hints.
CLI::App* deepest_command(CLI::App& app, std::string& path) {
  CLI::App* at = &app;
  path = app.get_name();
  for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) {
    at = subs.front();
    path += " " + at->get_name();
  }
  return at;
}

int report_parse_error(sixpn::cli::Context& ctx, CLI::App& app, const CLI::ParseError& e) {
  using sixpn::cli::kExitUsage;
  // --help and --version are "errors" in CLI11's model; they print and succeed.
  if (e.get_exit_code() == static_cast<int>(CLI::ExitCodes::Success)) return app.exit(e);
  std::string path;
  CLI::App* at = deepest_command(app, path);
  std::string message = e.what();
  auto children = at->get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
  if (!children.empty()) {
    // A noun without a verb, or with a word that is not one of its verbs.
    std::string names;
    for (const auto* c : children) names += (names.empty() ? "" : ", ") + c->get_name();
    auto extras = at->remaining();
    if (extras.empty()) extras = app.remaining();
    message = extras.empty() ? "'" + path + "' needs a command: " + names
                             : "unknown command \"" + extras.front() + "\" for \"" + path +
                                   "\"; choose one of: " + names;
  }
  ctx.out.error(message, "run '" + path + " --help' for usage");
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  sixpn::cli::install_interrupt_handler();
  sixpn::cli::Context ctx;
  CLI::App app;
  sixpn::commands::add_for_command_line(app, ctx, argc, argv);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(ctx, app, e);
  } catch (...) {
    return sixpn::cli::report_error(ctx.out, std::current_exception());
  }
  return sixpn::cli::kExitOk;
}
