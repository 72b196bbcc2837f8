#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"

namespace sixpn::commands {

namespace {
// Deprecated regions are hidden: nobody should place anything new there.
std::vector<api::Region> current_regions(cli::Context& ctx) {
  std::vector<api::Region> out;
  for (auto& r : ctx.client().regions().items) {
    if (!r.deprecated) out.push_back(std::move(r));
  }
  return out;
}

void run_regions(cli::Context& ctx) {
  auto regions = current_regions(ctx);
  if (ctx.out.json()) {
    ctx.out.json_list(regions, region_json);
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& r : regions) rows.push_back({r.name, r.code, r.gateway_available ? "✓" : ""});
  ctx.out.table({"NAME", "CODE", "GATEWAY"}, rows);
}
}  // namespace

void add_platform(CLI::App& root, cli::Context& ctx) {
  auto* platform = root.add_subcommand("platform", "Show facts about the platform");
  platform->require_subcommand(1);
  document(*platform, "Information about the platform itself, such as its regions.",
           {"sixpn platform regions"});

  auto* regions = platform->add_subcommand("regions", "List the regions machines and peers use");
  document(*regions,
           "Lists every current region with its code. A check mark in the GATEWAY column means\n"
           "the region has a WireGuard gateway: pick one of those for 'sixpn wireguard create'.\n"
           "Deprecated regions are not shown. Needs no API token.",
           {"sixpn platform regions", "sixpn platform regions --json"});
  regions->callback([&ctx] { run_regions(ctx); });
}

}  // namespace sixpn::commands
