// A machine as the host plans it, run for real: the namespace and veth from
// plan_machine_net_up, the bundle from plan_bundle, and runc (Debian) running it. Everything lives
// in namespaces this test makes (a stand-in "host" namespace and the machine's own) and a temp
// directory, all removed in TearDown, whatever the test's outcome. Needs root; runc and
// busybox-static come from scripts/install-deps.sh.
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "host/bundle.hpp"
#include "host/machine_log.hpp"
#include "host/machine_net.hpp"
#include "host/shim.hpp"
#include "net/command.hpp"

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;
using net::run_checked;
using net::run_command;

std::string random_hex(std::size_t n) {
  static std::mt19937_64 rng{std::random_device{}()};
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += digits[rng() % 16];
  return out;
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
  ASSERT_TRUE(out.good()) << path;
}

class MachineRuntime : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root for network namespaces and runc";
    ASSERT_EQ(run_command({"runc", "--version"}).exit_code, 0) << "runc is not installed";
    tag_ = "s6rt" + random_hex(6);
    host_ns_ = tag_ + "-host";
    char dir[] = "/tmp/sixpn-runtime-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    work_ = dir;
    run_checked({"ip", "netns", "add", host_ns_});
    made_host_ns_ = true;
    run_checked({"ip", "-n", host_ns_, "link", "set", "lo", "up"});
    run_checked({"ip", "-n", host_ns_, "-6", "addr", "add", "fdaa::3/128", "dev", "lo"});

    spec_.id = random_hex(14);
    spec_.app = "web";
    spec_.region = "ams";
    spec_.private_ip =
        core::machine_address(0x18, 0x0a7b007d, std::stoul(random_hex(4), nullptr, 16));
    spec_.env = {{"GREETING", "hi"}};
    link_ = machine_link(tag_ + "-", spec_.id, spec_.private_ip);
    for (auto argv : plan_machine_net_up(link_)) {
      // The plan runs in the host's network namespace; here that is the test's stand-in. nsenter
      // and not `ip netns exec`, which would also give each command a mount namespace of its
      // own, where the machine namespace's name that `ip netns add` mounts would not outlive it.
      argv.insert(argv.begin(), {"nsenter", "--net=/var/run/netns/" + host_ns_});
      run_checked(argv);
      made_machine_ns_ = true;
    }
  }

  void TearDown() override {
    if (started_) run_command({"runc", "--root", runc_root(), "delete", "--force", spec_.id});
    if (made_machine_ns_) {
      for (const auto& argv : plan_machine_net_down(link_)) run_command(argv);
    }
    if (made_host_ns_) run_command({"ip", "netns", "delete", host_ns_});
    if (!work_.empty()) fs::remove_all(work_);
  }

  std::string runc_root() const { return (work_ / "runc").string(); }

  // Writes the machine's bundle for `script`; the bundle's path.
  fs::path write_bundle(const std::string& script) {
    spec_.cmd = {"/bin/sh", "-c", script};
    const fs::path bundle = work_ / "bundle";
    BundleLayout layout{bundle.string(), "/var/run/netns/" + link_.netns, {}};
    for (const auto& dir : host_image_dirs()) {
      if (fs::exists(dir)) layout.host_dirs.push_back(dir);
    }
    EXPECT_EQ(spec_problem(spec_), "");
    auto files = plan_bundle(spec_, layout);
    fs::create_directories(bundle / "etc");
    for (const auto& dir : files.rootfs_dirs) {
      fs::create_directories(bundle / "rootfs" / dir.substr(1));
    }
    write_file(bundle / "config.json", files.config_json);
    write_file(bundle / "etc/hosts", files.hosts);
    write_file(bundle / "etc/resolv.conf", files.resolv_conf);
    write_file(bundle / "etc/hostname", files.hostname);
    return bundle;
  }

  // Runs the machine to completion with runc directly; its stdout and stderr.
  std::string run_machine(const std::string& script) {
    auto bundle = write_bundle(script);
    started_ = true;
    net::CommandOptions options;
    options.timeout = std::chrono::seconds(30);
    auto result = run_command(
        {"runc", "--root", runc_root(), "run", "--bundle", bundle.string(), spec_.id}, options);
    EXPECT_EQ(result.exit_code, 0) << result.err;
    return result.out + result.err;
  }

  std::string tag_, host_ns_;
  fs::path work_;
  bool made_host_ns_ = false, made_machine_ns_ = false, started_ = false;
  MachineSpec spec_;
  MachineLink link_;
};

