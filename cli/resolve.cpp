#include "cli/resolve.hpp"

#include "cli/errors.hpp"
#include "core/names.hpp"

namespace sixpn::cli {

const std::string& checked_org(const std::string& slug) {
  if (auto problem = core::dns_label_problem("org", slug); !problem.empty()) {
    throw UsageError(problem, "see 'sixpn orgs list' for the orgs the token can use");
  }
  return slug;
}

const std::string& checked_app(const std::string& name) {
  if (auto problem = core::dns_label_problem("app name", name); !problem.empty()) {
    throw UsageError(problem);
  }
  return name;
}

std::string resolve_org(Context& ctx, const std::string& positional) {
  if (!positional.empty()) return checked_org(positional);
  if (const auto& org = ctx.settings().org; !org.empty()) return checked_org(org);
  auto orgs = ctx.client().orgs();
  if (orgs.empty()) throw NotFound("the API token has access to no organization");
  if (orgs.size() == 1) return orgs.front().slug;
  if (!ctx.interactive()) {
    throw UsageError("org must be specified when not running interactively",
                     "pass it as an argument, with --org, or set SIXPN_ORG");
  }
  std::vector<std::string> labels;
  for (const auto& o : orgs) labels.push_back(o.name + " (" + o.slug + ")");
  return orgs[ctx.prompt.select("Select organization:", labels)].slug;
}

std::string resolve_app(Context& ctx) {
  if (const auto& app = ctx.settings().app; !app.empty()) return checked_app(app);
  throw UsageError("no app specified",
                   "pass -a APP, set SIXPN_APP, or run where a fly.toml names the app");
}

}  // namespace sixpn::cli
