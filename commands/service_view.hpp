#pragma once
// How commands show an app's Flycast services (GET /v1/apps/{app}/services): the table of
// `status` and `ips list`, and the JSON that `status --json` and `ips list --json` carry.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/flycast_types.hpp"

namespace sixpn::commands {

// The API's document, as is (docs/cli.md "JSON shapes").
nlohmann::json service_json(const api::AppService& s);
// For one address of `ips list --json`: its services' ports and machines, without counters.
nlohmann::json address_services_json(const api::AppServices& all, const std::string& address);

inline const std::vector<std::string> kServiceHeaders = {
    "ADDRESS", "PORT", "MACHINES", "CONNECTIONS", "ACTIVE", "REFUSED", "AUTOSTARTS", "AUTOSTOPS"};
// MACHINES: "2 (1 started) → 8080"; every other cell a counter.
std::vector<std::vector<std::string>> service_rows(const api::AppServices& services);

}  // namespace sixpn::commands
