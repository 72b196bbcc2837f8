#pragma once
// The REST API as one table: every (method, path) the server answers, whether it needs a
// token, and its handler. The HTTP glue (server.cpp) registers exactly this table, and a test
// checks that api/openapi.yaml describes every entry.
//
// Handlers see a Call (path parameters, query, body, the caller) and return a Reply; they know
// nothing of the HTTP library, so tests can drive them directly.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/types.hpp"
#include "server/change_waiter.hpp"
#include "server/hostport.hpp"
#include "server/regions.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {
class ChangeWaiter;
class FlycastCounters;
}

namespace sixpn::server::http {

class AuthLimiter;

struct Services {
  store::Store& store;
  const RegionCatalog& regions;
  HostPort gateway_endpoint;
  std::string gateway_pubkey;
  AuthLimiter* auth_limiter = nullptr;  // set by ApiServer; none: no limit
  // Bumped by every committed store change: host watches and machine waits park on it.
  // None: long-polls answer at once.
  ChangeWaiter* changes = nullptr;
  // Bumped when a host sends log lines (not a store change listeners care about).
  ChangeWaiter* log_lines = nullptr;
  // sixpnd serve runs the WireGuard gateway, so hosts get it as a mesh node.
  bool gateway_in_mesh = false;
  // The Flycast proxies' counters (hosts report them; the gateway's are read in place).
  FlycastCounters* flycast = nullptr;
};

struct Call {
  std::vector<std::string> params;  // path parameters, in the order of the path template
  std::multimap<std::string, std::string> query;
  std::string_view body;
  const store::Principal* principal = nullptr;  // set for Org and Operator routes
  const store::HostRecord* host = nullptr;       // set for Host routes
  std::string remote_addr;  // the caller's address, for AuthLimiter

  std::optional<std::string_view> query_value(const std::string& key) const;
};

struct Reply {
  int status = 200;
  api::Json body;  // null: no body (204)
};

using Handler = std::function<Reply(const Services&, const Call&)>;

// Who may call a route (docs/host-protocol.md, "Credentials"): nobody needs a token, an org
// token, an operator token, or a host's credential. Any other credential is refused with 403.
enum class Auth { None, Org, Operator, Host };

struct Route {
  std::string method;  // GET, POST or DELETE
  std::string path;    // as in openapi.yaml: /v1/apps/{app}/machines/{id}
  Auth auth = Auth::Org;
  Handler handler;
};

const std::vector<Route>& route_table();

// Handlers, grouped by resource (handlers_*.cpp).
Reply list_regions(const Services& s, const Call& c);
Reply list_orgs(const Services& s, const Call& c);
Reply show_current_token(const Services& s, const Call& c);
Reply list_apps(const Services& s, const Call& c);
Reply create_app(const Services& s, const Call& c);
Reply show_app(const Services& s, const Call& c);
Reply list_machines(const Services& s, const Call& c);
Reply create_machine(const Services& s, const Call& c);
Reply show_machine(const Services& s, const Call& c);
Reply start_machine(const Services& s, const Call& c);
Reply stop_machine(const Services& s, const Call& c);
Reply destroy_machine(const Services& s, const Call& c);
Reply list_peers(const Services& s, const Call& c);
Reply create_peer(const Services& s, const Call& c);
Reply delete_peer(const Services& s, const Call& c);
Reply wait_machine(const Services& s, const Call& c);
Reply app_logs(const Services& s, const Call& c);
Reply register_host(const Services& s, const Call& c);
Reply host_state(const Services& s, const Call& c);
Reply host_reports(const Services& s, const Call& c);
Reply host_logs(const Services& s, const Call& c);
Reply proxy_report(const Services& s, const Call& c);
Reply proxy_start(const Services& s, const Call& c);
Reply app_services(const Services& s, const Call& c);
Reply list_hosts(const Services& s, const Call& c);
Reply remove_host(const Services& s, const Call& c);
Reply list_ip_assignments(const Services& s, const Call& c);
Reply create_ip_assignment(const Services& s, const Call& c);
Reply delete_ip_assignment(const Services& s, const Call& c);

}  // namespace sixpn::server::http
