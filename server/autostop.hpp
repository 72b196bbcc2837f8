#pragma once
// Autostop, as the Fly Proxy does it, decided by the control plane from every proxy's counters:
// every interval, per app and region, excess = started machines − (machines over their soft
// limit + 1), and one excess machine that allows autostop and has no connection open is
// stopped; a region's only started machine is stopped when it had no connection at all during
// the interval. min_machines_running (the largest any of the app's services asks for) is never
// undercut. The control plane decides because only it sees every node's load.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/flycast_types.hpp"
#include "server/flycast_counters.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

struct AutostopMachine {
  std::string id;
  std::string region;
  bool started = false;
  bool autostop = false;
  int soft_limit = 20;
  int active = 0;                 // connections open now, over every proxy
  std::uint64_t connections = 0;  // ever made, over every proxy
};
struct AutostopApp {
  std::string app;
  int min_machines_running = 0;
  std::vector<AutostopMachine> machines;  // each once, however many services it is behind
};
struct AutostopStop {
  std::string app;
  std::string machine_id;
  std::string reason;  // for the log line
  bool operator==(const AutostopStop&) const = default;
};

// The apps behind `services`, with the loads `totals` holds.
std::vector<AutostopApp> autostop_apps(const std::vector<api::FlycastService>& services,
                                       const std::map<std::pair<std::string, int>, FlycastTotal>& totals);

// The machines to stop in this pass. `previous` holds each machine's `connections` at the last
// pass (a machine absent from it has no interval behind it yet, so it is not idle).
std::vector<AutostopStop> plan_autostops(const std::vector<AutostopApp>& apps,
                                         const std::map<std::string, std::uint64_t>& previous);

// The pass, every `interval`, on a thread of its own, stopping through the store.
class AutostopLoop {
 public:
  AutostopLoop(store::Store& store, FlycastCounters& counters, std::chrono::milliseconds interval,
               std::function<void(const std::string&)> log);
  ~AutostopLoop();
  AutostopLoop(const AutostopLoop&) = delete;
  AutostopLoop& operator=(const AutostopLoop&) = delete;

  void pass();  // one pass now (the thread calls it every interval)

 private:
  store::Store& store_;
  FlycastCounters& counters_;
  std::chrono::milliseconds interval_;
  std::function<void(const std::string&)> log_;
  std::map<std::string, std::uint64_t> previous_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sixpn::server
