#include "proxy/start_requests.hpp"

namespace sixpn::proxy {

StartRequests::StartRequests(Start start) : start_(std::move(start)) {
  thread_ = std::thread([this] { run(); });
}

StartRequests::~StartRequests() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void StartRequests::push(std::string app, std::string machine_id) {
  {
    std::lock_guard lock(mutex_);
    queue_.emplace_back(std::move(app), std::move(machine_id));
  }
  wake_.notify_one();
}

void StartRequests::run() {
  std::unique_lock lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [app, machine] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    start_(app, machine);  // the caller's function reports its own failures
    lock.lock();
  }
}

}  // namespace sixpn::proxy