TEST_F(MachineRuntime, HostImageMachineSeesWhatAFlyMachineSees) {
  const std::string ip = spec_.private_ip.str();
  auto out = run_machine(
      "hostname; grep fly-local-6pn /etc/hosts; cat /etc/resolv.conf;"
      "env | grep -E '^(FLY_|GREETING=)' | sort;"
      "grep -E '^(CapEff|NoNewPrivs)' /proc/self/status;"
      "echo pid $$;"
      "ip -6 -o addr show dev eth0 scope global | awk '{print $4}';"
      "ip -6 route show default | awk '{print $1, $2, $3}';"
      "touch /usr/sixpn-probe 2>/dev/null && echo usr writable || echo usr read-only;"
      "ping -6 -c 1 -W 3 fdaa::3 >/dev/null && echo fdaa::3 answers");
  EXPECT_EQ(out, spec_.id + "\n" + ip + "\tfly-local-6pn\nnameserver fdaa::3\n" +
                     "FLY_ALLOC_ID=" + spec_.id + "\nFLY_APP_NAME=web\nFLY_MACHINE_ID=" + spec_.id +
                     "\nFLY_PRIVATE_IP=" + ip +
                     "\nFLY_PROCESS_GROUP=app\nFLY_REGION=ams\nGREETING=hi\n"
                     "CapEff:\t00000000a80425fb\nNoNewPrivs:\t1\npid 1\n" +
                     ip + "/112\ndefault via fe80::1\nusr read-only\nfdaa::3 answers\n");
}

TEST_F(MachineRuntime, BusyboxRootfsImageReplacesTheHostsFiles) {
  const fs::path rootfs = work_ / "busybox";
  fs::create_directories(rootfs / "bin");
  fs::copy_file("/bin/busybox", rootfs / "bin/busybox");
  for (const char* tool : {"sh", "cat", "hostname", "ls"})
    fs::create_symlink("busybox", rootfs / "bin" / tool);
  for (const char* dir : {"proc", "dev", "sys", "tmp", "run", "etc"})
    fs::create_directories(rootfs / dir);
  for (const char* file : {"etc/hosts", "etc/resolv.conf", "etc/hostname"})
    write_file(rootfs / file, "");
  spec_.rootfs = rootfs.string();
  auto out = run_machine(
      "ls /usr/bin/python3 2>/dev/null || echo no host python; hostname; cat /etc/resolv.conf");
  EXPECT_EQ(out, "no host python\n" + spec_.id + "\nnameserver fdaa::3\n");
}

TEST_F(MachineRuntime, ShimKeepsStampedLogRecordsAndTheExitCode) {
  ShimOptions options{runc_root(),
                      write_bundle("echo to stdout; echo to stderr >&2; exit 3").string(), spec_.id,
                      (work_ / "machine.log").string(), (work_ / "exit").string()};
  started_ = true;
  EXPECT_EQ(read_exit_code(options.exit_path), std::nullopt);
  EXPECT_EQ(run_shim(options), 3);
  EXPECT_EQ(read_exit_code(options.exit_path), 3);
  std::ifstream log(options.log_path);
  std::vector<LogRecord> records;
  for (std::string line; std::getline(log, line);) {
    auto record = parse_log_record(line);
    ASSERT_TRUE(record) << line;
    records.push_back(*record);
  }
  ASSERT_EQ(records.size(), 2u);
  // The two pipes are read as data arrives, so their order is not promised; each line is.
  std::sort(records.begin(), records.end(),
            [](const LogRecord& a, const LogRecord& b) { return a.text < b.text; });
  EXPECT_EQ(records[0].stream, Stream::Stderr);
  EXPECT_EQ(records[0].text, "to stderr");
  EXPECT_EQ(records[1].stream, Stream::Stdout);
  EXPECT_EQ(records[1].text, "to stdout");
}

}  // namespace
}  // namespace sixpn::host
