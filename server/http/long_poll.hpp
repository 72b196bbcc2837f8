#pragma once
// The wait of the long-polls (a host's state watch, a machine wait, `sixpn logs -f`): check,
// and while the answer is not there yet, park on the waiter until it moves or time runs out.
#include <chrono>

#include "server/change_waiter.hpp"

namespace sixpn::server::http {

// True as soon as ready() is; false when `timeout` ran out first, or at once when there is no
// waiter or it was shut down (the server is stopping) — after one last look.
template <class Ready>
bool wait_until(ChangeWaiter* waiter, std::chrono::milliseconds timeout, Ready ready) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + timeout;
  for (;;) {
    // The version is read before looking, so a change made meanwhile wakes the wait below.
    const auto seen = waiter != nullptr ? waiter->version() : 0;
    if (ready()) return true;
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (waiter == nullptr || left.count() <= 0) return false;
    if (waiter->wait_for_change(seen, left) == seen && Clock::now() < deadline) {
      return ready();  // woken without a change before the deadline: shut down
    }
  }
}

}  // namespace sixpn::server::http
