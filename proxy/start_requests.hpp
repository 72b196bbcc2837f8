#pragma once
// Machine starts the proxy asks for, made on a thread of their own: the request goes to the
// control plane over the network and must never hold up the loop that relays connections.
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace sixpn::proxy {

class StartRequests {
 public:
  using Start = std::function<void(const std::string& app, const std::string& machine_id)>;
  explicit StartRequests(Start start);
  ~StartRequests();  // waits for the request under way, drops the rest
  StartRequests(const StartRequests&) = delete;
  StartRequests& operator=(const StartRequests&) = delete;

  void push(std::string app, std::string machine_id);

 private:
  void run();

  Start start_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::pair<std::string, std::string>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sixpn::proxy
