#include "proxy/flycast_proxy.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <thread>

#include "proxy/proxy_loop.hpp"
#include "proxy/proxy_state.hpp"

namespace sixpn::proxy {

namespace {
constexpr std::size_t kMaxDefaultThreads = 8;
}  // namespace

std::string endpoint_text(const core::Ipv6& address, std::uint16_t port) {
  return "[" + address.str() + "]:" + std::to_string(port);
}

ProxyShared::ProxyShared(ProxyOptions o) : options(std::move(o)) {
  if (options.max_connections == 0) {
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    options.max_connections = limit.rlim_cur > 512 ? (limit.rlim_cur - 256) / 6 : 32;
  }
  loop_count = options.threads;
  if (loop_count == 0) {
    loop_count =
        std::clamp<std::size_t>(std::thread::hardware_concurrency(), 1, kMaxDefaultThreads);
  }
  if (options.start_machine) starts.emplace(options.start_machine);
}

void ProxyShared::apply(ProxyConfig config) {
  auto next = std::make_shared<const ProxyConfig>(std::move(config));
  std::lock_guard lock(mutex_);
  std::map<ServiceKey, std::shared_ptr<ServiceState>> updated;
  for (const auto& service : next->services) {
    ServiceKey key{service.address, service.port};
    auto it = services_.find(key);
    auto state = it != services_.end() ? it->second : std::make_shared<ServiceState>();
    std::lock_guard service_lock(state->mutex);
    state->service = service;
    for (const auto& b : service.backends) state->backend(b.machine_id);
    updated[key] = state;
  }
  services_ = std::move(updated);
  config_ = std::move(next);
}

std::shared_ptr<const ProxyConfig> ProxyShared::current_config() const {
  std::lock_guard lock(mutex_);
  return config_;
}

std::map<ServiceKey, std::shared_ptr<ServiceState>> ProxyShared::current_services() const {
  std::lock_guard lock(mutex_);
  return services_;
}

FlycastProxy::FlycastProxy(ProxyOptions options)
    : shared_(std::make_unique<ProxyShared>(std::move(options))) {
  for (std::size_t i = 0; i < shared_->loop_count; ++i) {
    loops_.push_back(std::make_unique<ProxyLoop>(*shared_));
  }
}

FlycastProxy::~FlycastProxy() {
  loops_.clear();
  shared_->starts.reset();  // waits for a start under way
}

void FlycastProxy::update(ProxyConfig config) {
  shared_->apply(std::move(config));
  for (auto& loop : loops_) loop->notify();
}

std::vector<ServiceCounters> FlycastProxy::counters() const {
  std::vector<ServiceCounters> out;
  for (const auto& [key, state] : shared_->current_services()) {
    ServiceCounters c;
    c.address = key.first;
    c.port = key.second;
    c.connections = state->connections.load();
    c.active = state->active.load();
    c.refused = state->refused.load();
    c.autostarts = state->autostarts.load();
    c.listening = static_cast<std::size_t>(state->loops_listening.load()) == shared_->loop_count;
    std::lock_guard lock(state->mutex);
    c.app = state->service.app;
    c.listen_problem = c.listening ? "" : state->listen_problem;
    for (const auto& b : state->service.backends) {
      auto it = state->backends.find(b.machine_id);
      BackendCounters bc;
      bc.machine_id = b.machine_id;
      if (it != state->backends.end()) {
        bc.active = it->second->active.load();
        bc.connections = it->second->connections.load();
        bc.refusals = it->second->refusals.load();
      }
      c.backends.push_back(std::move(bc));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sixpn::proxy
