#include "server/http/routes.hpp"

namespace sixpn::server::http {

std::optional<std::string_view> Call::query_value(const std::string& key) const {
  auto it = query.find(key);
  if (it == query.end()) return std::nullopt;
  return std::string_view(it->second);
}

const std::vector<Route>& route_table() {
  static const std::vector<Route> table = {
      {"GET", "/v1/platform/regions", Auth::None, list_regions},
      {"GET", "/v1/orgs", Auth::Org, list_orgs},
      {"GET", "/v1/tokens/current", Auth::Org, show_current_token},
      {"GET", "/v1/orgs/{org}/wireguard_peers", Auth::Org, list_peers},
      {"POST", "/v1/orgs/{org}/wireguard_peers", Auth::Org, create_peer},
      {"DELETE", "/v1/orgs/{org}/wireguard_peers/{name}", Auth::Org, delete_peer},
      {"GET", "/v1/apps", Auth::Org, list_apps},
      {"POST", "/v1/apps", Auth::Org, create_app},
      {"GET", "/v1/apps/{app}", Auth::Org, show_app},
      {"GET", "/v1/apps/{app}/machines", Auth::Org, list_machines},
      {"POST", "/v1/apps/{app}/machines", Auth::Org, create_machine},
      {"GET", "/v1/apps/{app}/machines/{id}", Auth::Org, show_machine},
      {"POST", "/v1/apps/{app}/machines/{id}/start", Auth::Org, start_machine},
      {"POST", "/v1/apps/{app}/machines/{id}/stop", Auth::Org, stop_machine},
      {"DELETE", "/v1/apps/{app}/machines/{id}", Auth::Org, destroy_machine},
      {"GET", "/v1/apps/{app}/machines/{id}/wait", Auth::Org, wait_machine},
      {"GET", "/v1/apps/{app}/logs", Auth::Org, app_logs},
      {"POST", "/v1/hosts/register", Auth::None, register_host},
      {"GET", "/v1/hosts/self/state", Auth::Host, host_state},
      {"POST", "/v1/hosts/self/reports", Auth::Host, host_reports},
      {"POST", "/v1/hosts/self/logs", Auth::Host, host_logs},
      {"POST", "/v1/hosts/self/proxy", Auth::Host, proxy_report},
      {"POST", "/v1/hosts/self/proxy/start", Auth::Host, proxy_start},
      {"GET", "/v1/apps/{app}/services", Auth::Org, app_services},
      {"GET", "/v1/hosts", Auth::Operator, list_hosts},
      {"DELETE", "/v1/hosts/{id}", Auth::Operator, remove_host},
      {"GET", "/v1/apps/{app}/ip_assignments", Auth::Org, list_ip_assignments},
      {"POST", "/v1/apps/{app}/ip_assignments", Auth::Org, create_ip_assignment},
      {"DELETE", "/v1/apps/{app}/ip_assignments/{ip}", Auth::Org, delete_ip_assignment},
  };
  return table;
}

}  // namespace sixpn::server::http
