#pragma once
// The gateway's WireGuard interface, programmed through wg(8) — which speaks netlink to kernel
// WireGuard and the UAPI socket to wireguard-go — so both implementations are driven the same
// way and a running interface is changed in place, never rewritten and restarted.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "core/keys.hpp"
#include "net/command.hpp"

namespace sixpn::net {

// A peer as the interface should have it: its key and its own /120, nothing wider.
struct DesiredPeer {
  std::string public_key;  // canonical base64
  core::Ipv6 address;      // any address inside the peer's /120
  bool operator==(const DesiredPeer&) const = default;
};

// The /120 a peer may send from and receive to, "fdaa:0:1:a7b:…:a:0/120".
std::string peer_allowed_ip(const core::Ipv6& address);

// Public key → allowed IPs, as `wg show NAME allowed-ips` prints them.
using PeerTable = std::map<std::string, std::vector<std::string>>;

// Parses `wg show NAME allowed-ips` ("<key>\t<cidr> <cidr>…" or "<key>\t(none)" per line).
// Throws std::runtime_error on a line of any other shape.
PeerTable parse_allowed_ips(std::string_view text);

// What turns `current` into `desired`: peers to remove, and peers to add or whose allowed IPs
// to replace (key → cidr). Peers already right are left alone, so their sessions survive.
struct PeerPlan {
  std::vector<std::string> remove;
  std::map<std::string, std::string> set;
  bool empty() const { return remove.empty() && set.empty(); }
};
PeerPlan plan_peers(const PeerTable& current, const std::vector<DesiredPeer>& desired);

// The wg(8) argument lists that carry out a plan, at most `batch` peers per command so the
// argument list stays far from the kernel's limit however many peers an org has.
std::vector<Argv> peer_commands(const std::string& interface, const PeerPlan& plan,
                                std::size_t batch = 200);

class WgDevice {
 public:
  // Adopts the interface if it exists (it must be WireGuard), otherwise creates it: kernel
  // WireGuard when the kernel has it, else `userspace_binary -f NAME` as a child of sixpnd.
  static WgDevice open(const std::string& name, const std::string& userspace_binary);

  WgDevice() = default;
  ~WgDevice();
  WgDevice(WgDevice&& other) noexcept;
  WgDevice& operator=(WgDevice&&) noexcept;
  WgDevice(const WgDevice&) = delete;
  WgDevice& operator=(const WgDevice&) = delete;

  const std::string& name() const { return name_; }
  bool created() const { return created_; }
  bool userspace() const { return userspace_; }

  // Private key (through stdin, never argv) and listen port, then link up.
  void configure(const core::PrivateKey& key, std::uint16_t listen_port);
  PeerTable peers() const;
  // Makes the interface's peers exactly `desired`; returns what it changed.
  PeerPlan sync_peers(const std::vector<DesiredPeer>& desired);
  // False when the userspace daemon died or the interface vanished.
  bool healthy();
  // Deletes the interface if this object created it; an adopted one stays.
  void close();

 private:
  std::string name_;
  bool created_ = false;
  bool userspace_ = false;
  ChildProcess userspace_child_;
};

}  // namespace sixpn::net
