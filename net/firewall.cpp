#include "net/firewall.hpp"

#include <cctype>

#include "core/address.hpp"
#include "net/command.hpp"

namespace sixpn::net {

std::string firewall_table_name(const std::string& interface) {
  std::string name = "sixpnd_";
  for (char c : interface) {
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '_' ? c : '_';
  }
  return name;
}

std::string render_firewall(const std::string& table, const std::set<std::uint32_t>& networks,
                            const FirewallOptions& options, const ProxyRules& proxy) {
  std::string elements;
  for (auto network : networks) {
    auto prefix = core::org_prefix_cidr(network);
    elements += (elements.empty() ? "" : ", ") + prefix + " . " + prefix;
  }
  std::string backends;
  for (const auto& [address, port] : proxy.backends) {
    backends += (backends.empty() ? "" : ", ") + address.str() + " . " + std::to_string(port);
  }
  const std::string proxies = core::proxy_range_cidr();
  std::string out;
  out += "table ip6 " + table + " {}\n";
  out += "delete table ip6 " + table + "\n";
  out += "table ip6 " + table + " {\n";
  out += "  set same_org {\n";
  out += "    type ipv6_addr . ipv6_addr\n";
  out += "    flags interval\n";
  if (!elements.empty()) out += "    elements = { " + elements + " }\n";
  out += "  }\n";
  out += "  set proxy_backends {\n";
  out += "    type ipv6_addr . inet_service\n";
  if (!backends.empty()) out += "    elements = { " + backends + " }\n";
  out += "  }\n";
  out += "  chain isolate {\n";
  out += "    ip6 saddr . ip6 daddr @same_org return\n";
  // Neighbour discovery for 6PN addresses is link-local or multicast; it must pass.
  out += "    ip6 saddr fdaa::/16 ip6 daddr { fe80::/10, ff00::/8 } return\n";
  // To another org, or out of the 6PN altogether.
  out += "    ip6 saddr fdaa::/16 counter drop\n";
  // Into the 6PN from outside it, which would bypass WireGuard's source check.
  out += "    ip6 daddr fdaa::/16 counter drop\n";
  out += "  }\n";
  // Ahead of the usual filter priority, so an accept elsewhere cannot let a packet through
  // before isolation has seen it.
  // A machine sends only from its own /112: its veth is the one way back to that source.
  out += "  chain prerouting {\n";
  out += "    type filter hook prerouting priority raw; policy accept;\n";
  out += "    iifname \"vm*\" fib saddr . iif oif missing counter drop\n";
  out += "  }\n";
  out += "  chain forward {\n";
  out += "    type filter hook forward priority filter - 10; policy accept;\n";
  out += "    ip6 saddr " + proxies + " ip6 daddr . tcp dport @proxy_backends accept\n";
  out += "    ip6 daddr " + proxies + " ip6 saddr . tcp sport @proxy_backends accept\n";
  out += "    jump isolate\n";
  out += "  }\n";
  out += "  chain input {\n";
  out += "    type filter hook input priority filter - 10; policy accept;\n";
  if (options.host_dns) {
    // Before the set lookup, so the DNS exception costs ordinary packets one address compare.
    out += std::string("    ip6 daddr ") + core::kHostDnsAddress +
           " ip6 saddr fdaa::/16 meta l4proto { tcp, udp } th dport 53 accept\n";
  }
  if (proxy.own_address) {
    out += "    ip6 daddr " + proxy.own_address->str() + " ct state established,related accept\n";
  }
  out += "    jump isolate\n";
  out += "  }\n";
  out += "}\n";
  return out;
}

Firewall::~Firewall() {
  try {
    remove();
  } catch (const std::exception&) {
    // Shutting down; the table goes with the namespace or the next start replaces it.
  }
}

void Firewall::apply(const std::set<std::uint32_t>& networks, bool force,
                     const ProxyRules& proxy) {
  if (loaded_ && networks == networks_ && proxy == proxy_ && !force) return;
  CommandOptions options;
  options.input = render_firewall(table_, networks, options_, proxy);
  run_checked({"nft", "-f", "-"}, options);
  loaded_ = true;
  networks_ = networks;
  proxy_ = proxy;
}

bool Firewall::present() const {
  return loaded_ && run_command({"nft", "list", "table", "ip6", table_}).exit_code == 0;
}

void Firewall::remove() {
  if (!loaded_) return;
  loaded_ = false;
  run_checked({"nft", "delete", "table", "ip6", table_});
}

}  // namespace sixpn::net
