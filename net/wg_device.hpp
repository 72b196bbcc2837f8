#pragma once
// A WireGuard interface of the gateway or a host, programmed through wg(8) — which speaks netlink
// to kernel WireGuard and the UAPI socket to wireguard-go — so both implementations are driven the
// same way and a running interface is changed in place, never rewritten and restarted.
#include <cstdint>
#include <string>
#include <vector>

#include "core/address.hpp"
#include "core/keys.hpp"
#include "net/command.hpp"
#include "net/wg_peers.hpp"

namespace sixpn::net {

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
  // Allowed IPs, endpoints and keepalives, from three `wg show` listings (not `wg show dump`,
  // which would bring the private key along).
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
