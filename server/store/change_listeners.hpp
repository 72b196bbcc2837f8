#pragma once
// Who hears of a store's committed changes, and the version those changes count (see
// NetworkView::version): the same for both stores. The PostgreSQL store will also call notify()
// for changes other replicas made, once it hears of them from the database.
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace sixpn::server::store {

class ChangeListeners {
 public:
  void add(std::function<void()> listener);
  // Bumps the version, then calls every listener on this thread. The change is committed
  // whatever a listener does: its failure is said on stderr, never thrown to the caller.
  void notify();
  std::uint64_t version() const { return version_.load(); }

 private:
  std::mutex mu_;
  std::vector<std::function<void()>> listeners_;
  std::atomic<std::uint64_t> version_{1};
};

}  // namespace sixpn::server::store
