#include "dns/feed.hpp"

#include <exception>

namespace sixpn::dns {

SnapshotRefresher::SnapshotRefresher(Build build, SnapshotFeed& feed,
                                     std::chrono::milliseconds period, Log log)
    : build_(std::move(build)), feed_(feed), period_(period), log_(std::move(log)) {
  refresh_now();
  thread_ = std::thread([this] { run(); });
}

SnapshotRefresher::~SnapshotRefresher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SnapshotRefresher::notify() {
  {
    std::lock_guard lock(mu_);
    dirty_ = true;
  }
  wake_.notify_one();
}

void SnapshotRefresher::refresh_now() {
  std::lock_guard lock(build_mu_);
  try {
    feed_.publish(std::make_shared<const Snapshot>(build_()));
  } catch (const std::exception& e) {
    // Keep answering from the last good snapshot; the next change or period tries again.
    if (log_) log_(std::string("dns: could not rebuild the snapshot: ") + e.what());
  }
}

void SnapshotRefresher::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    wake_.wait_for(lock, period_, [this] { return dirty_ || stopping_; });
    if (stopping_) return;
    dirty_ = false;  // a change landing during the build below sets it again
    lock.unlock();
    refresh_now();
    lock.lock();
  }
}

}  // namespace sixpn::dns
