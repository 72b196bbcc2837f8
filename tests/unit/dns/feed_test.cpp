// The snapshot feed: rebuilt after a change, and the last good one kept when a build fails.
#include "dns/feed.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

namespace sixpn::dns {
namespace {

using namespace std::chrono_literals;

TEST(DnsRefresher, PublishesARebuildAfterNotify) {
  SnapshotFeed feed;
  std::atomic<int> builds{0};
  SnapshotRefresher refresher(
      [&] {
        Snapshot s;
        s.version = static_cast<std::uint64_t>(++builds);
        return s;
      },
      feed, std::chrono::hours(1));
  EXPECT_EQ(feed.current()->version, 1u);
  refresher.notify();
  for (int i = 0; i < 200 && feed.current()->version < 2; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(feed.current()->version, 2u);
}

TEST(DnsRefresher, KeepsTheLastGoodSnapshotWhenABuildFails) {
  SnapshotFeed feed;
  std::atomic<bool> broken{false};
  std::string logged;
  SnapshotRefresher refresher(
      [&] {
        if (broken) throw std::runtime_error("database is locked");
        Snapshot s;
        s.version = 9;
        return s;
      },
      feed, std::chrono::hours(1), [&](const std::string& line) { logged = line; });
  broken = true;
  refresher.refresh_now();
  EXPECT_EQ(feed.current()->version, 9u);
  EXPECT_NE(logged.find("database is locked"), std::string::npos);
}

}  // namespace
}  // namespace sixpn::dns
