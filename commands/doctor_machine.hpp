#pragma once
// `sixpn doctor` run inside a machine (FLY_MACHINE_ID is set): what the machine itself should
// see of the private network — DNS at fdaa::3, fly-local-6pn in /etc/hosts, its address on an
// interface — and whether the other started instances of its org are reachable from it.
// The file paths and the interface list come in as arguments, so tests use their own.
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "commands/doctor_checks.hpp"
#include "core/address.hpp"

namespace sixpn::commands::doctor {

// What the platform tells a machine about itself in its environment.
struct MachineIdentity {
  std::string machine_id;  // FLY_MACHINE_ID
  std::string app;         // FLY_APP_NAME
  std::string region;      // FLY_REGION
  std::string private_ip;  // FLY_PRIVATE_IP
};

// nullopt when FLY_MACHINE_ID is unset or empty: not inside a machine.
std::optional<MachineIdentity> machine_identity(
    const std::function<const char*(const char*)>& getenv);

// The `nameserver` addresses of a resolv.conf, in order.
std::vector<std::string> resolv_nameservers(std::string_view text);
// The addresses /etc/hosts gives `name`, in order.
std::vector<std::string> hosts_addresses(std::string_view text, std::string_view name);

// One started machine as `_instances.internal` TXT lists it
// ("instance=ID,app=APP,ip=IP,region=R;…").
struct Instance {
  std::string id;
  std::string app;
  std::string ip;
  std::string region;
};
std::vector<Instance> parse_instances(std::string_view txt);

// The IPv6 addresses of this machine's interfaces: (interface, address).
using InterfaceAddresses = std::vector<std::pair<std::string, core::Ipv6>>;
InterfaceAddresses interface_addresses();

// What a TCP connection attempt says about the path to a machine:
// connected / refused — the packets got there and back (refused: nothing listens on the port);
// silent — no answer in time (no route in the mesh, the peer down, or a firewall dropping);
// unreachable — the kernel or a router said there is no way there.
enum class Reach { connected, refused, silent, unreachable, error };
struct Probe {
  Reach reach = Reach::error;
  double rtt_ms = 0;
  std::string detail;  // errno text for unreachable/error
};
Probe tcp_probe(const core::Ipv6& target, std::uint16_t port, std::chrono::milliseconds timeout);

// The checks, each on its own inputs.
Check check_resolv_conf(const std::string& path);
Check check_hosts_file(const std::string& path, const MachineIdentity& self);
Check check_address(const MachineIdentity& self, const InterfaceAddresses& addresses);
// `_apps.internal` TXT from fdaa::3 (or `server`).
Check check_machine_dns(const core::Ipv6& server, std::chrono::milliseconds wait);
// Every other instance from `_instances.internal` (else `<app>.internal`), probed on `port`.
Check check_mesh(const MachineIdentity& self, const core::Ipv6& server, std::uint16_t port,
                 std::chrono::milliseconds wait);

struct MachinePaths {
  std::string resolv_conf = "/etc/resolv.conf";
  std::string hosts = "/etc/hosts";
};

// All of the above, in order.
std::vector<Check> machine_checks(const MachineIdentity& self, const MachinePaths& paths,
                                  std::uint16_t port, std::chrono::milliseconds wait);

}  // namespace sixpn::commands::doctor
