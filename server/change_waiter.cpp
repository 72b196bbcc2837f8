#include "server/change_waiter.hpp"

namespace sixpn::server {

namespace {
std::uint64_t microseconds_since_epoch() {
  auto since = std::chrono::system_clock::now().time_since_epoch();
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(since).count());
}
}  // namespace

ChangeWaiter::ChangeWaiter() : ChangeWaiter(microseconds_since_epoch()) {}

ChangeWaiter::ChangeWaiter(std::uint64_t first_version) : version_(first_version) {}

ChangeWaiter::Result ChangeWaiter::wait_for_change(std::uint64_t seen,
                                                   std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  bool woken = changed_.wait_for(lock, timeout, [&] { return version_ != seen || shutting_down_; });
  if (version_ != seen) return {version_, Wake::changed};
  return {version_, woken ? Wake::shutting_down : Wake::timed_out};
}

std::uint64_t ChangeWaiter::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

std::uint64_t ChangeWaiter::bump() {
  std::uint64_t now;
  {
    std::lock_guard lock(mu_);
    now = ++version_;
  }
  changed_.notify_all();
  return now;
}

void ChangeWaiter::shutdown() {
  {
    std::lock_guard lock(mu_);
    shutting_down_ = true;
  }
  changed_.notify_all();
}

}  // namespace sixpn::server
