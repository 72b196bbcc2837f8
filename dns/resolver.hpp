#pragma once
// One query in, one decision out: the reply bytes, "forward this upstream", or "drop it".
// Pure (no sockets, no clock), so every rule of the protocol is tested without a network and
// the fuzzer can drive it directly.
//
// Which org a query is for: a querier whose source address is a 6PN address speaks for the org
// whose /48 holds it. A listener pinned to an org (HOST:PORT=ORG) answers for that org to any
// source that is not a 6PN address (loopback, the host itself); a 6PN source from another org
// is still refused there. An unpinned listener refuses every source of no org.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/address.hpp"
#include "core/dns/message.hpp"
#include "dns/snapshot.hpp"

namespace sixpn::dns {

inline constexpr std::uint32_t kTtl = 5;  // the seed's TTL, for answers and negative answers
inline constexpr std::uint16_t kMaxUdpPayload = 4096;  // the most we send over UDP (and say so)

enum class Transport { udp, tcp };

struct QueryContext {
  std::optional<core::Ipv6> source;       // the querier's address when it is IPv6
  std::optional<std::string> pinned_org;  // slug, for a listener given as HOST:PORT=ORG
  Transport transport = Transport::udp;
  bool can_forward = false;  // an upstream is configured
};

struct Outcome {
  enum class Action { reply, forward, drop };
  Action action = Action::drop;
  std::vector<std::uint8_t> reply;  // Action::reply: the bytes to send
  core::dns::Message query;         // Action::forward: the query, to match the upstream's reply
};

Outcome resolve(std::span<const std::uint8_t> wire, const Snapshot& snapshot,
                const QueryContext& ctx);

// A reply carrying only the question and an rcode (SERVFAIL when the upstream does not answer).
std::vector<std::uint8_t> error_reply(const core::dns::Message& query, std::uint16_t rcode,
                                      bool recursion_available);

// The org this query speaks for, or nullptr (then: REFUSED).
const OrgZone* select_org(const Snapshot& snapshot, const QueryContext& ctx);

// How many bytes a reply may have: 65535 over TCP; over UDP the client's EDNS buffer size,
// clamped to [512, kMaxUdpPayload], or 512 without EDNS.
std::size_t reply_limit(const core::dns::Message& query, Transport transport);

}  // namespace sixpn::dns
