#include "dns/resolver.hpp"

#include <algorithm>

#include "dns/zone.hpp"

namespace sixpn::dns {

namespace dnsw = core::dns;

namespace {

const dnsw::Name kInternal{{"internal"}};
const dnsw::Name kFlycast{{"flycast"}};

dnsw::Message reply_skeleton(const dnsw::Message& query, bool recursion_available) {
  dnsw::Message r;
  r.header.id = query.header.id;
  r.header.qr = true;
  r.header.opcode = query.header.opcode;
  r.header.rd = query.header.rd;
  r.header.cd = query.header.cd;
  r.header.ra = recursion_available;
  if (query.questions.size() == 1) r.questions = query.questions;
  if (query.edns) {
    // RFC 6891 7: a responder that understood EDNS answers with an OPT of its own; RFC 3225:
    // the DO bit is copied back.
    r.edns = dnsw::Edns{kMaxUdpPayload, 0, query.edns->dnssec_ok, {}};
  }
  return r;
}

Outcome reply(const dnsw::Message& r, std::size_t limit) {
  Outcome out;
  out.action = Outcome::Action::reply;
  out.reply = dnsw::encode(r, limit);
  return out;
}

dnsw::Record soa_record(const dnsw::Name& apex, const Snapshot& snapshot) {
  dnsw::Soa soa;
  soa.mname = apex;
  soa.rname = apex;
  soa.rname.labels.insert(soa.rname.labels.begin(), "hostmaster");
  soa.serial = static_cast<std::uint32_t>(snapshot.version);
  soa.refresh = 3600;
  soa.retry = 600;
  soa.expire = 86400;
  soa.minimum = kTtl;  // RFC 2308: negative answers are cached for this long
  return dnsw::Record{apex, dnsw::type::SOA, dnsw::klass::IN, kTtl, soa};
}

bool wants(std::uint16_t qtype, std::uint16_t type) {
  return qtype == type || qtype == dnsw::type::ANY;
}

}  // namespace

const OrgZone* select_org(const Snapshot& snapshot, const QueryContext& ctx) {
  if (ctx.source && core::is_sixpn(*ctx.source)) {
    auto it = snapshot.by_network.find(core::split(*ctx.source).network);
    if (it == snapshot.by_network.end()) return nullptr;
    if (ctx.pinned_org && it->second.slug != *ctx.pinned_org) return nullptr;
    return &it->second;
  }
  if (!ctx.pinned_org) return nullptr;
  for (const auto& [network, zone] : snapshot.by_network) {
    if (zone.slug == *ctx.pinned_org) return &zone;
  }
  return nullptr;
}

std::size_t reply_limit(const dnsw::Message& query, Transport transport) {
  if (transport == Transport::tcp) return dnsw::kMaxMessage;
  if (!query.edns) return dnsw::kClassicUdpPayload;
  return std::clamp<std::size_t>(query.edns->udp_size, dnsw::kClassicUdpPayload, kMaxUdpPayload);
}

std::vector<std::uint8_t> error_reply(const dnsw::Message& query, std::uint16_t rcode,
                                      bool recursion_available) {
  auto r = reply_skeleton(query, recursion_available);
  r.header.rcode = rcode;
  return dnsw::encode(r);
}

Outcome resolve(std::span<const std::uint8_t> wire, const Snapshot& snapshot,
                const QueryContext& ctx) {
  auto header = dnsw::decode_header(wire);
  // Never answer an answer: two servers could otherwise bounce a packet between them forever.
  if (!header || header->qr) return {};

  auto decoded = dnsw::decode(wire);
  if (!decoded.message) {
    dnsw::Message stub;
    stub.header = *header;
    auto r = reply_skeleton(stub, ctx.can_forward);
    r.header.rcode = dnsw::rcode::FORMERR;
    return reply(r, dnsw::kClassicUdpPayload);
  }
  const dnsw::Message& query = *decoded.message;
  auto r = reply_skeleton(query, ctx.can_forward);
  const std::size_t limit = reply_limit(query, ctx.transport);
  auto fail = [&](std::uint16_t rcode) {
    r.header.rcode = rcode;
    return reply(r, limit);
  };

  if (query.header.opcode != dnsw::opcode::QUERY) return fail(dnsw::rcode::NOTIMP);
  if (query.questions.size() != 1 || !query.answers.empty() || !query.authority.empty()) {
    return fail(dnsw::rcode::FORMERR);
  }
  if (query.edns && query.edns->version != 0) return fail(dnsw::rcode::BADVERS);
  const dnsw::Question& q = query.questions.front();
  if (q.qtype == dnsw::type::OPT) return fail(dnsw::rcode::FORMERR);

  const OrgZone* org = select_org(snapshot, ctx);
  if (!org) return fail(dnsw::rcode::REFUSED);

  const bool internal = q.name.is_under(kInternal);
  const bool flycast = q.name.is_under(kFlycast);
  if (!internal && !flycast) {
    if (!ctx.can_forward) return fail(dnsw::rcode::REFUSED);
    Outcome out;
    out.action = Outcome::Action::forward;
    out.query = query;
    return out;
  }
  // Our zones hold IN data only and are not for transfer.
  if ((q.qclass != dnsw::klass::IN && q.qclass != dnsw::klass::ANY) ||
      q.qtype == dnsw::type::AXFR || q.qtype == dnsw::type::IXFR) {
    return fail(dnsw::rcode::REFUSED);
  }

  const dnsw::Name& apex = internal ? kInternal : kFlycast;
  std::vector<std::string> labels(q.name.labels.begin(), q.name.labels.end() - 1);
  NameData data;
  if (internal) {
    std::optional<std::string> from;
    if (ctx.source) from = region_of(*org, *ctx.source);
    if (!from && !snapshot.origin_region.empty()) from = snapshot.origin_region;
    data = lookup_internal(snapshot, *org, labels, from);
  } else {
    data = lookup_flycast(*org, labels);
  }

  r.header.aa = true;
  if (!data.exists) {
    r.header.rcode = dnsw::rcode::NXDOMAIN;
    r.authority.push_back(soa_record(apex, snapshot));
    return reply(r, limit);
  }
  // The owner is the question's name as asked, so the 0x20 case pattern comes back intact.
  if (wants(q.qtype, dnsw::type::AAAA)) {
    for (const auto& a : data.aaaa) {
      r.answers.push_back({q.name, dnsw::type::AAAA, dnsw::klass::IN, kTtl, a});
    }
  }
  if (wants(q.qtype, dnsw::type::TXT) && data.txt) {
    r.answers.push_back(
        {q.name, dnsw::type::TXT, dnsw::klass::IN, kTtl, dnsw::split_txt(*data.txt)});
  }
  if (wants(q.qtype, dnsw::type::SOA) && labels.empty()) {
    auto soa = soa_record(apex, snapshot);
    soa.name = q.name;
    r.answers.push_back(std::move(soa));
  }
  if (r.answers.empty()) r.authority.push_back(soa_record(apex, snapshot));  // NODATA, RFC 2308
  return reply(r, limit);
}

}  // namespace sixpn::dns
