#include "server/http/elastic_pool.hpp"

#include <cstring>
#include <exception>
#include <system_error>

namespace sixpn::server::http {

namespace {
// While connections wait at the cap, the operator hears of it at most this often.
constexpr std::chrono::minutes kCapLogInterval{1};
}  // namespace

ElasticPool::ElasticPool(ElasticPoolOptions options) : options_(std::move(options)) {
  if (options_.resident_threads == 0) options_.resident_threads = 1;
  if (options_.max_threads < options_.resident_threads) {
    options_.max_threads = options_.resident_threads;
  }
  pthread_attr_init(&attr_);
  // Detached: an extra thread retires on its own; shutdown() waits on the count instead.
  pthread_attr_setdetachstate(&attr_, PTHREAD_CREATE_DETACHED);
  if (int err = pthread_attr_setstacksize(&attr_, options_.stack_bytes); err != 0) {
    pthread_attr_destroy(&attr_);
    throw std::system_error(err, std::generic_category(), "thread stack size");
  }
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < options_.resident_threads; ++i) {
    if (!start_thread() && threads_ == 0) {
      pthread_attr_destroy(&attr_);
      throw std::system_error(EAGAIN, std::generic_category(), "cannot start an HTTP thread");
    }
  }
}

ElasticPool::~ElasticPool() {
  shutdown();
  pthread_attr_destroy(&attr_);
}

void ElasticPool::enqueue(std::function<void()> job) {
  std::unique_lock lock(mu_);
  if (shutting_down_) {
    lock.unlock();
    job();
    return;
  }
  jobs_.push_back(std::move(job));
  // Every queued job is matched with a thread that will take it: an idle one (woken below) or
  // one just started. Only when neither is there does a new thread start.
  if (jobs_.size() > idle_ + starting_) {
    if (threads_ < options_.max_threads) {
      start_thread();
    } else if (auto now = std::chrono::steady_clock::now();
               cap_logged_at_ == std::chrono::steady_clock::time_point{} ||
               now - cap_logged_at_ >= kCapLogInterval) {
      cap_logged_at_ = now;
      say(std::to_string(threads_) +
          " connections are being served, the --max-connections cap: new ones wait until one "
          "closes");
    }
  }
  work_cv_.notify_one();
}

bool ElasticPool::start_thread() {
  pthread_t id;
  if (int err = pthread_create(&id, &attr_, &ElasticPool::thread_main, this); err != 0) {
    // The job stays queued for a busy thread; resident threads never exit, so one will come.
    if (!start_failure_logged_) {
      start_failure_logged_ = true;
      say(std::string("cannot start a thread for a connection (") + std::strerror(err) +
          "); it waits for a busy one; serving " + std::to_string(threads_));
    }
    return false;
  }
  start_failure_logged_ = false;
  ++threads_;
  ++starting_;
  return true;
}

void* ElasticPool::thread_main(void* self) {
  static_cast<ElasticPool*>(self)->work();
  return nullptr;
}

void ElasticPool::work() {
  std::unique_lock lock(mu_);
  --starting_;
  for (;;) {
    if (jobs_.empty()) {
      if (shutting_down_) break;
      ++idle_;
      bool has_work = work_cv_.wait_for(lock, options_.idle_retire,
                                        [this] { return !jobs_.empty() || shutting_down_; });
      --idle_;
      if (!has_work && threads_ > options_.resident_threads) break;
      continue;
    }
    auto job = std::move(jobs_.front());
    jobs_.pop_front();
    ++busy_;
    lock.unlock();
    try {
      job();
    } catch (const std::exception& e) {
      say(std::string("a connection ended with an exception: ") + e.what());
    } catch (...) {
      say("a connection ended with an exception");
    }
    lock.lock();
    --busy_;
  }
  // Announced under the lock: once shutdown() sees zero, this thread touches nothing of *this.
  if (--threads_ == 0) exited_cv_.notify_all();
}

void ElasticPool::shutdown() {
  std::unique_lock lock(mu_);
  shutting_down_ = true;
  work_cv_.notify_all();
  exited_cv_.wait(lock, [this] { return threads_ == 0; });
}

ElasticPool::Counts ElasticPool::counts() const {
  std::lock_guard lock(mu_);
  return Counts{threads_, busy_, jobs_.size()};
}

void ElasticPool::say(const std::string& line) const {
  if (options_.log) options_.log(line);
}

}  // namespace sixpn::server::http
