#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "core/names.hpp"

namespace sixpn::commands {

namespace {

struct CreateOptions {
  std::string name;
};

const std::vector<std::string> kAppHeaders = {"NAME", "OWNER", "STATUS", "HOSTNAME", "CREATED AT"};

std::vector<std::string> app_row(const api::App& a, std::time_t now) {
  return {a.name, a.org, a.status, a.hostname, ago(a.created_at, now)};
}

void run_create(cli::Context& ctx, const CreateOptions& opts) {
  if (auto problem = core::dns_label_problem("app name", opts.name); !problem.empty()) {
    throw cli::UsageError(problem);
  }
  std::string org = cli::resolve_org(ctx);
  auto app = ctx.client().create_app({opts.name, org});
  if (ctx.out.json()) {
    ctx.out.json_document(app_json(app));
    return;
  }
  ctx.out.table(kAppHeaders, {app_row(app, std::time(nullptr))});
  ctx.out.info("Created app " + app.name + " in org " + app.org);
}

void run_list(cli::Context& ctx) {
  // Without an org given, every app the token sees; the OWNER column tells them apart.
  const auto& org = ctx.settings().org;
  if (!org.empty()) cli::checked_org(org);
  auto apps = ctx.client().apps(org.empty() ? std::nullopt : std::optional<std::string>(org));
  if (ctx.out.json()) {
    ctx.out.json_list(apps, app_json);
    return;
  }
  if (apps.empty()) {
    ctx.out.info("No apps yet; create one with 'sixpn apps create NAME'");
    return;
  }
  const auto now = std::time(nullptr);
  std::vector<std::vector<std::string>> rows;
  for (const auto& a : apps) rows.push_back(app_row(a, now));
  ctx.out.table(kAppHeaders, rows);
}

}  // namespace

void add_apps(CLI::App& root, cli::Context& ctx) {
  auto* apps = root.add_subcommand("apps", "Create and list apps");
  apps->alias("app");
  apps->require_subcommand(1);
  document(*apps,
           "An app groups machines; its name is a DNS label under .internal, and its private\n"
           "addresses come from its organization's network.",
           {"sixpn apps create my-app --org my-org", "sixpn apps list"});

  auto opts = std::make_shared<CreateOptions>();
  auto* create = apps->add_subcommand("create", "Create an app in an organization");
  create->add_option("name", opts->name, "App name (a DNS label)")->required()->type_name("NAME");
  cli::add_org_flag(*create, ctx);
  document(*create,
           "Creates an app. The org is --org, else SIXPN_ORG, else the token's only org, else\n"
           "asked for on a terminal.",
           {"sixpn apps create my-app", "sixpn apps create my-app --org my-org --json"});
  create->callback([&ctx, opts] { run_create(ctx, *opts); });

  auto* list = apps->add_subcommand("list", "List apps");
  list->alias("ls");
  cli::add_org_flag(*list, ctx);
  document(*list, "Lists the apps the token can see, or those of one org with --org.",
           {"sixpn apps list", "sixpn apps list --org my-org --json"});
  list->callback([&ctx] { run_list(ctx); });
}

}  // namespace sixpn::commands
