#pragma once
// Which servers names outside .internal and .flycast are forwarded to: the ones given with
// --dns-upstream, or by default the nameservers of the host's /etc/resolv.conf, less any that
// is sixpnd itself (forwarding to ourselves would loop until the timeout).
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/endpoint.hpp"

namespace sixpn::dns {

// glibc's MAXNS: a stub resolver reads no more than three nameserver lines.
inline constexpr std::size_t kMaxResolvConfServers = 3;

struct ResolvConf {
  std::vector<core::dns::Endpoint> nameservers;  // port 53, in file order, at most three
  std::vector<std::string> problems;             // one sentence per line that was skipped
};

// The `nameserver ADDRESS` lines of resolv.conf(5) text: IPv4, IPv6, IPv6 with %scope (an
// interface name or number). Comments start with '#' or ';'; every other keyword is ignored.
ResolvConf parse_resolv_conf(std::string_view text);

// Reads and parses the file; a missing or unreadable file has no nameservers and one problem.
ResolvConf read_resolv_conf(const std::string& path);

// True when a query sent to `server` would reach sixpnd's own DNS server: it is a listener's
// address and port, or the listener is on the unspecified address of its family and `server`
// is a loopback address; or sixpnd answers on the gateway's 6PN addresses and `server` is one
// of them (an org's prefix::3).
bool is_own_dns(const core::dns::Endpoint& server,
                const std::vector<core::dns::Endpoint>& listeners, bool serves_6pn);

}  // namespace sixpn::dns
