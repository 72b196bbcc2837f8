#pragma once
// One DNS question to one server, as `sixpn dig` asks it: over UDP with retries, again over TCP
// when the answer comes back truncated, or over TCP from the start.
//
// Plain sockets rather than c-ares: dig needs to choose the transport, see TC, read the
// authority and additional sections, the rcode and the flags of the one reply it got from the
// one server it was told — what a stub-resolver library exists to hide. core/dns already holds
// the wire format (shared with sixpnd), so this is only the two small exchanges.
#include <chrono>
#include <cstddef>
#include <cstdint>

#include <string>
#include <vector>

#include "api/types.hpp"
#include "core/dns/endpoint.hpp"
#include "core/dns/message.hpp"

namespace sixpn::commands {

struct DnsExchange {
  core::dns::Message reply;
  bool tcp = false;          // the reply came over TCP
  bool retried_tcp = false;  // UDP said TC, so the question was asked again over TCP
  std::size_t reply_size = 0;
  std::chrono::microseconds elapsed{0};
};

// Throws cli::Failure when no matching reply arrives within `timeout` per attempt (UDP tries
// `udp_tries` times) or the server cannot be reached.
DnsExchange dns_exchange(const core::dns::Endpoint& server, const core::dns::Message& query,
                         bool tcp_only, std::chrono::milliseconds timeout, int udp_tries = 3);

// One question to `server` port 53 (UDP, twice at most, then TCP if truncated) and the answers
// of `type` as text: each TXT record's strings joined, AAAA addresses. Throws cli::Failure when
// no reply comes within `wait` per attempt.
struct DnsValues {
  std::uint16_t rcode = 0;
  std::vector<std::string> values;
};
DnsValues ask_values(const core::Ipv6& server, const std::string& name, std::uint16_t type,
                     std::chrono::milliseconds wait);

// The DNS server of org `slug` — its <prefix>::3, port 53, reachable over the org's WireGuard
// tunnel — from the orgs the API token sees. Throws cli::NotFound when `slug` is not among them.
core::dns::Endpoint org_dns_endpoint(const std::vector<api::Org>& orgs, const std::string& slug);

}  // namespace sixpn::commands
