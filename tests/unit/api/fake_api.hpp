#pragma once
// A real HTTP server on 127.0.0.1 for client tests: each test installs the handlers it needs.
#include <httplib.h>

#include <atomic>
#include <string>
#include <thread>

namespace sixpn::testing {

class FakeApi {
 public:
  FakeApi() = default;
  ~FakeApi() { stop(); }
  FakeApi(const FakeApi&) = delete;
  FakeApi& operator=(const FakeApi&) = delete;

  httplib::Server server;

  // Binds to a free loopback port and serves in a background thread.
  void start() {
    port_ = server.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server.listen_after_bind(); });
    while (!server.is_running()) std::this_thread::yield();
  }
  void stop() {
    if (thread_.joinable()) {
      server.stop();
      thread_.join();
    }
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int port_ = 0;
  std::thread thread_;
};

}  // namespace sixpn::testing
