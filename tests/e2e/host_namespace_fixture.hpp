#pragma once
// The fixture of the machine e2e tests: the test process enters a network namespace it made,
// standing in for the host's, so every veth and route lands there and never on this machine's
// own interfaces, with a MachineRunner over a temporary state directory. TearDown destroys
// every machine, leaves and deletes that namespace and removes the directory, whatever the
// outcome. Needs root (skipped without).
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <random>
#include <string>

#include <gtest/gtest.h>

#include "host/machine_runner.hpp"
#include "net/command.hpp"
#include "net/fd.hpp"

namespace sixpn::host::testing {

inline std::string random_hex(std::size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "0123456789abcdef"[rng() % 16];
  return out;
}

class InHostNamespace : public ::testing::Test {
 protected:
  // `tag`: the first letters of this run's namespace names, e.g. "s6mr".
  explicit InHostNamespace(std::string tag) : tag_(std::move(tag) + random_hex(6)) {}

  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces and runc";
    std::string dir = "/tmp/sixpn-" + tag_ + "-XXXXXX";
    ASSERT_NE(mkdtemp(dir.data()), nullptr);
    work_ = dir;
    net::run_checked({"ip", "netns", "add", tag_ + "-host"});
    made_ns_ = true;
    own_ns_ = net::Fd(::open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC));
    net::Fd host(::open(("/var/run/netns/" + tag_ + "-host").c_str(), O_RDONLY | O_CLOEXEC));
    ASSERT_EQ(::setns(host.get(), CLONE_NEWNET), 0);
    entered_ = true;
    net::run_checked({"ip", "link", "set", "lo", "up"});
    runner_.emplace(RunnerOptions{(work_ / "state").string(), tag_ + "-",
                                  {SIXPND_PATH, "machine-shim"}});
  }

  void TearDown() override {
    if (runner_) {
      for (const auto& id : runner_->machines()) runner_->destroy(id);
    }
    if (entered_) ::setns(own_ns_.get(), CLONE_NEWNET);
    if (made_ns_) net::run_command({"ip", "netns", "delete", tag_ + "-host"});
    if (!work_.empty()) std::filesystem::remove_all(work_);
  }

  std::string tag_;
  std::filesystem::path work_;
  std::optional<MachineRunner> runner_;

 private:
  bool made_ns_ = false, entered_ = false;
  net::Fd own_ns_;
};

}  // namespace sixpn::host::testing
