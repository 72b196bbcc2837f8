#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/machine_view.hpp"
#include "commands/service_view.hpp"

namespace sixpn::commands {

namespace {

void run_status(cli::Context& ctx) {
  std::string name = cli::resolve_app(ctx);
  auto app = ctx.client().app(name);
  auto machines = ctx.client().machines(name);
  auto services = ctx.client().services(name);
  if (ctx.out.json()) {
    auto list = nlohmann::json::array();
    for (const auto& m : machines) list.push_back(machine_json(m));
    auto service_list = nlohmann::json::array();
    for (const auto& s : services.services) service_list.push_back(service_json(s));
    ctx.out.json_document({{"app", app_json(app)}, {"machines", list}, {"services", service_list}});
    return;
  }
  std::string block = "App\n";
  block += "  Name           = " + app.name + "\n";
  block += "  Owner          = " + app.org + "\n";
  block += "  Hostname       = " + app.hostname + "\n";
  block += "  Network prefix = " + app.network_prefix + "\n\n";
  ctx.out.raw(block);
  if (machines.empty()) {
    ctx.out.info("No machines are in app " + app.name +
                 "; create one with 'sixpn machine run -a " + app.name + " --region REGION -- COMMAND'");
    return;
  }
  ctx.out.raw("Machines\n");
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : machines) rows.push_back(status_machine_row(m));
  ctx.out.table(kStatusMachineHeaders, rows);
  if (!services.services.empty()) {
    ctx.out.raw("\nServices (Flycast)\n");
    ctx.out.table(kServiceHeaders, service_rows(services));
  }
}

}  // namespace

void add_status(CLI::App& root, cli::Context& ctx) {
  auto* status = root.add_subcommand("status", "Show an app, its owner and its machines");
  cli::add_app_flag(*status, ctx);
  document(*status,
           "Shows the app's name, owning org (whose WireGuard peers can reach it), DNS name\n"
           "and network prefix, then its machines with their 6PN addresses, then its Flycast\n"
           "services: each address and port, the machines behind it, and what the proxies\n"
           "counted (connections, active now, refused, autostarts, autostops).",
           {"sixpn status -a my-app", "sixpn status --json"});
  status->callback([&ctx] { run_status(ctx); });
}

}  // namespace sixpn::commands
