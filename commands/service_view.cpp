#include "commands/service_view.hpp"

#include <set>

namespace sixpn::commands {

nlohmann::json service_json(const api::AppService& s) { return nlohmann::json(s); }

nlohmann::json address_services_json(const api::AppServices& all, const std::string& address) {
  auto out = nlohmann::json::array();
  for (const auto& s : all.services) {
    if (s.address != address) continue;
    auto machines = nlohmann::json::array();
    for (const auto& m : s.machines) {
      machines.push_back({{"id", m.id}, {"internal_port", m.internal_port}, {"started", m.started}});
    }
    out.push_back({{"port", s.port}, {"protocol", s.protocol}, {"machines", machines}});
  }
  return out;
}

namespace {
std::string machines_cell(const api::AppService& s) {
  int started = 0;
  std::set<int> internal;
  for (const auto& m : s.machines) {
    started += m.started ? 1 : 0;
    internal.insert(m.internal_port);
  }
  std::string ports;
  for (int p : internal) ports += (ports.empty() ? "" : ",") + std::to_string(p);
  return std::to_string(s.machines.size()) + " (" + std::to_string(started) + " started) → " +
         ports;
}
}  // namespace

std::vector<std::vector<std::string>> service_rows(const api::AppServices& services) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& s : services.services) {
    const auto& c = s.counters;
    rows.push_back({s.address, std::to_string(s.port) + "/" + s.protocol, machines_cell(s),
                    std::to_string(c.connections), std::to_string(c.active),
                    std::to_string(c.refused), std::to_string(c.autostarts),
                    std::to_string(c.autostops)});
  }
  return rows;
}

}  // namespace sixpn::commands
