// Two hosts of the mesh for real: each a network namespace on a bridge the test made, running a
// HostNetwork and a HostDns (each on a thread that entered its namespace, so every interface,
// route, table, socket and wireguard-go child lands there) from a hand-written api::HostState;
// each with machine namespaces wired by host/machine_net's plan. No control plane. TearDown
// stops both hosts and deletes every namespace the test made, whatever the outcome. Needs
// root, /dev/net/tun, wireguard-go, nft, ping and dig.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "core/address.hpp"
#include "core/keys.hpp"
#include "host/host_dns.hpp"
#include "host/host_network.hpp"
#include "host/machine_net.hpp"
#include "net/command.hpp"
#include "net/fd.hpp"

namespace sixpn::host {
namespace {

constexpr std::uint32_t kOrg1 = 1, kOrg2 = 2;
constexpr std::uint32_t kHost1 = 0x0c000001, kHost2 = 0x0c000002;

std::string random_hex(std::size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "0123456789abcdef"[rng() % 16];
  return out;
}

bool succeeds(const net::Argv& argv) {
  return net::run_command(argv).exit_code == 0;
}

// A thread inside a network namespace: what it runs, and every thread and child process it
// starts, lives there.
class NetnsThread {
 public:
  explicit NetnsThread(const std::string& netns) {
    std::promise<void> entered;
    auto ready = entered.get_future();
    thread_ = std::thread([this, netns, &entered] {
      net::Fd fd(::open(("/var/run/netns/" + netns).c_str(), O_RDONLY | O_CLOEXEC));
      if (fd.get() < 0 || ::setns(fd.get(), CLONE_NEWNET) != 0) {
        entered.set_exception(std::make_exception_ptr(std::runtime_error("cannot enter " + netns)));
        return;
      }
      entered.set_value();
      loop();
    });
    ready.get();
  }
  ~NetnsThread() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  template <typename F>
  auto run(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    {
      std::lock_guard lock(mutex_);
      tasks_.emplace_back([&task] { task(); });
    }
    wake_.notify_all();
    return result.get();
  }

