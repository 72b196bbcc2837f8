#include "server/flycast_counters.hpp"

namespace sixpn::server {

void FlycastCounters::set_local(std::function<api::ProxyReport()> local) {
  std::lock_guard lock(mutex_);
  local_ = std::move(local);
}

void FlycastCounters::put(std::uint32_t host_id, api::ProxyReport report) {
  std::lock_guard lock(mutex_);
  reports_[host_id] = {Clock::now(), std::move(report)};
}

std::map<std::pair<std::string, int>, FlycastTotal> FlycastCounters::totals() const {
  std::vector<api::ProxyReport> current;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    for (const auto& [host, entry] : reports_) {
      if (now - entry.first <= kFresh) current.push_back(entry.second);
    }
    if (local_) current.push_back(local_());
  }
  std::map<std::pair<std::string, int>, FlycastTotal> out;
  for (const auto& report : current) {
    for (const auto& s : report.services) {
      auto& t = out[{s.address, s.port}];
      t.connections += s.connections;
      t.active += s.active;
      t.refused += s.refused;
      t.autostarts += s.autostarts;
      t.proxies++;
      if (!s.listen_problem.empty()) t.listen_problems.push_back(s.listen_problem);
      for (const auto& b : s.backends) {
        auto& m = t.machines[b.machine_id];
        m.machine_id = b.machine_id;
        m.active += b.active;
        m.connections += b.connections;
        m.refusals += b.refusals;
      }
    }
  }
  return out;
}

void FlycastCounters::count_autostop(const std::string& app) {
  std::lock_guard lock(mutex_);
  autostops_[app]++;
}

std::uint64_t FlycastCounters::autostops(const std::string& app) const {
  std::lock_guard lock(mutex_);
  auto it = autostops_.find(app);
  return it == autostops_.end() ? 0 : it->second;
}

}  // namespace sixpn::server
