#include "server/store/change_listeners.hpp"

#include <cstdio>
#include <exception>

#include "server/util.hpp"

namespace sixpn::server::store {

void ChangeListeners::add(std::function<void()> listener) {
  std::lock_guard lock(mu_);
  listeners_.push_back(std::move(listener));
}

void ChangeListeners::notify() {
  version_.fetch_add(1);
  std::vector<std::function<void()>> copy;
  {
    std::lock_guard lock(mu_);
    copy = listeners_;
  }
  for (const auto& listener : copy) {
    try {
      listener();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s change listener failed: %s\n", now_rfc3339().c_str(), e.what());
    }
  }
}

}  // namespace sixpn::server::store
