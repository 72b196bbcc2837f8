#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "commands/commands.hpp"
#include "sixpn/version.hpp"

namespace sixpn::commands {

void add_all(CLI::App& root, cli::Context& ctx) {
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
  add_wireguard(root, ctx);
  add_ips(root, ctx);
  add_platform(root, ctx);
  add_status(root, ctx);
  add_orgs(root, ctx);
  add_apps(root, ctx);
  add_machine(root, ctx);
  add_auth(root, ctx);
  add_dig(root, ctx);
  add_completion(root, ctx);
  add_version(root, ctx);
}

}  // namespace sixpn::commands