 private:
  void loop() {
    std::unique_lock lock(mutex_);
    while (true) {
      wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
      if (tasks_.empty()) return;
      auto task = std::move(tasks_.front());
      tasks_.pop_front();
      lock.unlock();
      task();
      lock.lock();
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

std::string host_slice(std::uint32_t org, std::uint32_t host) {
  return core::compose({org, host, 0, 0}).str() + "/80";
}

struct Host {
  std::string netns;
  std::string interface;
  std::string underlay;  // its address on the bridge
  std::uint32_t id = 0;
  core::PublicKey public_key;
  std::unique_ptr<NetnsThread> thread;
  std::unique_ptr<HostNetwork> network;
  std::unique_ptr<HostDns> dns;
};

struct Machine {
  std::string id;
  std::uint32_t org = 0;
  core::Ipv6 address;
  std::string netns;
};

class HostMeshTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces";
    if (::access("/dev/net/tun", R_OK | W_OK) != 0) GTEST_SKIP() << "needs /dev/net/tun";
    for (const char* tool : {"wireguard-go", "wg", "nft", "ping", "dig"}) {
      if (!succeeds({"sh", "-c", std::string("command -v ") + tool})) {
        GTEST_SKIP() << "needs " << tool;
      }
    }
    tag_ = "s6hn" + random_hex(5);
    make_netns(tag_ + "-ul");
    net::run_checked({"ip", "-n", tag_ + "-ul", "link", "add", "br0", "type", "bridge"});
    net::run_checked({"ip", "-n", tag_ + "-ul", "link", "set", "br0", "up"});
    host1_ = add_host("h1", kHost1, "10.77.0.1");
    host2_ = add_host("h2", kHost2, "10.77.0.2");
    a_ = add_machine(*host1_, kOrg1, 0);  // org 1 on host 1
    c_ = add_machine(*host1_, kOrg2, 0);  // org 2 on host 1
    b_ = add_machine(*host2_, kOrg1, 0);  // org 1 on host 2
    apply(*host1_);
    apply(*host2_);
  }

  void TearDown() override {
    for (auto* host : {host1_.get(), host2_.get()}) {
      if (!host || !host->thread) continue;
      host->thread->run([host] {
        host->dns.reset();
        try {
          if (host->network) host->network->stop();
        } catch (const std::exception& e) {
          ADD_FAILURE() << "stopping " << host->netns << ": " << e.what();
        }
        host->network.reset();
      });
      host->thread.reset();
    }
    for (auto it = namespaces_.rbegin(); it != namespaces_.rend(); ++it) {
      net::run_command({"ip", "netns", "delete", *it});
    }
  }

  void make_netns(const std::string& name) {
    net::run_checked({"ip", "netns", "add", name});
    namespaces_.push_back(name);
    net::run_checked({"ip", "-n", name, "link", "set", "lo", "up"});
  }

  std::unique_ptr<Host> add_host(const std::string& name, std::uint32_t id,
                                 const std::string& underlay) {
    auto host = std::make_unique<Host>();
    host->netns = tag_ + "-" + name;
    // wireguard-go's control socket is named after the interface in a directory every
    // namespace shares: the name must be unique to the run.
    host->interface = tag_ + name.substr(1);
    host->underlay = underlay;
    host->id = id;
    make_netns(host->netns);
    const std::string bridge_end = "u" + name;
    net::run_checked({"ip", "-n", tag_ + "-ul", "link", "add", bridge_end, "type", "veth", "peer",
                      "name", "eth0", "netns", host->netns});
    net::run_checked({"ip", "-n", tag_ + "-ul", "link", "set", bridge_end, "master", "br0", "up"});
    net::run_checked({"ip", "-n", host->netns, "addr", "add", underlay + "/24", "dev", "eth0"});
    net::run_checked({"ip", "-n", host->netns, "link", "set", "eth0", "up"});
    auto key = core::PrivateKey::generate();
    host->public_key = key.public_key();
    host->thread = std::make_unique<NetnsThread>(host->netns);
    auto* raw = host.get();
    host->thread->run([raw, &key] {
      raw->network = std::make_unique<HostNetwork>(HostNetworkOptions{raw->interface, 51820},
                                                   std::move(key), nullptr);
      raw->network->start();
      raw->dns = std::make_unique<HostDns>(std::vector<std::string>{"none"}, nullptr);
      raw->dns->start();
    });
    return host;
  }

  Machine add_machine(Host& host, std::uint32_t org, std::uint64_t slot) {
    Machine m;
    m.id = random_hex(14);
    m.org = org;
    m.address = core::machine_address(org, host.id, slot);
    auto link = machine_link(tag_ + "-m", m.id, m.address);
    m.netns = link.netns;
    namespaces_.push_back(m.netns);
    host.thread->run([&link] {
      for (const auto& argv : plan_machine_net_up(link)) net::run_checked(argv);
    });
    machines_[host.id].push_back(m);
    return m;
  }

  api::HostState state_of(const Host& host) const {
    api::HostState state;
    state.version = 1;
    state.host.id = host.id;
    state.host.region = "ams";
    state.host.pubkey = host.public_key.base64();
    state.regions = {{"ams", 52.37, 4.90}};
    api::DnsOrg org1{"org-one", kOrg1, {{"web", {}, true}}, {}, {}};
    api::DnsOrg org2{"org-two", kOrg2, {{"db", {}, true}}, {}, {}};
    for (const auto& [host_id, machines] : machines_) {
      for (const auto& m : machines) {
        if (host_id == host.id) {
          api::HostMachine hm;
          hm.id = m.id;
          hm.network_id = m.org;
          hm.private_ip = m.address.str();
          hm.desired = "started";
          state.machines.push_back(hm);
        }
        auto& org = m.org == kOrg1 ? org1 : org2;
        org.machines.push_back(
            {m.id, m.org == kOrg1 ? "web" : "db", "ams", "app", {}, m.address.str(), true});
      }
    }
    state.dns = {org1, org2};
    for (const auto* other : {host1_.get(), host2_.get()}) {
      if (!other || other == &host) continue;
      api::MeshNode node;
      node.kind = "host";
      node.id = other->id;
      node.pubkey = other->public_key.base64();
      node.endpoint = other->underlay + ":51820";
      std::set<std::uint32_t> orgs;
      for (const auto& m : machines_.at(other->id)) orgs.insert(m.org);
      for (auto org : orgs) node.allowed_ips.push_back(host_slice(org, other->id));
      state.mesh.push_back(node);
    }
    return state;
  }

  void apply(Host& host) {
    auto state = state_of(host);
    host.thread->run([&host, &state] {
      host.network->apply(state);
      host.dns->apply(state);
    });
  }

  // In a machine's namespace, as the machine would.
  static bool ping(const Machine& from, const Machine& to) {
    return succeeds({"ip", "netns", "exec", from.netns, "ping", "-6", "-n", "-c", "3", "-i", "0.2",
                     "-W", "2", to.address.str()});
  }
  static bool unreachable(const Machine& from, const Machine& to) {
    return !succeeds({"ip", "netns", "exec", from.netns, "ping", "-6", "-n", "-c", "1", "-W", "1",
                      to.address.str()});
  }
  static std::string dig(const Machine& from, const std::vector<std::string>& args) {
    net::Argv argv{"ip",       "netns",  "exec",    from.netns, "dig",
                   "@fdaa::3", "+short", "+time=2", "+tries=1"};
    argv.insert(argv.end(), args.begin(), args.end());
    return net::run_command(argv).out;
  }
  static void delete_table(const Host& host) {
    net::run_checked({"ip", "netns", "exec", host.netns, "nft", "delete", "table", "ip6",
                      net::firewall_table_name(host.interface)});
  }
  // A counter in `at`'s namespace of the packets that arrive from `from`.
  static void count_arrivals(const Machine& at, const Machine& from) {
    net::CommandOptions options;
    options.input =
        "table ip6 probe {\n  chain in {\n"
        "    type filter hook input priority 0; policy accept;\n"
        "    ip6 saddr " +
        from.address.str() + " counter\n  }\n}\n";
    net::run_checked({"ip", "netns", "exec", at.netns, "nft", "-f", "-"}, options);
  }
  static long arrivals(const Machine& at) {
    auto text = net::run_checked(
        {"ip", "netns", "exec", at.netns, "nft", "list", "chain", "ip6", "probe", "in"});
    auto at_packets = text.find("packets ");
    return at_packets == std::string::npos ? -1 : std::stol(text.substr(at_packets + 8));
  }
  static std::string wg_allowed(const Host& host) {
    return net::run_command(
               {"ip", "netns", "exec", host.netns, "wg", "show", host.interface, "allowed-ips"})
        .out;
  }

  std::string tag_;
  std::vector<std::string> namespaces_;
  std::unique_ptr<Host> host1_, host2_;
  std::map<std::uint32_t, std::vector<Machine>> machines_;
  Machine a_, b_, c_;
};

TEST_F(HostMeshTest, MachinesOfOneOrgReachEachOtherAcrossHostsAndNoOtherOrgDoes) {
  EXPECT_TRUE(ping(a_, b_)) << "org 1 on host 1 to org 1 on host 2";
  EXPECT_TRUE(ping(b_, a_));
  EXPECT_TRUE(unreachable(c_, b_)) << "org 2 reached org 1 on the other host";
  EXPECT_TRUE(unreachable(c_, a_)) << "org 2 reached org 1 on its own host";
  // Each host's peer allowed the whole 6PN, as a tampered-with host would have it.
  for (const auto* host : {host1_.get(), host2_.get()}) {
    for (const auto* other : {host1_.get(), host2_.get()}) {
      if (other == host) continue;
      net::run_checked({"ip", "netns", "exec", host->netns, "wg", "set", host->interface, "peer",
                        other->public_key.base64(), "allowed-ips", "fdaa::/16"});
    }
  }
  // Counted inside machine B, so that what stops org 2 is seen to be the tables: with both
  // deleted its packets would arrive (B's reply has no route back to org 2 either way).
  count_arrivals(b_, c_);
  EXPECT_TRUE(unreachable(c_, b_)) << "a widened peer let org 2 through";
  EXPECT_EQ(arrivals(b_), 0);
  // Without host 1's table, host 2's own stops org 2 at the other end of the tunnel.
  delete_table(*host1_);
  EXPECT_TRUE(unreachable(c_, b_));
  EXPECT_EQ(arrivals(b_), 0) << "host 2 let org 2 in when host 1 did not stop it";
  delete_table(*host2_);
  unreachable(c_, b_);
  EXPECT_GT(arrivals(b_), 0) << "org 2's packets would not have arrived even without the tables";
  // The next pass narrows the peers back and reloads the deleted tables.
  apply(*host1_);
  apply(*host2_);
  EXPECT_EQ(wg_allowed(*host1_),
            host2_->public_key.base64() + "\t" + host_slice(kOrg1, kHost2) + "\n");
  EXPECT_TRUE(succeeds({"ip", "netns", "exec", host1_->netns, "nft", "list", "table", "ip6",
                        net::firewall_table_name(host1_->interface)}));
  EXPECT_TRUE(unreachable(c_, b_));
  EXPECT_TRUE(ping(a_, b_));
}

TEST_F(HostMeshTest, MachinesAskFdaa3ForTheirOwnOrgsNames) {
  auto web = dig(a_, {"web.internal", "AAAA"});
  EXPECT_NE(web.find(a_.address.str()), std::string::npos) << web;
  EXPECT_NE(web.find(b_.address.str()), std::string::npos) << web;
  EXPECT_EQ(dig(b_, {"+tcp", "_apps.internal", "TXT"}), "\"web\"\n");
  // A machine of org 2 gets its own org's answers and nothing of org 1's.
  EXPECT_EQ(dig(c_, {"db.internal", "AAAA"}), c_.address.str() + "\n");
  auto status = net::run_command({"ip", "netns", "exec", c_.netns, "dig", "@fdaa::3", "+time=2",
                                  "+tries=1", "web.internal", "AAAA"})
                    .out;
  EXPECT_NE(status.find("NXDOMAIN"), std::string::npos) << status;
  // fdaa::3 answers DNS only: the rest of the host stays out of the machines' reach.
  EXPECT_FALSE(succeeds(
      {"ip", "netns", "exec", a_.netns, "ping", "-6", "-n", "-c", "1", "-W", "1", "fdaa::3"}));
}

}  // namespace
}  // namespace sixpn::host
