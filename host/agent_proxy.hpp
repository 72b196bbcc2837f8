#pragma once
// The agent's side of its Flycast proxy's talk with the control plane: the start of a stopped
// machine that a waiting connection needs, and the proxy's counters, sent while they change
// (and every so often when they do not, so the control plane knows they are current). Each on
// a client of its own: the watch and the shipper keep theirs, and a start never waits behind
// a long-poll.
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

#include "host/agent.hpp"

namespace sixpn::host {

class ProxyLink {
 public:
  // Gives `network` its machine starter; starts the counters' thread.
  ProxyLink(const api::ClientOptions& client, NetworkSide& network, Log log,
            std::chrono::milliseconds every = std::chrono::seconds(2));
  ~ProxyLink();  // stops the thread (a request under way ends with the client's cancel flag)
  ProxyLink(const ProxyLink&) = delete;
  ProxyLink& operator=(const ProxyLink&) = delete;

 private:
  void run();

  NetworkSide& network_;
  Log log_;
  std::chrono::milliseconds every_;
  std::mutex start_mutex_;
  std::unique_ptr<HostApi> start_api_;
  std::unique_ptr<HostApi> report_api_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace sixpn::host
