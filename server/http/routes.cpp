#include "server/http/routes.hpp"

namespace sixpn::server::http {

std::optional<std::string_view> Call::query_value(const std::string& key) const {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

const std::vector<Route>& route_table() {
  static const std::vector<Route> table = {
      {"GET", "/v1/platform/regions", false, list_regions},
      {"GET", "/v1/orgs", true, list_orgs},
      {"GET", "/v1/tokens/current", true, show_current_token},
      {"GET", "/v1/orgs/{org}/wireguard_peers", true, list_peers},
      {"POST", "/v1/orgs/{org}/wireguard_peers", true, create_peer},
      {"DELETE", "/v1/orgs/{org}/wireguard_peers/{name}", true, delete_peer},
      {"GET", "/v1/apps", true, list_apps},
      {"POST", "/v1/apps", true, create_app},
      {"GET", "/v1/apps/{app}", true, show_app},
      {"GET", "/v1/apps/{app}/machines", true, list_machines},
      {"POST", "/v1/apps/{app}/machines", true, create_machine},
      {"GET", "/v1/apps/{app}/machines/{id}", true, show_machine},
      {"POST", "/v1/apps/{app}/machines/{id}/start", true, start_machine},
      {"POST", "/v1/apps/{app}/machines/{id}/stop", true, stop_machine},
      {"DELETE", "/v1/apps/{app}/machines/{id}", true, destroy_machine},
      {"GET", "/v1/apps/{app}/ip_assignments", true, list_ip_assignments},
      {"POST", "/v1/apps/{app}/ip_assignments", true, create_ip_assignment},
      {"DELETE", "/v1/apps/{app}/ip_assignments/{ip}", true, delete_ip_assignment},
  };
  return table;
}

}  // namespace sixpn::server::http
