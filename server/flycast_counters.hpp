#pragma once
// The Flycast proxies' counters: each host's as it last reported them, the gateway's read from
// its own proxy, summed per service (Flycast address and port) and per machine. Kept in memory
// only — they are live figures, not records: after a restart of sixpnd every host sends its own
// again within seconds. Autostops are counted here too, per app, by the control plane's pass.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "api/flycast_types.hpp"

namespace sixpn::server {

struct FlycastTotal {
  std::uint64_t connections = 0;
  int active = 0;
  std::uint64_t refused = 0;
  std::uint64_t autostarts = 0;
  int proxies = 0;  // nodes whose proxy serves it
  std::vector<std::string> listen_problems;
  std::map<std::string, api::FlycastBackendCounters> machines;  // by machine id
};

class FlycastCounters {
 public:
  using Clock = std::chrono::steady_clock;
  // A report older than this no longer counts (its host stopped sending: gone, or cut off).
  static constexpr auto kFresh = std::chrono::seconds(30);

  // The gateway's proxy, read at every total.
  void set_local(std::function<api::ProxyReport()> local);
  void put(std::uint32_t host_id, api::ProxyReport report);
  // Keyed by (address, port).
  std::map<std::pair<std::string, int>, FlycastTotal> totals() const;

  void count_autostop(const std::string& app);
  std::uint64_t autostops(const std::string& app) const;

 private:
  mutable std::mutex mutex_;
  std::function<api::ProxyReport()> local_;
  std::map<std::uint32_t, std::pair<Clock::time_point, api::ProxyReport>> reports_;
  std::map<std::string, std::uint64_t> autostops_;
};

}  // namespace sixpn::server
