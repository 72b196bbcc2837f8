// Any bytes as a query, through the parser and the resolver, over both transports, on a small
// fixed snapshot. Besides crashes and sanitizer reports, it checks what every reply must be:
// decodable, marked as a response with the query's id, and within the UDP size limit; and that
// the answer cache, kept across inputs, gives either no reply or exactly the resolver's.
#include <cstddef>
#include <cstdint>
#include <span>

#include "core/dns/message.hpp"
#include "dns/answer_cache.hpp"
#include "dns/resolver.hpp"
#include "tests/unit/dns/fixture.hpp"

namespace {

using namespace sixpn::dns;
namespace w = sixpn::core::dns;

const SnapshotPtr& snapshot() {
  static const SnapshotPtr s = std::make_shared<const Snapshot>(testing::fixture());
  return s;
}

void check(std::span<const std::uint8_t> query, const QueryContext& ctx) {
  static AnswerCache cache;
  Outcome out = resolve(query, *snapshot(), ctx);
  std::vector<std::uint8_t> fast;
  if (cache.answer(query, snapshot(), ctx, fast) &&
      (out.action != Outcome::Action::reply || fast != out.reply)) {
    __builtin_trap();
  }
  if (out.action == Outcome::Action::drop) return;
  if (out.action == Outcome::Action::forward) {
    if (!ctx.can_forward || out.query.questions.size() != 1) __builtin_trap();
    return;
  }
  auto reply = w::decode(out.reply);
  if (!reply.message) __builtin_trap();
  if (!reply.message->header.qr) __builtin_trap();
  if (reply.message->header.id != w::decode_header(query)->id) __builtin_trap();
  if (ctx.transport == Transport::udp && out.reply.size() > kMaxUdpPayload) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::span<const std::uint8_t> query(data, size);
  QueryContext pinned;
  pinned.pinned_org = "acme";
  check(query, pinned);

  QueryContext peer;  // the "laptop" peer in ams, over TCP, with an upstream
  peer.source = sixpn::core::peer_address(testing::kAcme, testing::kGatewayHost, 0);
  peer.transport = Transport::tcp;
  peer.can_forward = true;
  check(query, peer);
  return 0;
}
