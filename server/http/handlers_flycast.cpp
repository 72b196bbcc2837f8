// Handlers: Flycast — a host's proxy starting a machine for a waiting connection and sending its
// counters (a host's credential), and an app's services as users see them (an org token).
#include <set>

#include "server/flycast_counters.hpp"
#include "server/flycast_state.hpp"
#include "server/http/handlers.hpp"

namespace sixpn::server::http {

namespace {
// The services of the orgs whose machines run on the host: what its proxy may serve.
std::vector<api::FlycastService> services_of_host(const Services& s, std::uint32_t host_id) {
  std::set<std::uint32_t> networks;
  for (const auto& m : s.store.host_machines(host_id)) {
    if (m.desired != store::MachineState::Destroyed) networks.insert(m.network_id);
  }
  return flycast_services_on(flycast_services(s.store.network_view()), networks);
}
}  // namespace

Reply proxy_start(const Services& s, const Call& call) {
  auto req = decoded(decode_proxy_start(call.body));
  // Only a machine the host's proxy serves, and only one whose service allows it: a host can
  // start no other org's machine, nor one its owner keeps stopped.
  if (!proxy_may_start(services_of_host(s, call.host->id), req.app, req.machine_id)) {
    throw HttpException(forbidden("machine " + printable(req.machine_id, 40) + " of " +
                                  printable(req.app, 63) +
                                  " is not one this host's proxy may start (no service of it "
                                  "with autostart on a Flycast address the host serves)"));
  }
  start_for_proxy(s.store, req.app, req.machine_id);
  return Reply{204, nullptr};
}

Reply proxy_report(const Services& s, const Call& call) {
  auto req = decoded(decode_proxy_report(call.body));
  if (s.flycast != nullptr) s.flycast->put(call.host->id, std::move(req));
  return Reply{204, nullptr};
}

Reply app_services(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  const auto view = s.store.network_view();
  std::map<std::uint32_t, std::string> org_of_network;
  for (const auto& org : view.orgs) org_of_network[org.network_id] = org.slug;
  const auto totals = s.flycast != nullptr ? s.flycast->totals()
                                           : std::map<std::pair<std::string, int>, FlycastTotal>{};
  const auto autostops = s.flycast != nullptr ? s.flycast->autostops(app.name) : 0;
  api::AppServices out;
  for (const auto& service : flycast_services(view)) {
    if (service.app != app.name) continue;
    api::AppService v;
    v.address = service.address;
    v.port = service.port;
    v.network_org = org_of_network[service.network_id];
    v.min_machines_running = service.min_machines_running;
    v.counters.autostops = autostops;
    auto total = totals.find({service.address, service.port});
    if (total != totals.end()) {
      v.counters.connections = total->second.connections;
      v.counters.active = total->second.active;
      v.counters.refused = total->second.refused;
      v.counters.autostarts = total->second.autostarts;
      v.counters.proxies = total->second.proxies;
      v.listen_problems = total->second.listen_problems;
    }
    for (const auto& b : service.backends) {
      api::AppServiceMachine m;
      m.id = b.machine_id;
      m.region = b.region;
      m.started = b.started;
      m.internal_port = b.internal_port;
      m.soft_limit = b.soft_limit;
      m.hard_limit = b.hard_limit;
      m.autostart = b.autostart;
      m.autostop = b.autostop;
      if (total != totals.end()) {
        if (auto it = total->second.machines.find(b.machine_id); it != total->second.machines.end()) {
          m.active = it->second.active;
          m.connections = it->second.connections;
          m.refusals = it->second.refusals;
        }
      }
      v.machines.push_back(std::move(m));
    }
    out.services.push_back(std::move(v));
  }
  return Reply{200, out};
}

}  // namespace sixpn::server::http
