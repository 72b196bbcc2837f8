#include "server/http/auth_limiter.hpp"

namespace sixpn::server::http {

long AuthLimiter::retry_after(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  auto it = windows_.find(address);
  if (it == windows_.end() || it->second.failures < limit_) return 0;
  auto left = it->second.start + window_ - now;
  if (left <= Clock::duration::zero()) {
    windows_.erase(it);
    return 0;
  }
  return std::chrono::duration_cast<std::chrono::seconds>(left).count() + 1;
}

void AuthLimiter::record_failure(const std::string& address, Clock::time_point now) {
  std::lock_guard lock(mu_);
  // Bounded memory however many addresses fail: old windows are dropped as new ones come.
  if (windows_.size() > 10000) forget_expired(now);
  auto& w = windows_[address];
  if (w.failures == 0 || now - w.start >= window_) w = Window{now, 0};
  ++w.failures;
}

void AuthLimiter::forget_expired(Clock::time_point now) {
  for (auto it = windows_.begin(); it != windows_.end();) {
    it = now - it->second.start >= window_ ? windows_.erase(it) : std::next(it);
  }
  if (windows_.size() > 10000) windows_.clear();  // a flood of distinct addresses: start over
}

}  // namespace sixpn::server::http
