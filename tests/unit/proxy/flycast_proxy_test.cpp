#include "proxy/flycast_proxy.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "tcp_fixture.hpp"

namespace sixpn::proxy {
namespace {

using namespace std::chrono_literals;
using namespace testing;

Backend backend_on(const std::string& id, std::uint16_t port, bool started = true) {
  Backend b;
  b.machine_id = id;
  b.region = "ams";
  b.address = kLoopback;
  b.port = port;
  b.started = started;
  return b;
}

// A proxy on [::1]:<port> in front of `backends`, and how to reach it.
struct ProxyFixture {
  std::uint16_t port = free_port();
  std::unique_ptr<FlycastProxy> proxy;
  ProxyConfig config;

  explicit ProxyFixture(std::vector<Backend> backends, ProxyOptions options = {}) {
    proxy = std::make_unique<FlycastProxy>(std::move(options));
    config.region = "ams";
    Service s;
    s.address = kLoopback;
    s.port = port;
    s.app = "web";
    s.backends = std::move(backends);
    config.services = {s};
    proxy->update(config);
    wait_listening();
  }
  void wait_listening() {
    for (int i = 0; i < 200 && !counters().listening; ++i) std::this_thread::sleep_for(10ms);
  }
  ServiceCounters counters() const {
    auto all = proxy->counters();
    return all.empty() ? ServiceCounters{} : all[0];
  }
  // The counters once every connection has ended (the proxy ends them a moment after us).
  ServiceCounters settled() const {
    for (int i = 0; i < 300 && counters().active != 0; ++i) std::this_thread::sleep_for(10ms);
    return counters();
  }
};

TEST(FlycastProxy, RelaysBothWaysAndPassesTheClientsFinOn) {
  EchoBackend web("web-1");
  ProxyFixture f({backend_on("m1", web.port())});
  auto c = connect_loopback(f.port);
  ASSERT_TRUE(c);
  ASSERT_TRUE(send_all(c.get(), "hello"));
  ::shutdown(c.get(), SHUT_WR);
  EXPECT_EQ(read_all(c.get()), "web-1\nhello");
  auto counters = f.settled();
  EXPECT_EQ(counters.connections, 1u);
  EXPECT_EQ(counters.active, 0);
  EXPECT_EQ(counters.refused, 0u);
  EXPECT_EQ(counters.backends.at(0).connections, 1u);
}

TEST(FlycastProxy, CarriesALongStreamIntact) {
  EchoBackend web("w");
  ProxyFixture f({backend_on("m1", web.port())});
  auto c = connect_loopback(f.port);
  std::string data(8 << 20, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 7 + i / 251);
  std::string got;
  std::thread reader([&] { got = read_all(c.get()); });
  ASSERT_TRUE(send_all(c.get(), data));
  ::shutdown(c.get(), SHUT_WR);
  reader.join();
  EXPECT_EQ(got.size(), data.size() + 2);
  EXPECT_TRUE(got == "w\n" + data);
}

TEST(FlycastProxy, SpreadsConnectionsThatNeverOverlapOverEveryMachine) {
  EchoBackend a("a"), b("b");
  ProxyFixture f({backend_on("ma", a.port()), backend_on("mb", b.port())});
  std::map<std::string, int> seen;
  for (int i = 0; i < 100; ++i) {
    auto c = connect_loopback(f.port);
    seen[read_line(c.get())]++;
  }
  EXPECT_GE(seen["a"], 34);
  EXPECT_GE(seen["b"], 34);
  EXPECT_EQ(seen["a"] + seen["b"], 100);
}

TEST(FlycastProxy, AMachineThatRefusesIsSkippedAndTheClientStillGetsThrough) {
  EchoBackend up("up");
  ProxyFixture f({backend_on("down", free_port()), backend_on("up", up.port())});
  for (int i = 0; i < 5; ++i) {
    auto c = connect_loopback(f.port);
    EXPECT_EQ(read_line(c.get()), "up");
  }
  auto counters = f.settled();
  EXPECT_EQ(counters.refused, 0u);
  EXPECT_GE(counters.backends.at(0).refusals, 1u);
  EXPECT_EQ(counters.backends.at(1).connections, 5u);
}

TEST(FlycastProxy, RefusesAtOnceWhenNoMachineRunsAndAutostartIsOff) {
  auto stopped = backend_on("m1", free_port(), false);
  stopped.autostart = false;
  ProxyFixture f({stopped});
  auto c = connect_loopback(f.port);
  int error = 0;
  EXPECT_EQ(read_all(c.get(), &error), "");
  EXPECT_NE(error, EAGAIN);  // closed, not left hanging until the receive timeout
  auto counters = f.settled();
  EXPECT_EQ(counters.refused, 1u);
  EXPECT_EQ(counters.autostarts, 0u);
}

TEST(FlycastProxy, AutostartAsksForTheMachineAndHoldsTheConnectionUntilItAccepts) {
  const std::uint16_t port = free_port();
  std::unique_ptr<EchoBackend> web;
  std::vector<std::string> asked;
  ProxyFixture* fixture = nullptr;
  ProxyOptions options;
  options.start_machine = [&](const std::string& app, const std::string& id) {
    asked.push_back(app + "/" + id);
    // As a host does: the machine runs and the state says so, and its program listens a
    // moment later still (the proxy's first tries are refused).
    auto config = fixture->config;
    config.services[0].backends[0].started = true;
    fixture->proxy->update(config);
    std::this_thread::sleep_for(300ms);
    web = std::make_unique<EchoBackend>("woke", port);
  };
  ProxyFixture f({backend_on("m1", port, false)}, options);
  fixture = &f;
  auto c = connect_loopback(f.port);
  EXPECT_EQ(read_line(c.get()), "woke");
  EXPECT_EQ(asked, std::vector<std::string>{"web/m1"});
  c.reset();
  auto counters = f.settled();
  EXPECT_EQ(counters.autostarts, 1u);
  EXPECT_EQ(counters.refused, 0u);
  f.proxy.reset();  // before `web`: the start thread may still hold the backend
}

TEST(FlycastProxy, AHeldConnectionClosesWhenTheMachineNeverAccepts) {
  ProxyOptions options;
  options.start_timeout = 300ms;
  options.start_machine = [](const std::string&, const std::string&) {};
  ProxyFixture f({backend_on("m1", free_port(), false)}, options);
  auto c = connect_loopback(f.port);
  int error = 0;
  EXPECT_EQ(read_all(c.get(), &error), "");
  EXPECT_NE(error, EAGAIN);
  auto counters = f.settled();
  EXPECT_EQ(counters.autostarts, 1u);
  EXPECT_EQ(counters.refused, 1u);
}

TEST(FlycastProxy, AMachineThatResetsLosesOnlyItsOwnConnections) {
  EchoBackend a("a"), b("b");
  ProxyFixture f({backend_on("ma", a.port()), backend_on("mb", b.port())});
  auto c1 = connect_loopback(f.port);
  auto c2 = connect_loopback(f.port);
  auto first = read_line(c1.get());
  auto second = read_line(c2.get());
  ASSERT_NE(first, second);
  (first == "a" ? a : b).reset_connections();
  int error = 0;
  read_all(c1.get(), &error);
  EXPECT_EQ(error, ECONNRESET);
  ASSERT_TRUE(send_all(c2.get(), "still here"));
  ::shutdown(c2.get(), SHUT_WR);
  EXPECT_EQ(read_all(c2.get()), "still here");
  c1.reset();
  c2.reset();
  auto counters = f.settled();
  EXPECT_EQ(counters.active, 0);
  EXPECT_EQ(counters.backends[0].active + counters.backends[1].active, 0);
}

// The machine says it is done (FIN), then closes with the client's bytes unread (RST): the
// proxy's next splice toward it fails with EPIPE, which raises SIGPIPE. That must end only the
// connection, not the process this test runs in.
TEST(FlycastProxy, AMachineThatHangsUpOnAStreamingClientEndsOnlyThatConnection) {
  std::uint16_t machine_port = 0;
  auto listener = listen_loopback(machine_port);
  ProxyFixture f({backend_on("m1", machine_port)});
  auto c = connect_loopback(f.port);
  std::thread client([&] {
    std::string chunk(1 << 16, 'x');
    while (send_all(c.get(), chunk)) {
    }
  });
  net::Fd machine(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
  ASSERT_TRUE(machine);
  std::string got;
  char buf[65536];
  while (got.size() < (1u << 18)) {
    ssize_t n = ::recv(machine.get(), buf, sizeof buf, 0);
    ASSERT_GT(n, 0);
    got.append(buf, static_cast<std::size_t>(n));
  }
  ::shutdown(machine.get(), SHUT_WR);
  std::this_thread::sleep_for(100ms);  // the client's bytes pile up in front of the machine
  machine.reset();
  client.join();  // its sends fail once the proxy closed the connection
  auto counters = f.settled();
  EXPECT_EQ(counters.active, 0);
  EXPECT_EQ(counters.backends.at(0).active, 0);
  // The proxy still works.
  EchoBackend web("w");
  auto config = f.config;
  config.services[0].backends = {backend_on("m2", web.port())};
  f.proxy->update(config);
  for (int i = 0; i < 200 && f.counters().backends.at(0).machine_id != "m2"; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto again = connect_loopback(f.port);
  EXPECT_EQ(read_line(again.get()), "w");
}

TEST(FlycastProxy, ConnectionsPastTheBoundAreClosedOnArrivalAndCountedAsRefused) {
  EchoBackend web("w");
  ProxyOptions options;
  options.max_connections = 5;
  ProxyFixture f({backend_on("m1", web.port())}, options);
  std::vector<net::Fd> held;
  for (int i = 0; i < 5; ++i) {
    held.push_back(connect_loopback(f.port));
    ASSERT_EQ(read_line(held.back().get()), "w");  // each relayed before the next comes
  }
  // Idle, all of them: the sixth is closed at once, the five held ones still work.
  for (int i = 0; i < 3; ++i) {
    auto extra = connect_loopback(f.port);
    int error = 0;
    EXPECT_EQ(read_all(extra.get(), &error), "");
    EXPECT_NE(error, EAGAIN);
  }
  for (auto& c : held) {
    ASSERT_TRUE(send_all(c.get(), "x"));
    ::shutdown(c.get(), SHUT_WR);
    EXPECT_EQ(read_all(c.get()), "x");
  }
  held.clear();
  auto counters = f.settled();
  EXPECT_EQ(counters.connections, 8u);
  EXPECT_EQ(counters.refused, 3u);
  EXPECT_EQ(counters.active, 0);
  // Room again once they are gone.
  auto again = connect_loopback(f.port);
  EXPECT_EQ(read_line(again.get()), "w");
}

TEST(FlycastProxy, LeavesNoDescriptorBehind) {
  const int before = open_descriptors();
  {
    EchoBackend web("w");
    ProxyFixture f({backend_on("m1", web.port()), backend_on("gone", free_port())});
    for (int i = 0; i < 20; ++i) {
      auto c = connect_loopback(f.port);
      read_line(c.get());
    }
    f.settled();
  }
  EXPECT_EQ(open_descriptors(), before);
}

TEST(FlycastProxy, ListensOnNewServicesAndStopsOnRemovedOnes) {
  EchoBackend web("w");
  ProxyFixture f({backend_on("m1", web.port())});
  auto config = f.config;
  config.services[0].port = free_port();
  f.proxy->update(config);
  for (int i = 0; i < 200 && f.proxy->counters().at(0).port != config.services[0].port; ++i) {
    std::this_thread::sleep_for(10ms);
  }
  f.wait_listening();
  auto c = connect_loopback(config.services[0].port);
  ASSERT_TRUE(c);
  EXPECT_EQ(read_line(c.get()), "w");
  EXPECT_FALSE(connect_loopback(f.port));
  ASSERT_EQ(f.proxy->counters().size(), 1u);
  EXPECT_EQ(f.proxy->counters()[0].port, config.services[0].port);
}

TEST(FlycastProxy, SaysWhyItCannotListen) {
  std::uint16_t taken = 0;
  auto holder = listen_loopback(taken);
  ProxyFixture f({});
  auto config = f.config;
  config.services[0].port = taken;
  f.proxy->update(config);
  std::string problem;
  for (int i = 0; i < 200 && problem.empty(); ++i) {
    std::this_thread::sleep_for(10ms);
    problem = f.proxy->counters().at(0).listen_problem;
  }
  EXPECT_EQ(problem, "cannot listen on [::1]:" + std::to_string(taken) + ": Address already in use");
}

}  // namespace
}  // namespace sixpn::proxy
