// The proxy at its limits: thousands of idle connections, running out of descriptors, and
// several threads sharing one service's machines.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "proxy/flycast_proxy.hpp"
#include "tcp_fixture.hpp"

namespace sixpn::proxy {
namespace {

using namespace std::chrono_literals;
using namespace testing;

long resident_kib() {
  std::ifstream status("/proc/self/status");
  std::string key;
  long value = 0;
  while (status >> key) {
    if (key == "VmRSS:") {
      status >> value;
      return value;
    }
  }
  return 0;
}

Service service_on(std::uint16_t port,
                   const std::vector<std::pair<std::string, std::uint16_t>>& machines) {
  Service s;
  s.address = kLoopback;
  s.port = port;
  s.app = "web";
  for (const auto& [id, machine_port] : machines) {
    Backend b;
    b.machine_id = id;
    b.region = "ams";
    b.address = kLoopback;
    b.port = machine_port;
    b.started = true;
    b.soft_limit = 100000;
    s.backends.push_back(b);
  }
  return s;
}

ServiceCounters counters_of(const FlycastProxy& proxy) {
  auto all = proxy.counters();
  return all.empty() ? ServiceCounters{} : all[0];
}

void wait_listening(const FlycastProxy& proxy) {
  for (int i = 0; i < 500 && !counters_of(proxy).listening; ++i) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(counters_of(proxy).listening);
}

// A machine that only accepts: the test holds what it accepted, nothing is ever sent.
struct SilentMachine {
  std::uint16_t port = 0;
  net::Fd listener = listen_loopback(port);
  std::vector<net::Fd> accepted;
  bool accept_one() {
    pollfd p{listener.get(), POLLIN, 0};
    if (::poll(&p, 1, 10000) != 1) return false;
    accepted.emplace_back(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    return static_cast<bool>(accepted.back());
  }
};

TEST(FlycastProxyLimits, IdleConnectionsHoldOnlyTheirSocketsAndAFewHundredBytesEach) {
  constexpr int kConnections = 2000;
  SilentMachine machine;
  const std::uint16_t port = free_port();
  FlycastProxy proxy({});
  ProxyConfig config;
  config.services = {service_on(port, {{"m1", machine.port}})};
  proxy.update(config);
  wait_listening(proxy);

  const int fds_before = open_descriptors();
  const long kib_before = resident_kib();
  std::vector<net::Fd> clients;
  for (int i = 0; i < kConnections; ++i) {
    clients.push_back(connect_loopback(port));
    ASSERT_TRUE(clients.back()) << "connection " << i;
    ASSERT_TRUE(machine.accept_one()) << "connection " << i << " never reached the machine";
  }
  // Every one relaying (connected to its machine), none with data in flight.
  for (int i = 0; i < 1000 && counters_of(proxy).backends.at(0).connections < kConnections; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto counters = counters_of(proxy);
  EXPECT_EQ(counters.backends.at(0).connections, static_cast<std::uint64_t>(kConnections));
  EXPECT_EQ(counters.active, kConnections);
  // The test's two ends and the proxy's two sockets; no pipe.
  EXPECT_EQ(open_descriptors() - fds_before, 4 * kConnections);
  const long kib_each_x1000 = (resident_kib() - kib_before) * 1000 / kConnections;
  EXPECT_LT(kib_each_x1000, 2000) << "resident memory per idle connection: " << kib_each_x1000
                                  << " bytes";
  std::cout << "resident memory per idle connection (the test's side included): "
            << kib_each_x1000 * 1024 / 1000 << " bytes\n";

  // They still work: bytes both ways on a few of them.
  for (int i : {0, kConnections / 2, kConnections - 1}) {
    ASSERT_TRUE(send_all(machine.accepted[static_cast<std::size_t>(i)].get(), "hi\n"));
    EXPECT_EQ(read_line(clients[static_cast<std::size_t>(i)].get()), "hi");
  }
  clients.clear();
  machine.accepted.clear();
  for (int i = 0; i < 1000 && counters_of(proxy).active != 0; ++i)
    std::this_thread::sleep_for(10ms);
  EXPECT_EQ(counters_of(proxy).active, 0);
  EXPECT_EQ(counters_of(proxy).backends.at(0).active, 0);
}

// Lowers the soft descriptor limit, for its lifetime, to the lowest descriptor number free now:
// every number below it is taken, so no new descriptor can be made (the limit bounds numbers,
// not how many are open).
class NoNewDescriptors {
 public:
  NoNewDescriptors() {
    ::getrlimit(RLIMIT_NOFILE, &saved_);
    const int lowest_free = ::dup(0);
    ::close(lowest_free);
    rlimit low = saved_;
    low.rlim_cur = static_cast<rlim_t>(lowest_free);
    ::setrlimit(RLIMIT_NOFILE, &low);
  }
  ~NoNewDescriptors() { ::setrlimit(RLIMIT_NOFILE, &saved_); }

 private:
  rlimit saved_{};
};

TEST(FlycastProxyLimits, OutOfDescriptorsNewConnectionsWaitInTheQueueAndGoThroughLater) {
  EchoBackend web("w");
  const std::uint16_t port = free_port();
  std::mutex log_mutex;
  std::vector<std::string> log;
  ProxyOptions options;
  options.log = [&](const std::string& line) {
    std::lock_guard lock(log_mutex);
    log.push_back(line);
  };
  FlycastProxy proxy(options);
  ProxyConfig config;
  config.services = {service_on(port, {{"m1", web.port()}})};
  proxy.update(config);
  wait_listening(proxy);
  auto said_out_of_descriptors = [&] {
    std::lock_guard lock(log_mutex);
    for (const auto& line : log) {
      if (line == "out of descriptors: new connections wait in the listen queue") return true;
    }
    return false;
  };

  // The clients' sockets exist before the limit drops; connect() needs no descriptor.
  std::vector<net::Fd> clients;
  for (int i = 0; i < 3; ++i)
    clients.emplace_back(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0));
  {
    NoNewDescriptors limit;
    for (auto& c : clients) {
      auto sa = loopback(port);
      ASSERT_EQ(::connect(c.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    }
    for (int i = 0; i < 1000 && !said_out_of_descriptors(); ++i) std::this_thread::sleep_for(10ms);
    EXPECT_TRUE(said_out_of_descriptors());
  }
  // Descriptors are back: every queued connection reaches the machine.
  for (auto& c : clients) {
    timeval tv{10, 0};
    ::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    EXPECT_EQ(read_line(c.get()), "w");
  }
  EXPECT_EQ(counters_of(proxy).refused, 0u);
}

TEST(FlycastProxyLimits, EveryThreadSeesTheLoadOfTheOthersOnAMachine) {
  EchoBackend a("a"), b("b");
  const std::uint16_t port = free_port();
  ProxyOptions options;
  options.threads = 4;
  FlycastProxy proxy(options);
  ProxyConfig config;
  config.services = {service_on(port, {{"ma", a.port()}, {"mb", b.port()}})};
  proxy.update(config);
  wait_listening(proxy);
  // One after another and all held: least-loaded over every thread's connections alternates.
  std::vector<net::Fd> held;
  std::vector<std::string> held_by;
  std::map<std::string, int> seen;
  for (int i = 0; i < 40; ++i) {
    held.push_back(connect_loopback(port));
    held_by.push_back(read_line(held.back().get()));
    seen[held_by.back()]++;
  }
  EXPECT_EQ(seen["a"], 20);
  EXPECT_EQ(seen["b"], 20);
  auto counters = counters_of(proxy);
  EXPECT_EQ(counters.connections, 40u);
  EXPECT_EQ(counters.backends.at(0).active, 20);
  EXPECT_EQ(counters.backends.at(1).active, 20);

  // Ten of a's end, whichever threads carried them: every thread now sees a as the lighter
  // one, so the next ten all go there (a thread counting only its own would send some to b).
  for (std::size_t i = 0, closed = 0; i < held.size() && closed < 10; ++i) {
    if (held_by[i] != "a") continue;
    held[i].reset();
    ++closed;
  }
  for (int i = 0; i < 500 && counters_of(proxy).backends.at(0).active != 10; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  std::map<std::string, int> next;
  for (int i = 0; i < 10; ++i) {
    held.push_back(connect_loopback(port));
    next[read_line(held.back().get())]++;
  }
  EXPECT_EQ(next["a"], 10);
  EXPECT_EQ(next["b"], 0);
}

}  // namespace
}  // namespace sixpn::proxy
