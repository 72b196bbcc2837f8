#include "server/change_waiter.hpp"

#include <gtest/gtest.h>

#include <future>
#include <thread>
#include <vector>

namespace sixpn::server {
namespace {

using namespace std::chrono_literals;
using Wake = ChangeWaiter::Wake;

// Long enough that a wait only ends by what the test does, never by its own timeout.
constexpr auto kForever = 2min;  // well beyond kGuard, so a failing case fails first
// Only a guard against a hang.
constexpr auto kGuard = 30s;

TEST(ChangeWaiter, AnsweredAtOnceWhenTheCallerIsBehind) {
  ChangeWaiter changes(100);
  changes.bump();
  auto r = changes.wait_for_change(100, kForever);
  EXPECT_EQ(r.why, Wake::changed);
  EXPECT_EQ(r.version, 101u);
}

TEST(ChangeWaiter, AVersionFromAnEarlierServerIsAnsweredAtOnce) {
  ChangeWaiter changes(100);
  auto r = changes.wait_for_change(5000, kForever);
  EXPECT_EQ(r.why, Wake::changed);
  EXPECT_EQ(r.version, 100u);
}

TEST(ChangeWaiter, TimesOutWithTheSameVersionWhenNothingChanged) {
  ChangeWaiter changes(7);
  auto r = changes.wait_for_change(7, 10ms);
  EXPECT_EQ(r.why, Wake::timed_out);
  EXPECT_EQ(r.version, 7u);
}

TEST(ChangeWaiter, ABumpWakesEveryWaiterWithTheNewVersion) {
  ChangeWaiter changes(1);
  std::vector<std::future<ChangeWaiter::Result>> waiters;
  for (int i = 0; i < 8; ++i) {
    waiters.push_back(
        std::async(std::launch::async, [&] { return changes.wait_for_change(1, kForever); }));
  }
  EXPECT_EQ(changes.bump(), 2u);
  for (auto& w : waiters) {
    ASSERT_EQ(w.wait_for(kGuard), std::future_status::ready);
    auto r = w.get();
    EXPECT_EQ(r.why, Wake::changed);
    EXPECT_GE(r.version, 2u);
  }
}

TEST(ChangeWaiter, ShutdownWakesEveryWaiterAndLaterWaitsReturnAtOnce) {
  ChangeWaiter changes(1);
  std::vector<std::future<ChangeWaiter::Result>> waiters;
  for (int i = 0; i < 1000; ++i) {
    waiters.push_back(
        std::async(std::launch::async, [&] { return changes.wait_for_change(1, kForever); }));
  }
  changes.shutdown();
  for (auto& w : waiters) {
    ASSERT_EQ(w.wait_for(kGuard), std::future_status::ready);
    EXPECT_EQ(w.get().why, Wake::shutting_down);
  }
  auto later = changes.wait_for_change(1, kForever);
  EXPECT_EQ(later.why, Wake::shutting_down);
  EXPECT_EQ(later.version, 1u);
}

TEST(ChangeWaiter, BumpsFromManyThreadsAreAllCounted) {
  ChangeWaiter changes(0);
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) changes.bump();
    });
  }
  for (auto& w : writers) w.join();
  EXPECT_EQ(changes.version(), 4000u);
}

TEST(ChangeWaiter, ARestartedServerStartsAboveTheEarlierOnesVersions) {
  ChangeWaiter earlier;
  for (int i = 0; i < 10; ++i) earlier.bump();
  std::this_thread::sleep_for(1ms);  // more microseconds than bumps pass between the two
  ChangeWaiter later;
  EXPECT_GT(later.version(), earlier.version());
}

}  // namespace
}  // namespace sixpn::server
