// sixpn: the command-line tool. This file only builds the command tree, runs it, and turns
// whatever went wrong into one "Error: …" line and the documented exit code.
#include <csignal>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "commands/commands.hpp"
#include "sixpn/version.hpp"

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
  sixpn::cli::Context ctx;
  CLI::App app{"sixpn: private IPv6 networking between your machines and laptops over WireGuard"};
  app.name("sixpn");
  app.set_version_flag("--version,-v", std::string("sixpn ") + sixpn::kVersion);
  app.require_subcommand(1);
  app.fallthrough();
  app.footer(
      "\nExamples:\n"
      "  sixpn platform regions\n"
      "  sixpn wireguard create my-org ams my-laptop my-laptop.conf\n"
      "  sixpn ips allocate-v6 --private -a my-app\n"
      "\nExit codes: 0 ok, 1 failure, 2 usage or invalid input, 3 auth, 4 not found,\n"
      "5 conflict, 130 interrupted.");
  sixpn::cli::add_global_flags(app, ctx);
  sixpn::commands::add_version(app, ctx);
  sixpn::commands::add_dig(app, ctx);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return report_parse_error(ctx, app, e);
  } catch (const sixpn::cli::CliError& e) {
    ctx.out.error(e.what(), e.hint());
    return e.exit_code();
  } catch (const std::exception& e) {
    ctx.out.error(e.what());
    return sixpn::cli::kExitFailure;
  }
  return sixpn::cli::kExitOk;
}
