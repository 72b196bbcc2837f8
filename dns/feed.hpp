#pragma once
// How the DNS server gets its Snapshot: a SnapshotFeed holds the current one (swapped
// atomically, so a query never waits for the store), and a SnapshotRefresher rebuilds it off the
// writer's thread whenever the store reports a change.
//
// Staleness bound: a write made through this sixpnd is answered from the moment the rebuild it
// triggered is published — one snapshot build after the commit (a build already running when
// the write landed is followed by another). Writes that reach the database from elsewhere
// (another process on the same file) are picked up by the periodic rebuild, at most
// `period` later.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "dns/snapshot.hpp"

namespace sixpn::dns {

class SnapshotFeed {
 public:
  SnapshotFeed() : current_(std::make_shared<const Snapshot>()) {}
  SnapshotPtr current() const { return current_.load(std::memory_order_acquire); }
  void publish(SnapshotPtr snapshot) {
    current_.store(std::move(snapshot), std::memory_order_release);
  }

 private:
  std::atomic<SnapshotPtr> current_;
};

class SnapshotRefresher {
 public:
  using Build = std::function<Snapshot()>;
  using Log = std::function<void(const std::string&)>;

  // Builds and publishes once before returning, so the server starts with real data.
  SnapshotRefresher(Build build, SnapshotFeed& feed,
                    std::chrono::milliseconds period = std::chrono::seconds(1), Log log = {});
  ~SnapshotRefresher();
  SnapshotRefresher(const SnapshotRefresher&) = delete;
  SnapshotRefresher& operator=(const SnapshotRefresher&) = delete;

  // Cheap and safe from any thread (the store calls it after each commit).
  void notify();
  // Rebuilds now, on the caller's thread; for start-up and tests.
  void refresh_now();

 private:
  void run();

  Build build_;
  SnapshotFeed& feed_;
  std::chrono::milliseconds period_;
  Log log_;
  std::mutex mu_;
  std::mutex build_mu_;  // one build at a time
  std::condition_variable wake_;
  bool dirty_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sixpn::dns
