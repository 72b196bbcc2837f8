#pragma once
// Helpers shared by the resolver's unit tests: the fixture snapshot, query builders, checks.
#include <gtest/gtest.h>
#include "dns/resolver.hpp"
#include "dns/zone.hpp"
#include "tests/unit/dns/fixture.hpp"

namespace sixpn::dns {
namespace {

namespace w = core::dns;
using testing::aaaa_set;
using testing::fixture;
using testing::txt_of;
using Set = std::set<std::string>;

const Snapshot kSnap = fixture();

std::string ip(std::uint32_t host, std::uint64_t slot) {
  return testing::machine_ip(testing::kAcme, host, slot).str();
}
const std::string kWebAms = ip(testing::kAmsHost, 0);
const std::string kWebFra = ip(testing::kFraHost, 0);
const std::string kWebIad = ip(testing::kIadHost, 0);

QueryContext pinned(std::string org = "acme") {
  QueryContext ctx;
  ctx.source = core::Ipv6::parse("::1");
  ctx.pinned_org = std::move(org);
  return ctx;
}
QueryContext from(const core::Ipv6& source) {
  QueryContext ctx;
  ctx.source = source;
  return ctx;
}

w::Message question(const std::string& name, std::uint16_t qtype, std::optional<int> edns = {}) {
  w::Message q;
  q.header.id = 0x5150;
  q.header.rd = true;
  q.questions.push_back({*w::Name::parse(name), qtype, w::klass::IN});
  if (edns) q.edns = w::Edns{static_cast<std::uint16_t>(*edns), 0, false, {}};
  return q;
}

w::Message ask_wire(const std::vector<std::uint8_t>& wire, const QueryContext& ctx,
                    const Snapshot& snap = kSnap) {
  auto out = resolve(wire, snap, ctx);
  EXPECT_EQ(out.action, Outcome::Action::reply);
  auto d = w::decode(out.reply);
  EXPECT_TRUE(d.message) << w::describe(d.error);
  return d.message.value_or(w::Message{});
}

w::Message ask(const std::string& name, std::uint16_t qtype, const QueryContext& ctx = pinned(),
               const Snapshot& snap = kSnap) {
  return ask_wire(w::encode(question(name, qtype)), ctx, snap);
}

[[maybe_unused]] void expect_nxdomain(const w::Message& r) {
  EXPECT_EQ(r.header.rcode, w::rcode::NXDOMAIN);
  EXPECT_TRUE(r.header.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, w::type::SOA);
}
[[maybe_unused]] void expect_nodata(const w::Message& r) {
  EXPECT_EQ(r.header.rcode, w::rcode::NOERROR);
  EXPECT_TRUE(r.header.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, w::type::SOA);
  EXPECT_EQ(r.authority[0].name.str(), "internal.");
}

}  // namespace
}  // namespace sixpn::dns
