#pragma once
// What the loops of one FlycastProxy share (internal to proxy/): the services with their
// counters and the balancing state of their machines, the configuration, machine starts, and
// the count of open connections. Each loop has its own listeners and connections
// (proxy_loop.hpp); everything here is read and written by several of them at once.
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "net/fd.hpp"
#include "proxy/balance.hpp"
#include "proxy/flycast_proxy.hpp"
#include "proxy/start_requests.hpp"

namespace sixpn::proxy {

using Clock = std::chrono::steady_clock;
using ServiceKey = std::pair<core::Ipv6, std::uint16_t>;

std::string endpoint_text(const core::Ipv6& address, std::uint16_t port);

struct BackendState {
  std::atomic<int> active{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> refusals{0};
  // Under ServiceState::mutex:
  Clock::time_point refused_until{};
  int doublings = 0;
  std::optional<Clock::time_point> start_asked;  // cleared by its first accepted connection
};

struct ServiceState {
  std::atomic<std::uint64_t> connections{0};
  std::atomic<int> active{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> autostarts{0};
  std::atomic<int> loops_listening{0};

  // Guards everything below: the definition (replaced by FlycastProxy::update), the machines'
  // balancing state and the rotation. Held only for a choice or a change of a machine's state.
  mutable std::mutex mutex;
  Service service;
  std::map<std::string, std::unique_ptr<BackendState>> backends;  // by machine id, kept
  std::size_t rotation = 0;
  std::string listen_problem;  // the latest loop's that could not listen
  // The listening socket, owned by the loops that watch it: it closes when the last of them
  // lets go (the service was removed), even while connections of the service go on.
  std::weak_ptr<net::Fd> listener;

  // Every machine the service ever listed has its entry (made when the configuration
  // arrives), so a loop only ever finds one here. Under `mutex`, or for the atomics only.
  BackendState& backend(const std::string& machine_id) {
    auto& slot = backends[machine_id];
    if (!slot) slot = std::make_unique<BackendState>();
    return *slot;
  }
};

struct ProxyShared {
  explicit ProxyShared(ProxyOptions o);

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }
  // Applies `config` to the services (made, kept or dropped) and publishes it to the loops.
  void apply(ProxyConfig config);
  std::shared_ptr<const ProxyConfig> current_config() const;
  std::map<ServiceKey, std::shared_ptr<ServiceState>> current_services() const;

  ProxyOptions options;  // max_connections resolved
  std::size_t loop_count = 1;
  std::atomic<std::size_t> open_connections{0};  // over every loop, waiting ones included
  std::optional<StartRequests> starts;

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const ProxyConfig> config_ = std::make_shared<ProxyConfig>();
  std::map<ServiceKey, std::shared_ptr<ServiceState>> services_;
};

}  // namespace sixpn::proxy
