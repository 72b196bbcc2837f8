#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/service_view.hpp"

namespace sixpn::commands {

namespace {

struct AllocateOptions {
  bool private_v6 = false;
  std::string org;  // whose network holds the address; not the app's org
};

// The seed's advice for Flycast, checked against the app's fly.toml when there is one.
void warn_about_fly_toml(cli::Context& ctx, const std::string& app) {
  auto found = cli::fly_toml_of_app(ctx.options.settings.fly_toml, app);
  if (!found) return;
  const auto& fly = *found;
  const std::string path = fly.source;
  if (fly.force_https) {
    ctx.out.warn(path +
                 " sets http_service.force_https; Flycast is HTTP-only, so remove force_https");
  }
  if (!fly.has_services) {
    ctx.out.warn(path +
                 " defines no [[services]] or [http_service]; nothing will answer on the "
                 "Flycast address until one is added");
  }
}

void run_allocate(cli::Context& ctx, const AllocateOptions& opts) {
  if (!opts.private_v6) {
    throw cli::UsageError("only private (Flycast) addresses are supported by this control plane",
                          "pass --private");
  }
  std::string app = cli::resolve_app(ctx);
  warn_about_fly_toml(ctx, app);
  api::IpAssignmentCreate body;
  body.type = "private_v6";
  if (!opts.org.empty()) body.org_slug = cli::checked_org(opts.org);
  auto ip = ctx.client().allocate_ip(app, body);
  if (ctx.out.json()) {
    ctx.out.json_document(ip_json(ip));
    return;
  }
  ctx.out.table(kIpHeaders, {ip_row(ip, std::time(nullptr))});
}

void run_list(cli::Context& ctx) {
  std::string app = cli::resolve_app(ctx);
  auto ips = ctx.client().ips(app);
  auto services = ctx.client().services(app);
  if (ctx.out.json()) {
    ctx.out.json_list(ips, [&](const api::IpAssignment& ip) {
      auto j = ip_json(ip);
      j["services"] = address_services_json(services, ip.address);
      return j;
    });
    return;
  }
  if (ips.empty()) {
    ctx.out.info("App " + app +
                 " has no IP addresses; allocate one with 'sixpn ips allocate-v6 "
                 "--private -a " +
                 app + "'");
    return;
  }
  const auto now = std::time(nullptr);
  std::vector<std::vector<std::string>> rows;
  for (const auto& ip : ips) rows.push_back(ip_row(ip, now));
  ctx.out.table(kIpHeaders, rows);
  if (!services.services.empty()) {
    ctx.out.raw("\nServices\n");
    ctx.out.table(kServiceHeaders, service_rows(services));
  }
}

}  // namespace

void add_ips(CLI::App& root, cli::Context& ctx) {
  auto* ips = root.add_subcommand("ips", "Allocate and list an app's IP addresses");
  ips->alias("ip");
  ips->require_subcommand(1);
  document(*ips,
           "A private IPv6 (Flycast) address is app-wide: traffic to it goes through the proxy,\n"
           "which balances it over the app's machines. Other orgs can reach the app when the\n"
           "address is allocated in their network with --org.",
           {"sixpn ips allocate-v6 --private -a my-app", "sixpn ips list -a my-app"});

  auto opts = std::make_shared<AllocateOptions>();
  auto* allocate = ips->add_subcommand("allocate-v6", "Allocate a private IPv6 (Flycast) address");
  allocate->add_flag("--private", opts->private_v6, "Allocate a private (Flycast) address");
  allocate
      ->add_option("-o,--org", opts->org, "Allocate in this org's network (default: the app's org)")
      ->type_name("ORG");
  cli::add_app_flag(*allocate, ctx);
  document(*allocate,
           "Allocates a Flycast address for the app, in the app's own org network or in the\n"
           "network of --org. Expose services in fly.toml's [[services]] or [http_service] and\n"
           "do not use force_https: Flycast is HTTP-only. sixpn warns when fly.toml says\n"
           "otherwise.",
           {"sixpn ips allocate-v6 --private -a my-app",
            "sixpn ips allocate-v6 --private --org my-other-org -a my-app --json"});
  allocate->callback([&ctx, opts] { run_allocate(ctx, *opts); });

  auto* list = ips->add_subcommand("list", "List an app's IP addresses");
  list->alias("ls");
  cli::add_app_flag(*list, ctx);
  document(*list,
           "Lists the app's addresses with the org whose network holds each one, then the\n"
           "services on them: each port, the machines behind it and the proxies' counters.\n"
           "With --json each address carries its services (port, protocol, machines).",
           {"sixpn ips list -a my-app", "sixpn ips list -a my-app --json"});
  list->callback([&ctx] { run_list(ctx); });
}

}  // namespace sixpn::commands
