#include "server/change_waiter.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

namespace sixpn::server {
namespace {

using namespace std::chrono_literals;

// Long enough that a wait only ends by what the test does, never by its own timeout.
constexpr auto kForever = 2min;  // well beyond kGuard, so a failing case fails first
// Only a guard against a hang.
constexpr auto kGuard = 30s;

TEST(ChangeWaiter, AnsweredAtOnceWhenTheCallerIsBehind) {
  ChangeWaiter changes;
  auto seen = changes.version();
  changes.bump();
  EXPECT_EQ(changes.wait_for_change(seen, kForever), seen + 1);
}

TEST(ChangeWaiter, TimesOutWithTheSameVersionWhenNothingChanged) {
  ChangeWaiter changes;
  auto seen = changes.version();
  EXPECT_EQ(changes.wait_for_change(seen, 10ms), seen);
}

TEST(ChangeWaiter, ABumpWakesEveryWaiterWithTheNewVersion) {
  ChangeWaiter changes;
  auto seen = changes.version();
  std::vector<std::future<std::uint64_t>> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.push_back(
        std::async(std::launch::async, [&] { return changes.wait_for_change(seen, kForever); }));
  }
  changes.bump();
  for (auto& w : waiters) {
    ASSERT_EQ(w.wait_for(kGuard), std::future_status::ready);
    EXPECT_GT(w.get(), seen);
  }
}

TEST(ChangeWaiter, ShutdownWakesEveryWaiterAndLaterWaitsReturnAtOnce) {
  ChangeWaiter changes;
  auto seen = changes.version();
  std::vector<std::future<std::uint64_t>> waiters;
  for (int i = 0; i < 1000; ++i) {
    waiters.push_back(
        std::async(std::launch::async, [&] { return changes.wait_for_change(seen, kForever); }));
  }
  changes.shutdown();
  for (auto& w : waiters) {
    ASSERT_EQ(w.wait_for(kGuard), std::future_status::ready);
    EXPECT_EQ(w.get(), seen);  // woken without a change
  }
  auto later =
      std::async(std::launch::async, [&] { return changes.wait_for_change(seen, kForever); });
  ASSERT_EQ(later.wait_for(kGuard), std::future_status::ready);
}

TEST(ChangeWaiter, BumpsFromManyThreadsAreAllCounted) {
  ChangeWaiter changes;
  auto first = changes.version();
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) changes.bump();
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(changes.version(), first + 4000u);
}

}  // namespace
}  // namespace sixpn::server
