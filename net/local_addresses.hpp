#pragma once
// /128 addresses a node serves itself, on one device (lo): the Flycast addresses its proxy
// listens on and the proxy's own source address. Linux delivers a packet to a local address
// whatever interface it came in on, so a laptop's packet (through the WireGuard interface) and
// a machine's (through its veth) both reach the proxy. Only addresses this object added are
// ever removed, so one an operator put there stays.
#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "net/command.hpp"

namespace sixpn::net {

struct LocalAddressPlan {
  std::vector<Argv> commands;
  std::set<core::Ipv6> owned;  // what this owner has added, after the commands ran
};

// From `ip -j -6 addr show dev DEVICE`: adds each wanted /128 that is missing (nodad: the proxy
// binds it at once), removes each owned one no longer wanted. Throws std::runtime_error when
// the text is not ip's JSON.
LocalAddressPlan local_address_commands(const std::string& device, std::string_view addr_json,
                                        const std::set<core::Ipv6>& wanted,
                                        const std::set<core::Ipv6>& owned);

class LocalAddresses {
 public:
  LocalAddresses(std::string device, std::function<void(const std::string&)> log)
      : device_(std::move(device)), log_(std::move(log)) {}
  ~LocalAddresses();  // removes what it added
  LocalAddresses(const LocalAddresses&) = delete;
  LocalAddresses& operator=(const LocalAddresses&) = delete;

  // Reads the device and makes it carry `wanted`. Throws CommandError.
  void sync(const std::set<core::Ipv6>& wanted);
  // Removes every address it added; "" when done, else why not (one sentence).
  std::string remove_all();

 private:
  std::string device_;
  std::function<void(const std::string&)> log_;
  std::set<core::Ipv6> owned_;
};

}  // namespace sixpn::net
