#include "server/change_waiter.hpp"

namespace sixpn::server {

void ChangeWaiter::bump() {
  {
    std::lock_guard lock(mu_);
    ++version_;
  }
  cv_.notify_all();
}

std::uint64_t ChangeWaiter::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

std::uint64_t ChangeWaiter::wait_for_change(std::uint64_t after,
                                            std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return shut_down_ || version_ > after; });
  return version_;
}

void ChangeWaiter::shutdown() {
  {
    std::lock_guard lock(mu_);
    shut_down_ = true;
  }
  cv_.notify_all();
}

}  // namespace sixpn::server
