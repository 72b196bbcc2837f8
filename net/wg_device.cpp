#include "net/wg_device.hpp"

#include <net/if.h>

#include <stdexcept>
#include <thread>
#include <utility>

namespace sixpn::net {

namespace {

using namespace std::chrono_literals;

bool interface_exists(const std::string& name) {
  return ::if_nametoindex(name.c_str()) != 0;
}

}  // namespace

WgDevice WgDevice::open(const std::string& name, const std::string& userspace_binary) {
  WgDevice device;
  device.name_ = name;
  if (interface_exists(name)) {
    auto probe = run_command({"wg", "show", name, "public-key"});
    if (probe.exit_code != 0) {
      throw CommandError("interface " + name + " exists but is not a WireGuard interface");
    }
    return device;
  }
  auto kernel = run_command({"ip", "link", "add", "dev", name, "type", "wireguard"});
  if (kernel.exit_code == 0) {
    device.created_ = true;
    return device;
  }
  // No kernel WireGuard: run the userspace implementation in the foreground as our child, so
  // it ends with sixpnd and takes the interface with it.
  // WG_PROCESS_FOREGROUND also silences wireguard-go's banner, which would claim the kernel
  // has WireGuard on kernels whose version merely could.
  device.userspace_child_ =
      ChildProcess({userspace_binary, "-f", name}, {"WG_PROCESS_FOREGROUND=1"});
  device.created_ = true;
  device.userspace_ = true;
  auto deadline = std::chrono::steady_clock::now() + 5s;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!device.userspace_child_.running()) {
      throw CommandError(userspace_binary + " exited (code " +
                         std::to_string(device.userspace_child_.exit_code()) +
                         ") before creating " + name + ", and kernel WireGuard is unavailable too");
    }
    if (interface_exists(name) && run_command({"wg", "show", name, "public-key"}).exit_code == 0) {
      return device;
    }
    std::this_thread::sleep_for(20ms);
  }
  throw CommandError(userspace_binary + " did not create " + name + " within 5 s");
}

WgDevice::~WgDevice() {
  try {
    close();
  } catch (const std::exception&) {
    // Best effort on the way out; close() already said what failed where it could.
  }
}

WgDevice::WgDevice(WgDevice&& other) noexcept
    : name_(std::exchange(other.name_, {})),
      created_(std::exchange(other.created_, false)),
      userspace_(std::exchange(other.userspace_, false)),
      userspace_child_(std::move(other.userspace_child_)) {}

WgDevice& WgDevice::operator=(WgDevice&& other) noexcept {
  if (this != &other) {
    try {
      close();
    } catch (const std::exception&) {
      // As in the destructor: the interface being replaced is past saving.
    }
    name_ = std::exchange(other.name_, {});
    created_ = std::exchange(other.created_, false);
    userspace_ = std::exchange(other.userspace_, false);
    userspace_child_ = std::move(other.userspace_child_);
  }
  return *this;
}

void WgDevice::configure(const core::PrivateKey& key, std::uint16_t listen_port) {
  core::SecretString secret(key.base64() + "\n");
  CommandOptions options;
  options.input = secret.view();
  run_checked(
      {"wg", "set", name_, "private-key", "/dev/stdin", "listen-port", std::to_string(listen_port)},
      options);
  core::wipe(options.input);
  run_checked({"ip", "link", "set", "dev", name_, "up"});
}

PeerTable WgDevice::peers() const {
  auto table = parse_allowed_ips(run_checked({"wg", "show", name_, "allowed-ips"}));
  merge_endpoints(table, run_checked({"wg", "show", name_, "endpoints"}));
  merge_keepalives(table, run_checked({"wg", "show", name_, "persistent-keepalive"}));
  return table;
}

PeerPlan WgDevice::sync_peers(const std::vector<DesiredPeer>& desired) {
  auto plan = plan_peers(peers(), desired);
  for (const auto& argv : peer_commands(name_, plan)) run_checked(argv);
  return plan;
}

bool WgDevice::healthy() {
  if (name_.empty()) return false;
  if (userspace() && !userspace_child_.running()) return false;
  return interface_exists(name_);
}

void WgDevice::close() {
  if (name_.empty()) return;
  if (userspace_) {
    // wireguard-go removes its interface and control socket when asked to stop.
    userspace_child_.stop();
  } else if (created_ && interface_exists(name_)) {
    run_checked({"ip", "link", "del", "dev", name_});
  }
  name_.clear();
  created_ = false;
  userspace_ = false;
}

}  // namespace sixpn::net
