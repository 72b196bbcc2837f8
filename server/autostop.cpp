#include "server/autostop.hpp"

#include <algorithm>
#include <set>

#include "server/flycast_state.hpp"

namespace sixpn::server {

std::vector<AutostopApp> autostop_apps(
    const std::vector<api::FlycastService>& services,
    const std::map<std::pair<std::string, int>, FlycastTotal>& totals) {
  std::map<std::string, AutostopApp> apps;
  std::map<std::string, std::map<std::string, AutostopMachine>> machines;
  for (const auto& s : services) {
    auto& app = apps[s.app];
    app.app = s.app;
    app.min_machines_running = std::max(app.min_machines_running, s.min_machines_running);
    const auto total = totals.find({s.address, s.port});
    for (const auto& b : s.backends) {
      auto [it, fresh] = machines[s.app].try_emplace(b.machine_id);
      auto& m = it->second;
      if (fresh) {
        m.id = b.machine_id;
        m.region = b.region;
        m.started = b.started;
        m.soft_limit = b.soft_limit;
      }
      m.autostop = m.autostop || b.autostop;
      m.soft_limit = std::min(m.soft_limit, b.soft_limit);
      if (total == totals.end()) continue;
      if (auto load = total->second.machines.find(b.machine_id);
          load != total->second.machines.end()) {
        m.active += load->second.active;
        m.connections += load->second.connections;
      }
    }
  }
  std::vector<AutostopApp> out;
  for (auto& [name, app] : apps) {
    for (auto& [id, m] : machines[name]) app.machines.push_back(std::move(m));
    out.push_back(std::move(app));
  }
  return out;
}

std::vector<AutostopStop> plan_autostops(const std::vector<AutostopApp>& apps,
                                         const std::map<std::string, std::uint64_t>& previous) {
  std::vector<AutostopStop> out;
  for (const auto& app : apps) {
    int started = 0;
    std::map<std::string, std::vector<const AutostopMachine*>> by_region;
    for (const auto& m : app.machines) {
      if (!m.started) continue;
      started++;
      by_region[m.region].push_back(&m);
    }
    for (const auto& [region, machines] : by_region) {
      if (started <= app.min_machines_running) break;
      auto idle_for_interval = [&](const AutostopMachine& m) {
        auto it = previous.find(m.id);
        return m.active == 0 && it != previous.end() && it->second == m.connections;
      };
      const AutostopMachine* chosen = nullptr;
      std::string reason;
      if (machines.size() == 1) {
        if (machines[0]->autostop && idle_for_interval(*machines[0])) {
          chosen = machines[0];
          reason = "the only machine in " + region + " had no connection for the interval";
        }
      } else {
        int over = 0;
        for (const auto* m : machines) over += m->active > m->soft_limit ? 1 : 0;
        const int excess = static_cast<int>(machines.size()) - (over + 1);
        // An idle one first (no connection for the interval), else one with none open now.
        for (int pass = 0; pass < 2 && excess > 0 && !chosen; ++pass) {
          for (const auto* m : machines) {
            if (m->autostop && m->active == 0 && (pass == 1 || idle_for_interval(*m))) {
              chosen = m;
              break;
            }
          }
        }
        if (chosen) {
          reason = std::to_string(excess) + " more machine" + (excess == 1 ? "" : "s") +
                   " than the load in " + region + " needs";
        }
      }
      if (!chosen) continue;
      out.push_back(AutostopStop{app.app, chosen->id, reason});
      started--;
    }
  }
  return out;
}

AutostopLoop::AutostopLoop(store::Store& store, FlycastCounters& counters,
                           std::chrono::milliseconds interval,
                           std::function<void(const std::string&)> log)
    : store_(store), counters_(counters), interval_(interval), log_(std::move(log)) {
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, interval_, [this] { return stopping_; })) {
      lock.unlock();
      try {
        pass();
      } catch (const std::exception& e) {
        if (log_) log_(std::string("autostop pass failed: ") + e.what());
      }
      lock.lock();
    }
  });
}

AutostopLoop::~AutostopLoop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void AutostopLoop::pass() {
  const auto view = store_.network_view();
  const auto apps = autostop_apps(flycast_services(view), counters_.totals());
  for (const auto& stop : plan_autostops(apps, previous_)) {
    auto app = store_.find_app(stop.app);
    if (!app) continue;
    store_.set_machine_state(*app, stop.machine_id, store::MachineState::Stopped);
    counters_.count_autostop(stop.app);
    if (log_) log_("autostop: stopped machine " + stop.machine_id + " of " + stop.app + ": " + stop.reason);
  }
  previous_.clear();
  for (const auto& app : apps) {
    for (const auto& m : app.machines) previous_[m.id] = m.connections;
  }
}

}  // namespace sixpn::server
