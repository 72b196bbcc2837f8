#pragma once
// Isolation between organizations, enforced where packets cross the gateway: an nftables table
// owned by sixpnd that drops every packet from a 6PN source whose destination is outside the
// source's own org /48 — forwarded to a machine or peer, or delivered to the gateway itself
// (another org's prefix::3 must not answer either). Pairs of the same org are one set, so the
// cost per packet does not grow with the number of orgs.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "core/address.hpp"

namespace sixpn::net {

// "sixpnd_<interface>", with characters nft does not take in a name replaced by '_'.
std::string firewall_table_name(const std::string& interface);

struct FirewallOptions {
  // A host: its machines (6PN sources of any org) may ask the host's DNS server at fdaa::3,
  // UDP and TCP port 53, and nothing else of the host. The gateway's DNS is each org's own
  // prefix::3, which the same_org set already lets through.
  bool host_dns = false;
};

// The Flycast proxies' way through isolation, and nothing more. A proxy connects from its
// node's proxy address (network 0, core::proxy_address) to a machine, possibly of another org
// than the client's: that is let through to exactly the ports the machines' services declare,
// and the replies back. Proxy addresses cannot be forged: WireGuard lets a node send only from
// its allowed IPs, and a machine only from its own /112 (the reverse-path rule on its veth).
struct ProxyRules {
  // This node's proxy address: what comes back to it on connections it opened is let in.
  std::optional<core::Ipv6> own_address;
  // (machine address, internal port) of every service of the machines behind this node.
  std::set<std::pair<core::Ipv6, std::uint16_t>> backends;
  bool operator==(const ProxyRules&) const = default;
};

// The whole table, for `nft -f -`. It first creates and deletes the table, so loading it
// replaces any earlier version in one transaction — there is never a moment without rules.
std::string render_firewall(const std::string& table, const std::set<std::uint32_t>& networks,
                            const FirewallOptions& options = {}, const ProxyRules& proxy = {});

class Firewall {
 public:
  explicit Firewall(std::string table, FirewallOptions options = {})
      : table_(std::move(table)), options_(options) {}
  ~Firewall();
  Firewall(const Firewall&) = delete;
  Firewall& operator=(const Firewall&) = delete;

  const std::string& table() const { return table_; }
  // Loads the table for these networks; a no-op when they are what was loaded last, unless
  // `force` (the periodic resync uses it to put back a table deleted by hand). Throws
  // CommandError when nft refuses it.
  void apply(const std::set<std::uint32_t>& networks, bool force = false,
             const ProxyRules& proxy = {});
  // Whether the table this object loaded is still in the kernel (one deleted by hand is not).
  bool present() const;
  // Deletes the table (only if this object loaded it).
  void remove();

 private:
  std::string table_;
  FirewallOptions options_;
  bool loaded_ = false;
  std::set<std::uint32_t> networks_;
  ProxyRules proxy_;
};

}  // namespace sixpn::net
