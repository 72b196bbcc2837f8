// run_agent against a control plane that is not there: a closed loopback port, a state
// directory with no machines (so neither root nor runc is needed), and the log captured.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "host/agent.hpp"

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

// A loopback port nobody listens on: bound once to learn a free one, then closed.
int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(fd);
  return ntohs(address.sin_port);
}

class CapturedLog {
 public:
  Log sink() {
    return [this](const std::string& line) {
      std::lock_guard lock(mutex_);
      lines_.push_back(line);
    };
  }
  int count(const std::string& text) {
    std::lock_guard lock(mutex_);
    return static_cast<int>(std::count_if(lines_.begin(), lines_.end(), [&](const auto& line) {
      return line.find(text) != std::string::npos;
    }));
  }
  std::string all() {
    std::lock_guard lock(mutex_);
    std::string out;
    for (const auto& line : lines_) out += line + "\n";
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

TEST(RunAgent, SaysOnceThatTheControlPlaneIsAwayAndNeverThatItIsBackWhileItStaysAway) {
  char dir[] = "/tmp/sixpn-agent-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  CapturedLog log;
  AgentOptions options;
  options.client.base_url = "http://127.0.0.1:" + std::to_string(closed_port());
  options.state_dir = std::string(dir) + "/state";
  options.credential = "sixpn_host_never_sent_anywhere";
  options.log = log.sink();
  std::atomic<bool> stop{false};
  int code = -1;
  std::thread agent([&] { code = run_agent(options, stop); });
  // The watch fails at once; the shipping thread, with nothing to send, comes round once a
  // second, and has nothing to say about the control plane, which it never asked anything.
  for (int i = 0; i < 50 && log.count("does not answer") == 0; ++i)
    std::this_thread::sleep_for(100ms);
  std::this_thread::sleep_for(2500ms);
  stop = true;
  agent.join();
  fs::remove_all(dir);
  EXPECT_EQ(code, kAgentStopped);
  EXPECT_EQ(log.count("does not answer"), 1) << log.all();
  EXPECT_EQ(log.count("answers again"), 0) << log.all();
}

}  // namespace
}  // namespace sixpn::host
