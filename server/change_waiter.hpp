#pragma once
// The long-poll primitive of host watches: a version that the store's change listener bumps
// after every committed change, and a wait that returns as soon as the version differs from the
// one a client has seen, when its timeout passes, or when the server stops. A watch handler
// answers with the version it got back, and the client sends it again with its next poll; so
// no change between two polls is missed, whichever thread commits it.
//
// A parked watch holds its HTTP thread and connection for the whole wait (see
// server/http/elastic_pool.hpp); httplib's read and write timeouts do not run while a handler
// waits, but the client's own timeout must be longer than the poll.
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace sixpn::server {

class ChangeWaiter {
 public:
  // The first version is the time of construction in microseconds since the epoch, so that a
  // restarted server does not hand out again the versions an earlier one did: a client that
  // kept one from before sees it differ and is answered at once.
  ChangeWaiter();
  explicit ChangeWaiter(std::uint64_t first_version);

  enum class Wake { changed, timed_out, shutting_down };
  struct Result {
    std::uint64_t version = 0;  // the current version, in every case
    Wake why = Wake::changed;
  };

  // Returns at once when the current version is not `seen` (newer, or from an earlier run of
  // the server); else waits until a bump, the timeout, or shutdown().
  Result wait_for_change(std::uint64_t seen, std::chrono::milliseconds timeout);
  std::uint64_t version() const;
  // One change committed; wakes every waiter. Returns the new version.
  std::uint64_t bump();
  // Wakes every waiter, and makes every later wait return at once: the server is stopping.
  void shutdown();

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::uint64_t version_;
  bool shutting_down_ = false;
};

}  // namespace sixpn::server
