#include "server/http/elastic_pool.hpp"

#include <gtest/gtest.h>
#include <pthread.h>

#include <atomic>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sixpn::server::http {
namespace {

using namespace std::chrono_literals;

// Only a guard against a hang: every wait here is for something that must happen.
constexpr auto kGuard = 30s;

// A job that blocks until opened, and says when it has started. Opened at the latest when it
// goes out of scope, so a failing case does not hang; the job holds what it waits on itself,
// so it may still be waking when the gate is gone.
class Gate {
 public:
  Gate() = default;
  Gate(const Gate&) = delete;
  Gate& operator=(const Gate&) = delete;
  ~Gate() {
    if (!opened_) open();
  }
  std::function<void()> job() {
    return [started = started_, open = open_] {
      started->set_value();
      open.wait();
    };
  }
  bool started() { return started_future_.wait_for(kGuard) == std::future_status::ready; }
  void open() {
    opened_ = true;
    opener_.set_value();
  }

 private:
  bool opened_ = false;
  std::shared_ptr<std::promise<void>> started_ = std::make_shared<std::promise<void>>();
  std::future<void> started_future_ = started_->get_future();
  std::promise<void> opener_;
  std::shared_future<void> open_ = opener_.get_future().share();
};

ElasticPoolOptions small(std::size_t resident, std::size_t max) {
  ElasticPoolOptions o;
  o.resident_threads = resident;
  o.max_threads = max;
  return o;
}

TEST(ElasticPool, RunsEveryJobOnce) {
  std::atomic<int> runs{0};
  ElasticPool pool(small(2, 16));
  for (int i = 0; i < 100; ++i) pool.enqueue([&] { ++runs; });
  pool.shutdown();
  EXPECT_EQ(runs, 100);
  EXPECT_EQ(pool.counts().threads, 0u);
}

TEST(ElasticPool, AJobThatDoesNotEndDoesNotHoldUpTheNext) {
  // One resident thread, parked in a job the way a long-poll parks a connection.
  ElasticPool pool(small(1, 4));
  Gate parked;
  pool.enqueue(parked.job());
  ASSERT_TRUE(parked.started());
  std::promise<void> ran;
  pool.enqueue([&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(kGuard), std::future_status::ready)
      << "a second thread should have been started for the second job";
  EXPECT_EQ(pool.counts().threads, 2u);
  parked.open();
}

TEST(ElasticPool, AtTheCapJobsWaitForAThreadToBecomeFree) {
  std::mutex log_mu;
  std::vector<std::string> log;
  auto options = small(1, 2);
  options.log = [&](const std::string& line) {
    std::lock_guard lock(log_mu);
    log.push_back(line);
  };
  ElasticPool pool(options);
  Gate first, second;
  pool.enqueue(first.job());
  pool.enqueue(second.job());
  ASSERT_TRUE(first.started());
  ASSERT_TRUE(second.started());
  std::promise<void> third_ran;
  pool.enqueue([&] { third_ran.set_value(); });
  auto counts = pool.counts();
  EXPECT_EQ(counts.threads, 2u);
  EXPECT_EQ(counts.busy, 2u);
  EXPECT_EQ(counts.queued, 1u) << "no third thread beyond the cap";
  {
    std::lock_guard lock(log_mu);
    ASSERT_EQ(log.size(), 1u);
    EXPECT_NE(log[0].find("cap"), std::string::npos) << log[0];
  }
  first.open();
  EXPECT_EQ(third_ran.get_future().wait_for(kGuard), std::future_status::ready);
  EXPECT_EQ(pool.counts().threads, 2u);
  second.open();
}

TEST(ElasticPool, ExtraThreadsRetireWhenIdleAndResidentOnesStay) {
  auto options = small(1, 8);
  options.idle_retire = 10ms;
  ElasticPool pool(options);
  std::vector<Gate> gates(4);  // never resized: jobs point at them
  for (auto& gate : gates) pool.enqueue(gate.job());
  for (auto& gate : gates) ASSERT_TRUE(gate.started());
  EXPECT_EQ(pool.counts().threads, 4u);
  for (auto& gate : gates) gate.open();
  auto deadline = std::chrono::steady_clock::now() + kGuard;
  while (pool.counts().threads > 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(5ms);
  }
  EXPECT_EQ(pool.counts().threads, 1u);
  std::promise<void> ran;
  pool.enqueue([&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(kGuard), std::future_status::ready);
}

TEST(ElasticPool, ShutdownRunsWhatIsQueuedThenReturns) {
  // httplib queues a connection as a job that closes its socket: dropping it would leak it.
  ElasticPool pool(small(1, 1));
  Gate blocker;
  std::atomic<int> runs{0};
  pool.enqueue(blocker.job());
  ASSERT_TRUE(blocker.started());
  for (int i = 0; i < 3; ++i) pool.enqueue([&] { ++runs; });
  EXPECT_EQ(pool.counts().queued, 3u);
  std::thread stopper([&] { pool.shutdown(); });
  blocker.open();
  stopper.join();
  EXPECT_EQ(runs, 3);
  EXPECT_EQ(pool.counts().threads, 0u);
}

TEST(ElasticPool, AJobAfterShutdownRunsOnTheCaller) {
  ElasticPool pool(small(1, 1));
  pool.shutdown();
  std::thread::id ran_on;
  pool.enqueue([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(ElasticPool, AJobThatThrowsLeavesThePoolServing) {
  std::atomic<int> logged{0};
  auto options = small(1, 1);
  options.log = [&](const std::string& line) {
    if (line.find("exception: boom") != std::string::npos) ++logged;
  };
  ElasticPool pool(options);
  pool.enqueue([] { throw std::runtime_error("boom"); });
  std::promise<void> ran;
  pool.enqueue([&] { ran.set_value(); });
  EXPECT_EQ(ran.get_future().wait_for(kGuard), std::future_status::ready);
  EXPECT_EQ(logged, 1);
}

std::size_t stack_size_of_this_thread() {
  pthread_attr_t attr;
  pthread_getattr_np(pthread_self(), &attr);
  std::size_t size = 0;
  pthread_attr_getstacksize(&attr, &size);
  pthread_attr_destroy(&attr);
  return size;
}

TEST(ElasticPool, ThreadsGetTheStackAskedFor) {
  for (std::size_t asked : {std::size_t{1} << 20, ElasticPoolOptions{}.stack_bytes}) {
    auto options = small(1, 2);
    options.stack_bytes = asked;
    ElasticPool pool(options);
    std::promise<std::size_t> size;
    pool.enqueue([&] { size.set_value(stack_size_of_this_thread()); });
    EXPECT_EQ(size.get_future().get(), asked);
  }
}

}  // namespace
}  // namespace sixpn::server::http
