#pragma once
// A version counter that requests can wait on: the store's change listener bumps it after every
// committed change, and long-polls (a host's watch of its desired state, `sixpn logs -f`, a
// machine wait) park on it until it moves past what they have seen. shutdown() releases every
// parked wait at once, so a stopping server does not sit out their timeouts.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace sixpn::server {

class ChangeWaiter {
 public:
  void bump();
  std::uint64_t version() const;
  // Returns the version once it is greater than `after`, when `timeout` runs out, or at once
  // after shutdown(); the caller compares it with `after` to tell which.
  std::uint64_t wait_for_change(std::uint64_t after, std::chrono::milliseconds timeout);
  void shutdown();

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::uint64_t version_ = 1;
  bool shut_down_ = false;
};

}  // namespace sixpn::server
