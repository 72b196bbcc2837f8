// The resolver at the protocol's edges: sizes and truncation, malformed and unusual messages,
// forwarding, classes, and a stopped machine leaving every answer.
#include "tests/unit/dns/resolver_fixture.hpp"

namespace sixpn::dns {
namespace {

Snapshot with_many_machines(int n) {
  Snapshot s = fixture();
  auto& acme = s.by_network[testing::kAcme];
  acme.apps.push_back(AppInfo{"big", {}, true});
  for (int i = 0; i < n; ++i) {
    char id[15];
    std::snprintf(id, sizeof id, "%014x", 0x100000 + i);
    acme.machines.push_back(
        testing::machine(id, "big", "ams", testing::machine_ip(testing::kAcme, 0x77, i), true));
  }
  return s;
}

TEST(DnsResolver, HonoursTheClientsEdnsBufferAndTruncatesOverUdp) {
  auto snap = with_many_machines(40);  // 40 AAAA × 28 bytes: more than 512, less than 1232
  auto plain = ask("big.internal", w::type::AAAA, pinned(), snap);
  EXPECT_TRUE(plain.header.tc);
  EXPECT_TRUE(plain.answers.empty());
  EXPECT_FALSE(plain.edns);

  auto wide = ask_wire(w::encode(question("big.internal", w::type::AAAA, 1232)), pinned(), snap);
  EXPECT_FALSE(wide.header.tc);
  EXPECT_EQ(wide.answers.size(), 40u);
  ASSERT_TRUE(wide.edns);
  EXPECT_EQ(wide.edns->udp_size, kMaxUdpPayload);

  auto narrow = ask_wire(w::encode(question("big.internal", w::type::AAAA, 800)), pinned(), snap);
  EXPECT_TRUE(narrow.header.tc);
  // Below 512 counts as 512 (RFC 6891 6.2.5), so a small answer still fits.
  auto tiny = ask_wire(w::encode(question("web.internal", w::type::AAAA, 100)), pinned(), snap);
  EXPECT_EQ(tiny.answers.size(), 3u);
}

TEST(DnsResolver, LongInstancesAnswerIsTruncatedOverUdpAndCompleteOverTcp) {
  auto snap = with_many_machines(30);
  auto udp = ask("_instances.internal", w::type::TXT, pinned(), snap);
  EXPECT_TRUE(udp.header.tc);
  auto tcp_ctx = pinned();
  tcp_ctx.transport = Transport::tcp;
  auto tcp = ask("_instances.internal", w::type::TXT, tcp_ctx, snap);
  EXPECT_FALSE(tcp.header.tc);
  ASSERT_EQ(tcp.answers.size(), 1u);
  const auto& strings = std::get<w::Txt>(tcp.answers[0].data);
  ASSERT_GT(strings.size(), 1u);
  for (std::size_t i = 0; i + 1 < strings.size(); ++i) EXPECT_EQ(strings[i].size(), 255u);
  std::string all = txt_of(tcp);
  EXPECT_EQ(std::count(all.begin(), all.end(), ';'), 30 + 4 - 1);
  EXPECT_NE(all.find("instance=00000000100000,app=big,ip="), std::string::npos);
}

TEST(DnsResolver, MalformedQueryGetsFormerrWithItsId) {
  std::vector<std::uint8_t> junk = {0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xC0, 12};
  auto r = ask_wire(junk, pinned());
  EXPECT_EQ(r.header.id, 0xABCD);
  EXPECT_EQ(r.header.rcode, w::rcode::FORMERR);
  auto two = question("web.internal", w::type::AAAA);
  two.questions.push_back(two.questions[0]);
  EXPECT_EQ(ask_wire(w::encode(two), pinned()).header.rcode, w::rcode::FORMERR);
  EXPECT_EQ(ask("web.internal", w::type::OPT).header.rcode, w::rcode::FORMERR);
}

TEST(DnsResolver, OtherOpcodesAreNotImplemented) {
  auto q = question("web.internal", w::type::AAAA);
  q.header.opcode = 5;  // UPDATE
  EXPECT_EQ(ask_wire(w::encode(q), pinned()).header.rcode, w::rcode::NOTIMP);
  q.header.opcode = 2;  // STATUS
  EXPECT_EQ(ask_wire(w::encode(q), pinned()).header.rcode, w::rcode::NOTIMP);
}

TEST(DnsResolver, UnknownEdnsVersionGetsBadvers) {
  auto q = question("web.internal", w::type::AAAA, 1232);
  q.edns->version = 1;
  auto r = ask_wire(w::encode(q), pinned());
  EXPECT_EQ(r.header.rcode, w::rcode::BADVERS);
  EXPECT_TRUE(r.edns);
}

TEST(DnsResolver, ResponsesAndRuntsAreDropped) {
  auto q = question("web.internal", w::type::AAAA);
  q.header.qr = true;
  EXPECT_EQ(resolve(w::encode(q), kSnap, pinned()).action, Outcome::Action::drop);
  std::vector<std::uint8_t> runt = {1, 2, 3};
  EXPECT_EQ(resolve(runt, kSnap, pinned()).action, Outcome::Action::drop);
}

TEST(DnsResolver, OtherNamesAreForwardedOnlyWhenAnUpstreamIsSet) {
  EXPECT_EQ(ask("example.com", w::type::A).header.rcode, w::rcode::REFUSED);
  auto ctx = pinned();
  ctx.can_forward = true;
  auto out = resolve(w::encode(question("example.com", w::type::A)), kSnap, ctx);
  EXPECT_EQ(out.action, Outcome::Action::forward);
  EXPECT_EQ(out.query.questions.at(0).name.str(), "example.com.");
  // Not an open resolver: a source of no org is refused before forwarding.
  auto stranger = from(*core::Ipv6::parse("2001:db8::1"));
  stranger.can_forward = true;
  EXPECT_EQ(ask("example.com", w::type::A, stranger).header.rcode, w::rcode::REFUSED);
}

TEST(DnsResolver, NonInternetClassesAndTransfersAreRefused) {
  auto q = question("web.internal", w::type::TXT);
  q.questions[0].qclass = w::klass::CH;
  EXPECT_EQ(ask_wire(w::encode(q), pinned()).header.rcode, w::rcode::REFUSED);
  EXPECT_EQ(ask("internal", w::type::AXFR).header.rcode, w::rcode::REFUSED);
}

TEST(DnsResolver, StoppingAMachineRemovesItFromEveryAnswer) {
  Snapshot s = fixture();
  for (auto& m : s.by_network[testing::kAcme].machines) {
    if (m.id == "3d8d9ed2c0d589") m.started = false;
  }
  EXPECT_EQ(aaaa_set(ask("web.internal", w::type::AAAA, pinned(), s)), (Set{kWebAms, kWebIad}));
  EXPECT_EQ(txt_of(ask("regions.web.internal", w::type::TXT, pinned(), s)), "ams,iad");
  expect_nxdomain(ask("3d8d9ed2c0d589.vm.web.internal", w::type::AAAA, pinned(), s));
  EXPECT_EQ(txt_of(ask("_instances.internal", w::type::TXT, pinned(), s)).find("3d8d9ed2c0d589"),
            std::string::npos);
}

}  // namespace
}  // namespace sixpn::dns
