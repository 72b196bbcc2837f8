#pragma once
// The threads that serve sixpnd's HTTP connections: httplib hands every accepted connection to
// a TaskQueue as one job that runs until the connection closes, so a kept-alive connection, or
// a long-poll watch parked in its handler, holds its thread the whole time. httplib's own
// ThreadPool has a fixed number of threads: with more idle connections than threads, every new
// connection waits behind them (64 workers and 400 idle connections: `sixpn` timed out).
//
// This pool keeps a few resident threads and starts one more for each job no idle thread can
// take at once, up to a cap; a thread started that way exits after it has been idle a while.
// So an idle connection costs a parked thread (a few pages of stack and a kernel task, no CPU
// while it waits) instead of a place in a queue, and ordinary requests never queue behind
// watches. Jobs beyond the cap wait, first come first served, for a thread to become free: a
// "503 busy" answer would need the request read, which needs a thread, which is what is
// missing; the kernel's accept queue and the client's own timeout bound that wait.
//
// An event loop (epoll) would hold idle connections without any thread, but httplib's
// connection loop — keep-alive wait, request parsing, TLS — runs inside the job, so that would
// mean writing the HTTP server by hand. Threads made up front to the cap (4,096) would cost
// their memory and start-up time on every sixpnd, also the ones that never see a watch.
#include <pthread.h>

#include <httplib.h>

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <string>

namespace sixpn::server::http {

struct ElasticPoolOptions {
  std::size_t resident_threads = 8;  // started at once and never retired
  std::size_t max_threads = 4096;    // the cap; raised to resident_threads if lower
  // An extra (non-resident) thread that found no job for this long exits.
  std::chrono::milliseconds idle_retire{10'000};
  // httplib runs std::regex over the request path and the Range header, and libstdc++'s regex
  // recurses once per character: a GET with an 8,100-byte path needs 4–5 MiB of stack, a Range
  // header of 8,000 digits 4–6 MiB (measured on sixpnd with smaller stacks: 256 KiB dies on a
  // 900-byte path). So threads get glibc's usual 8 MiB, set here so that `ulimit -s` cannot
  // shrink it. It is address space: only the pages a thread touches take memory.
  std::size_t stack_bytes = std::size_t{8} << 20;
  // Operator messages (a thread that cannot be started, the cap reached); none when empty.
  std::function<void(const std::string&)> log;
};

class ElasticPool final : public httplib::TaskQueue {
 public:
  // Starts the resident threads; throws std::system_error when not even those can be started.
  explicit ElasticPool(ElasticPoolOptions options = {});
  // Shuts down (running what is queued) if shutdown() was not called.
  ~ElasticPool() override;
  ElasticPool(const ElasticPool&) = delete;
  ElasticPool& operator=(const ElasticPool&) = delete;

  void enqueue(std::function<void()> job) override;
  // Runs every job already queued, then waits until every thread has finished and exited.
  // A job enqueued after this runs on the caller's thread (it must still close its socket).
  void shutdown() override;

  struct Counts {
    std::size_t threads = 0;  // alive, resident ones included
    std::size_t busy = 0;     // running a job
    std::size_t queued = 0;   // waiting for a thread
  };
  Counts counts() const;

 private:
  static void* thread_main(void* self);
  void work();
  // Under mu_: starts one thread; false (and logged) when the system refuses one.
  bool start_thread();
  void say(const std::string& line) const;

  ElasticPoolOptions options_;
  pthread_attr_t attr_{};
  mutable std::mutex mu_;
  std::condition_variable work_cv_;    // a job was queued, or shutdown
  std::condition_variable exited_cv_;  // the last thread exited
  std::deque<std::function<void()>> jobs_;
  std::size_t threads_ = 0;
  std::size_t starting_ = 0;  // started, not yet looking for a job: they count as idle
  std::size_t idle_ = 0;      // waiting for a job
  std::size_t busy_ = 0;
  bool shutting_down_ = false;
  bool start_failure_logged_ = false;
  std::chrono::steady_clock::time_point cap_logged_at_{};
};

}  // namespace sixpn::server::http
