#pragma once
// Which org and which app a command acts on, the way flyctl decides it.
#include <string>

#include "cli/context.hpp"

namespace sixpn::cli {

// The positional [org] when given, else -o/--org, SIXPN_ORG or config.toml's org, else the only
// org the token sees, else a select prompt on a terminal, else a UsageError.
std::string resolve_org(Context& ctx, const std::string& positional = "");

// -a/--app, else SIXPN_APP, else fly.toml's app (cwd or -c), else a UsageError saying so.
std::string resolve_app(Context& ctx);

// Org slugs and app names are DNS labels; anything else is refused here, before it becomes part
// of a URL (where "../x" or a 100 kB name would meet the server as a different path or a 414).
// Returns the value, or throws a UsageError naming the rule.
const std::string& checked_org(const std::string& slug);
const std::string& checked_app(const std::string& name);

}  // namespace sixpn::cli
