#pragma once
// Pieces every command file shares: help text layout, the JSON views scripts depend on, and
// how times are shown in tables.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/types.hpp"

namespace CLI {
class App;
}

namespace sixpn::commands {

// The long description and examples, shown by --help below the options.
void document(CLI::App& cmd, std::string_view details, const std::vector<std::string>& examples);

// JSON views (docs/cli.md "JSON shapes"): snake_case keys named as in the API.
nlohmann::json peer_json(const api::Peer& p);
nlohmann::json machine_json(const api::Machine& m);
nlohmann::json ip_json(const api::IpAssignment& ip);
nlohmann::json region_json(const api::Region& r);
nlohmann::json org_json(const api::Org& o);
nlohmann::json app_json(const api::App& a);

// Table cells.
std::vector<std::string> ip_row(const api::IpAssignment& ip, std::time_t now);
inline const std::vector<std::string> kIpHeaders = {"VERSION", "IP",  "TYPE",
                                                    "REGION",  "ORG", "CREATED AT"};

// Seconds since the epoch of an RFC 3339 UTC time ("2024-04-16T20:20:59Z", fractions and
// numeric offsets allowed); nullopt when the text is not one.
std::optional<std::time_t> parse_time(std::string_view text);
// "just now", "5m ago", "3h ago", "2d ago"; the text itself when it is not a time.
std::string ago(std::string_view timestamp, std::time_t now);

}  // namespace sixpn::commands
