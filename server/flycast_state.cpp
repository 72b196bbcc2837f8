#include "server/flycast_state.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace sixpn::server {

std::vector<api::FlycastService> flycast_services(const store::NetworkView& view) {
  std::map<std::uint32_t, std::string> org_of_network;
  for (const auto& org : view.orgs) org_of_network[org.network_id] = org.slug;
  std::map<std::string, std::vector<const store::NetworkView::Machine*>> machines_of_app;
  for (const auto& m : view.machines) {
    if (!m.services.empty()) machines_of_app[m.app].push_back(&m);
  }

  std::vector<api::FlycastService> out;
  for (const auto& flycast : view.flycast) {
    auto machines = machines_of_app.find(flycast.app);
    if (machines == machines_of_app.end()) continue;
    std::map<int, api::FlycastService> by_port;
    for (const auto* m : machines->second) {
      for (const auto& service : m->services) {
        for (const auto& port : service.ports) {
          auto [it, fresh] = by_port.try_emplace(port.port);
          auto& s = it->second;
          if (fresh) {
            s.address = flycast.address.str();
            s.port = port.port;
            s.app = flycast.app;
            s.org = org_of_network[m->network_id];
            s.network_id = flycast.network_id;
          }
          s.min_machines_running = std::max(s.min_machines_running, service.min_machines_running);
          api::FlycastBackend b;
          b.machine_id = m->id;
          b.region = m->region;
          b.address = m->address.str();
          b.internal_port = service.internal_port;
          b.started = m->started;
          b.soft_limit = service.concurrency.soft_limit;
          b.hard_limit = service.concurrency.hard_limit;
          b.autostart = service.autostart;
          b.autostop = service.autostop == "stop";
          s.backends.push_back(std::move(b));
        }
      }
    }
    for (auto& [port, service] : by_port) out.push_back(std::move(service));
  }
  return out;
}

std::vector<api::FlycastService> flycast_services_on(std::vector<api::FlycastService> services,
                                                     const std::set<std::uint32_t>& networks) {
  std::erase_if(services, [&](const api::FlycastService& s) { return !networks.count(s.network_id); });
  return services;
}

bool proxy_may_start(const std::vector<api::FlycastService>& services, const std::string& app,
                     const std::string& machine_id) {
  for (const auto& service : services) {
    if (service.app != app) continue;
    for (const auto& b : service.backends) {
      if (b.machine_id == machine_id && b.autostart) return true;
    }
  }
  return false;
}

void start_for_proxy(store::Store& store, const std::string& app, const std::string& machine_id) {
  auto record = store.find_app(app);
  if (!record) return;
  auto m = store.find_machine(*record, machine_id);
  if (!m || m->desired != store::MachineState::Stopped) return;
  store.set_machine_state(*record, machine_id, store::MachineState::Started);
}

}  // namespace sixpn::server
