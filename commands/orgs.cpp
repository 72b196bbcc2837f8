#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"

namespace sixpn::commands {

namespace {
void run_list(cli::Context& ctx) {
  auto orgs = ctx.client().orgs();
  if (ctx.out.json()) {
    ctx.out.json_list(orgs, org_json);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& o : orgs) rows.push_back({o.name, o.slug, o.network_prefix, o.dns_server});
  ctx.out.table({"NAME", "SLUG", "NETWORK", "DNS"}, rows);
}
}  // namespace

void add_orgs(CLI::App& root, cli::Context& ctx) {
  auto* orgs = root.add_subcommand("orgs", "Show the organizations the token can see");
  orgs->alias("org");
  orgs->require_subcommand(1);
  document(*orgs,
           "Each organization has its own private network (a /48 under fdaa::/16) and its own\n"
           "DNS server at <prefix>::3.",
           {"sixpn orgs list"});

  auto* list = orgs->add_subcommand("list", "List organizations with their network prefix");
  list->alias("ls");
  document(*list, "Lists the organizations the token can see.",
           {"sixpn orgs list", "sixpn orgs list --json"});
  list->callback([&ctx] { run_list(ctx); });
}

}  // namespace sixpn::commands
