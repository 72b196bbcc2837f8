#include "commands/wireguard.hpp"

#include <CLI/CLI.hpp>

#include "cli/errors.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "core/names.hpp"

namespace sixpn::commands {

void run_wireguard_list(cli::Context& ctx, const WgListOptions& opts) {
  const std::string org = cli::resolve_org(ctx, opts.org);
  if (ctx.out.json()) {
    // Each page is formatted as it arrives, while the next one is fetched; nothing is printed
    // until the last page is in, so a failure halfway leaves stdout empty.
    cli::JsonListText text;
    ctx.client().each_peer_page(org, [&text](std::vector<api::Peer>&& page) {
      for (const auto& p : page) text.add(peer_json(p));
    });
    ctx.out.raw(text.finish());
    return;
  }
  auto peers = ctx.client().peers(org);
  if (peers.empty()) {
    ctx.out.info("Org " + org +
                 " has no WireGuard peers; create one with 'sixpn wireguard create'");
    return;
  }
  const auto now = std::time(nullptr);
  std::vector<std::vector<std::string>> rows;
  for (const auto& p : peers) rows.push_back({p.name, p.region, p.peer_ip, ago(p.created_at, now)});
  ctx.out.table({"NAME", "REGION", "PEER IP", "CREATED"}, rows);
}

void run_wireguard_remove(cli::Context& ctx, const WgRemoveOptions& opts) {
  // Off a terminal nothing can be asked, so say what is missing before any request.
  if (!ctx.interactive()) {
    if (opts.name.empty()) {
      throw cli::UsageError("peer name must be specified when not running interactively",
                            "sixpn wireguard remove ORG NAME --yes");
    }
    if (!opts.yes) {
      throw cli::UsageError(
          "removing peer \"" + opts.name + "\" needs confirmation when not running interactively",
          "pass --yes");
    }
  }
  if (!opts.name.empty()) {
    if (auto problem = core::peer_name_problem(opts.name); !problem.empty()) {
      throw cli::UsageError(problem, "see 'sixpn wireguard list' for the org's peers");
    }
  }
  const std::string org = cli::resolve_org(ctx, opts.org);
  std::string name = opts.name;
  if (name.empty()) {
    auto peers = ctx.client().peers(org);
    if (peers.empty()) throw cli::NotFound("org " + org + " has no WireGuard peers");
    std::vector<std::string> labels;
    for (const auto& p : peers) labels.push_back(p.name + " (" + p.region + ", " + p.peer_ip + ")");
    name = peers[ctx.prompt.select("Select the peer to remove:", labels)].name;
  }
  if (!opts.yes && !ctx.prompt.confirm("Remove WireGuard peer \"" + name + "\" from org " + org +
                                       "? Its configuration stops working")) {
    ctx.out.info("Kept peer " + name + "; nothing was removed");
    return;
  }
  ctx.client().delete_peer(org, name);
  ctx.out.info("Removed WireGuard peer " + name + " from org " + org);
}

void add_wireguard(CLI::App& root, cli::Context& ctx) {
  auto* wg = root.add_subcommand("wireguard", "Create, list and remove WireGuard peers");
  wg->alias("wg");
  wg->require_subcommand(1);
  document(*wg,
           "A WireGuard peer connects a laptop or a server outside the platform to an org's\n"
           "private network: it gets an address in a /120 of the org's /48, and its DNS server\n"
           "is <prefix>::3, which answers the .internal names.",
           {"sixpn wireguard create my-org ams my-laptop my-laptop.conf",
            "sixpn wireguard list my-org", "sixpn wireguard remove my-org my-laptop"});

  auto create_opts = std::make_shared<WgCreateOptions>();
  auto* create = wg->add_subcommand("create", "Add a peer and write its WireGuard configuration");
  create->add_option("org", create_opts->org, "Organization slug")->type_name("ORG");
  create->add_option("region", create_opts->region, "Gateway region code")->type_name("REGION");
  create->add_option("name", create_opts->name, "Peer name (a DNS label)")->type_name("NAME");
  create->add_option("file", create_opts->file, "NAME.conf to write, or 'stdout'")
      ->type_name("FILE");
  cli::add_org_flag(*create, ctx);
  create->add_flag("--force,-f", create_opts->force, "Replace FILE if it exists (atomically)");
  document(
      *create,
      "Generates a key pair on this machine, registers only the public key, and writes a\n"
      "wg-quick configuration (mode 0600) with the private key. The key cannot be recovered.\n"
      "\n"
      "  org     else --org / SIXPN_ORG, the token's only org, or a prompt on a terminal\n"
      "  region  else SIXPN_WG_REGION, else the nearest region with a gateway\n"
      "          (regions with a check mark in 'sixpn platform regions')\n"
      "  name    else interactive-<host>-<random>; name a peer to find it in DNS as\n"
      "          <name>._peer.internal\n"
      "  file    'stdout' prints only the configuration on stdout; otherwise a path ending\n"
      "          in .conf whose stem (the interface name) has at most 15 of [a-zA-Z0-9_=+.-].\n"
      "          An existing file is not overwritten unless --force is given.\n"
      "\n"
      "Messages and the private-key warning go to stderr. With --json, the peer's details\n"
      "(never the key) are printed on stdout when the configuration goes to a file.",
      {"sixpn wg create my-org ams my-laptop my-laptop.conf",
       "sixpn wg create my-org ams my-laptop stdout > my-laptop.conf",
       "sixpn wg create my-org ams my-laptop my-laptop.conf --json",
       "sudo wg-quick up ./my-laptop.conf"});
  create->callback([&ctx, create_opts] { run_wireguard_create(ctx, *create_opts); });

  auto list_opts = std::make_shared<WgListOptions>();
  auto* list = wg->add_subcommand("list", "List an org's WireGuard peers");
  list->alias("ls");
  list->add_option("org", list_opts->org, "Organization slug")->type_name("ORG");
  cli::add_org_flag(*list, ctx);
  document(*list, "Lists every peer of the org (all pages).",
           {"sixpn wg list my-org", "sixpn wg list my-org --json"});
  list->callback([&ctx, list_opts] { run_wireguard_list(ctx, *list_opts); });

  auto remove_opts = std::make_shared<WgRemoveOptions>();
  auto* remove = wg->add_subcommand("remove", "Remove a WireGuard peer");
  remove->alias("rm");
  remove->add_option("org", remove_opts->org, "Organization slug")->type_name("ORG");
  remove->add_option("name", remove_opts->name, "Peer name")->type_name("PEER");
  cli::add_org_flag(*remove, ctx);
  remove->add_flag("--yes,-y", remove_opts->yes, "Do not ask for confirmation");
  document(*remove,
           "Removes the peer; its configuration stops working. On a terminal a missing name is\n"
           "chosen from a list and the removal is confirmed unless --yes is given. Elsewhere\n"
           "the name and --yes are required. A peer that does not exist is exit code 4.",
           {"sixpn wg remove my-org my-laptop", "sixpn wg remove my-org my-laptop --yes"});
  remove->callback([&ctx, remove_opts] { run_wireguard_remove(ctx, *remove_opts); });
}

}  // namespace sixpn::commands
