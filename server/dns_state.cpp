#include "server/dns_state.hpp"

#include <mutex>

namespace sixpn::server {

struct StoreDnsService::Hook {
  std::mutex mu;
  dns::DnsService* service = nullptr;
};

StoreDnsService::StoreDnsService(dns::ServerOptions options, store::Store& store)
    : hook_(std::make_shared<Hook>()),
      service_(std::move(options), [&store] { return store.dns_snapshot(); }) {
  hook_->service = &service_;
  store.add_change_listener([hook = hook_] {
    std::lock_guard lock(hook->mu);
    if (hook->service) hook->service->notify();
  });
}

StoreDnsService::~StoreDnsService() {
  std::lock_guard lock(hook_->mu);
  hook_->service = nullptr;
}

}  // namespace sixpn::server
