#include "server/dns/resolver.hpp"

#include <gtest/gtest.h>

#include "server/dns/zone.hpp"
#include "tests/unit/server/dns_fixture.hpp"

namespace sixpn::server::dns {
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

void expect_nxdomain(const w::Message& r) {
  EXPECT_EQ(r.header.rcode, w::rcode::NXDOMAIN);
  EXPECT_TRUE(r.header.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, w::type::SOA);
}
void expect_nodata(const w::Message& r) {
  EXPECT_EQ(r.header.rcode, w::rcode::NOERROR);
  EXPECT_TRUE(r.header.aa);
  EXPECT_TRUE(r.answers.empty());
  ASSERT_EQ(r.authority.size(), 1u);
  EXPECT_EQ(r.authority[0].type, w::type::SOA);
  EXPECT_EQ(r.authority[0].name.str(), "internal.");
}

TEST(DnsResolver, AppNameIsEveryStartedMachineOfTheApp) {
  auto r = ask("web.internal", w::type::AAAA);
  EXPECT_EQ(r.header.rcode, w::rcode::NOERROR);
  EXPECT_TRUE(r.header.aa);
  EXPECT_TRUE(r.header.qr);
  EXPECT_EQ(r.header.id, 0x5150);
  EXPECT_EQ(aaaa_set(r), (Set{kWebAms, kWebFra, kWebIad}));
  for (const auto& rec : r.answers) EXPECT_EQ(rec.ttl, 5u);
}

TEST(DnsResolver, GlobalIsAnAliasOfTheApp) {
  EXPECT_EQ(aaaa_set(ask("global.web.internal", w::type::AAAA)), (Set{kWebAms, kWebFra, kWebIad}));
}

TEST(DnsResolver, RegionNameIsTheStartedMachinesThere) {
  EXPECT_EQ(aaaa_set(ask("ams.web.internal", w::type::AAAA)), (Set{kWebAms}));
  EXPECT_EQ(aaaa_set(ask("iad.web.internal", w::type::AAAA)), (Set{kWebIad}));
  expect_nodata(ask("syd.web.internal", w::type::AAAA));  // its only machine is stopped
  expect_nxdomain(ask("xyz.web.internal", w::type::AAAA));
}

TEST(DnsResolver, VmNameIsOneStartedMachine) {
  EXPECT_EQ(aaaa_set(ask("3d8d9ed2c0d589.vm.web.internal", w::type::AAAA)), (Set{kWebFra}));
  expect_nxdomain(ask("9080e6e2f14028.vm.web.internal", w::type::AAAA));  // stopped
  expect_nxdomain(ask("ffffffffffffff.vm.web.internal", w::type::AAAA));
  expect_nxdomain(ask("d5683d9e7b6390.vm.web.internal", w::type::AAAA));  // db's machine
}

TEST(DnsResolver, ProcessGroupNameIsItsStartedMachines) {
  EXPECT_EQ(aaaa_set(ask("app.process.web.internal", w::type::AAAA)), (Set{kWebAms, kWebFra}));
  EXPECT_EQ(aaaa_set(ask("worker.process.web.internal", w::type::AAAA)), (Set{kWebIad}));
  expect_nxdomain(ask("cron.process.web.internal", w::type::AAAA));  // only a stopped machine
}

TEST(DnsResolver, MetadataNameIsTheStartedMachinesWithThePair) {
  EXPECT_EQ(aaaa_set(ask("primary.role.kv._metadata.web.internal", w::type::AAAA)), (Set{kWebAms}));
  EXPECT_EQ(aaaa_set(ask("REPLICA.Role.kv._metadata.web.internal", w::type::AAAA)),
            (Set{kWebFra, kWebIad}));
  expect_nxdomain(ask("standby.role.kv._metadata.web.internal", w::type::AAAA));
  expect_nxdomain(ask("x.colour.kv._metadata.web.internal", w::type::AAAA));
  expect_nodata(ask("role.kv._metadata.web.internal", w::type::AAAA));
}

TEST(DnsResolver, NearestRanksByDistanceFromThePeersGatewayRegion) {
  auto laptop = from(core::peer_address(testing::kAcme, testing::kGatewayHost, 0));  // ams
  EXPECT_EQ(aaaa_set(ask("top1.nearest.of.web.internal", w::type::AAAA, laptop)), (Set{kWebAms}));
  EXPECT_EQ(aaaa_set(ask("top2.nearest.of.web.internal", w::type::AAAA, laptop)),
            (Set{kWebAms, kWebFra}));
  EXPECT_EQ(aaaa_set(ask("top9.nearest.of.web.internal", w::type::AAAA, laptop)),
            (Set{kWebAms, kWebFra, kWebIad}));
  auto ci = from(core::peer_address(testing::kAcme, testing::kGatewayHost, 2));  // iad
  EXPECT_EQ(aaaa_set(ask("top1.nearest.of.web.internal", w::type::AAAA, ci)), (Set{kWebIad}));
  EXPECT_EQ(aaaa_set(ask("top2.nearest.of.web.internal", w::type::AAAA, ci)),
            (Set{kWebIad, kWebAms}));  // from iad, ams (5900 km) beats fra (6500 km)
}

TEST(DnsResolver, NearestRanksFromTheQueryingMachinesRegion) {
  auto db = from(testing::machine_ip(testing::kAcme, testing::kLhrHost, 0));  // lhr
  EXPECT_EQ(aaaa_set(ask("top1.nearest.of.web.internal", w::type::AAAA, db)), (Set{kWebAms}));
}

TEST(DnsResolver, NearestWithoutAQuerierRegionFollowsRegionCodeOrder) {
  EXPECT_EQ(aaaa_set(ask("top2.nearest.of.web.internal", w::type::AAAA)), (Set{kWebAms, kWebFra}));
  expect_nxdomain(ask("top0.nearest.of.web.internal", w::type::AAAA));
  expect_nxdomain(ask("topx.nearest.of.web.internal", w::type::AAAA));
  expect_nodata(ask("nearest.of.web.internal", w::type::AAAA));
}

TEST(DnsResolver, VmsTxtListsIdAndRegionOfStartedMachines) {
  auto r = ask("vms.web.internal", w::type::TXT);
  EXPECT_EQ(txt_of(r), "0e286e1f5d3378 iad,1781e0ec2d9e89 ams,3d8d9ed2c0d589 fra");
}

TEST(DnsResolver, RegionsTxtListsRegionsWithStartedMachines) {
  EXPECT_EQ(txt_of(ask("regions.web.internal", w::type::TXT)), "ams,fra,iad");
  EXPECT_EQ(txt_of(ask("regions.db.internal", w::type::TXT)), "lhr");
}

// Exactly one TXT record holding one string; that string is what clients split on commas.
void expect_one_txt(const w::Message& r, const std::vector<std::string>& strings,
                    const std::string& what) {
  EXPECT_EQ(r.header.rcode, w::rcode::NOERROR) << what;
  EXPECT_TRUE(r.header.aa) << what;
  ASSERT_EQ(r.answers.size(), 1u) << what;
  EXPECT_EQ(r.answers[0].type, w::type::TXT) << what;
  EXPECT_EQ(r.answers[0].ttl, kTtl) << what;
  EXPECT_EQ(std::get<w::Txt>(r.answers[0].data), strings) << what;
  EXPECT_TRUE(r.authority.empty()) << what;
}

// Clients written for Fly read "" as "none"; an answer without a record makes them fail.
TEST(DnsResolver, EmptyListsAnswerOneEmptyTxtRecord) {
  auto snap = fixture();
  OrgZone bare;
  bare.slug = "bare";
  bare.network_id = 0x77;
  snap.by_network[bare.network_id] = bare;
  for (bool precomputed : {false, true}) {
    auto s = snap;
    if (precomputed) precompute_lists(s);
    const std::string how = precomputed ? " (precomputed)" : " (per query)";
    for (const char* name : {"_apps.internal", "_peer.internal", "_instances.internal"}) {
      expect_one_txt(ask(name, w::type::TXT, pinned("bare"), s), {""}, name + how);
      expect_one_txt(ask(name, w::type::ANY, pinned("bare"), s), {""}, name + how + " ANY");
    }
    // An app with no started machine: its lists are empty, its addresses NODATA.
    expect_one_txt(ask("regions.empty.internal", w::type::TXT, pinned(), s), {""}, "regions" + how);
    expect_one_txt(ask("vms.empty.internal", w::type::TXT, pinned(), s), {""}, "vms" + how);
    expect_nodata(ask("empty.internal", w::type::AAAA, pinned(), s));
    expect_nodata(ask("regions.empty.internal", w::type::AAAA, pinned(), s));
    // No app: no name.
    expect_nxdomain(ask("regions.nosuch.internal", w::type::TXT, pinned(), s));
    expect_nxdomain(ask("vms.nosuch.internal", w::type::TXT, pinned(), s));
  }
}

TEST(DnsResolver, ListsAreOneStringUpTo255BytesThenOneRecordOfSeveral) {
  auto snap = fixture();
  auto& acme = snap.by_network[testing::kAcme];
  acme.apps.clear();
  std::string expected;
  // 51 names of 4 characters and 50 commas: 254 bytes, then 259 with one more.
  for (int i = 0; i < 52; ++i) {
    char name[8];
    std::snprintf(name, sizeof name, "a%03d", i);
    acme.apps.push_back(AppInfo{name, {}, true});
    if (i < 51) expected += (expected.empty() ? "" : ",") + std::string(name);
  }
  auto fits = snap;
  fits.by_network[testing::kAcme].apps.pop_back();
  expect_one_txt(ask("_apps.internal", w::type::TXT, pinned(), fits), {expected}, "254 bytes");
  const std::string longer = expected + ",a051";
  expect_one_txt(ask("_apps.internal", w::type::TXT, pinned(), snap),
                 {longer.substr(0, 255), longer.substr(255)}, "259 bytes");
}

TEST(DnsResolver, AppsTxtListsTheOrgsOwnApps) {
  EXPECT_EQ(txt_of(ask("_apps.internal", w::type::TXT)), "db,empty,web");
  auto spy = from(core::peer_address(testing::kOther, testing::kGatewayHost, 0));
  EXPECT_EQ(txt_of(ask("_apps.internal", w::type::TXT, spy)), "secret");
}

TEST(DnsResolver, PeerTxtLeavesOutInteractivePeers) {
  EXPECT_EQ(txt_of(ask("_peer.internal", w::type::TXT)), "ci,laptop");
}

TEST(DnsResolver, PeerNameResolvesEvenWhenInteractive) {
  EXPECT_EQ(aaaa_set(ask("laptop._peer.internal", w::type::AAAA)),
            (Set{core::peer_address(testing::kAcme, testing::kGatewayHost, 0).str()}));
  EXPECT_EQ(aaaa_set(ask("interactive-7f3a._peer.internal", w::type::AAAA)),
            (Set{core::peer_address(testing::kAcme, testing::kGatewayHost, 1).str()}));
  expect_nxdomain(ask("spy._peer.internal", w::type::AAAA));
}

TEST(DnsResolver, InstancesTxtListsEveryStartedMachineOfTheOrg) {
  EXPECT_EQ(txt_of(ask("_instances.internal", w::type::TXT)),
            "instance=d5683d9e7b6390,app=db,ip=" + ip(testing::kLhrHost, 0) + ",region=lhr;" +
                "instance=0e286e1f5d3378,app=web,ip=" + kWebIad + ",region=iad;" +
                "instance=1781e0ec2d9e89,app=web,ip=" + kWebAms + ",region=ams;" +
                "instance=3d8d9ed2c0d589,app=web,ip=" + kWebFra + ",region=fra");
}

// The lists are made once per published snapshot; they must read exactly as the ones a lookup
// makes on the spot, empty lists ("") included.
TEST(DnsResolver, PrecomputedListsMatchTheOnesMadePerQuery) {
  auto plain = fixture();
  plain.by_network[testing::kAcme].peers.clear();  // an empty _peer list as well
  auto listed = plain;
  precompute_lists(listed);
  for (auto network : {testing::kAcme, testing::kOther}) {
    ASSERT_TRUE(listed.by_network.at(network).lists.has_value());
    for (const char* name : {"_apps", "_peer", "_instances"}) {
      auto expected = lookup_internal(plain, plain.by_network.at(network), {name}, std::nullopt);
      auto got = lookup_internal(listed, listed.by_network.at(network), {name}, std::nullopt);
      EXPECT_EQ(got.exists, expected.exists) << name;
      EXPECT_EQ(got.txt, expected.txt) << name;
    }
  }
  EXPECT_EQ(listed.by_network.at(testing::kAcme).lists->peers, std::optional<std::string>(""));
  EXPECT_NE(listed.by_network.at(testing::kAcme).lists->instances->find("instance=1781e0ec2d9e89,app=web"),
            std::string::npos);
}

TEST(DnsResolver, FlycastNameIsTheAppsFlycastAddress) {
  EXPECT_EQ(aaaa_set(ask("web.flycast", w::type::AAAA)),
            (Set{core::flycast_address(testing::kAcme, 0).str()}));
  EXPECT_EQ(aaaa_set(ask("exposed.flycast", w::type::AAAA)),
            (Set{core::flycast_address(testing::kAcme, 1).str()}));
  expect_nxdomain(ask("db.flycast", w::type::AAAA));
  expect_nxdomain(ask("exposed.internal", w::type::AAAA));  // another org's app
}

TEST(DnsResolver, AnotherOrgsNamesDoNotExist) {
  expect_nxdomain(ask("secret.internal", w::type::AAAA));
  expect_nxdomain(ask("aaaaaaaaaaaaaa.vm.secret.internal", w::type::AAAA));
  auto spy = from(core::peer_address(testing::kOther, testing::kGatewayHost, 0));
  expect_nxdomain(ask("web.internal", w::type::AAAA, spy));
  EXPECT_EQ(aaaa_set(ask("secret.internal", w::type::AAAA, spy)).size(), 1u);
}

TEST(DnsResolver, RefusesSourcesOfNoOrg) {
  auto stranger = from(*core::Ipv6::parse("fdaa:0:99::2"));
  EXPECT_EQ(ask("web.internal", w::type::AAAA, stranger).header.rcode, w::rcode::REFUSED);
  EXPECT_EQ(ask("web.internal", w::type::AAAA, from(*core::Ipv6::parse("::1"))).header.rcode,
            w::rcode::REFUSED);
  // A pinned listener still refuses a 6PN address of another org.
  auto spy_on_acme = pinned();
  spy_on_acme.source = core::peer_address(testing::kOther, testing::kGatewayHost, 0);
  EXPECT_EQ(ask("web.internal", w::type::AAAA, spy_on_acme).header.rcode, w::rcode::REFUSED);
  EXPECT_EQ(ask("web.internal", w::type::AAAA, pinned("nosuch")).header.rcode, w::rcode::REFUSED);
}

TEST(DnsResolver, OtherTypeOnAnExistingNameIsNodataWithSoa) {
  expect_nodata(ask("web.internal", w::type::TXT));
  expect_nodata(ask("web.internal", w::type::A));
  expect_nodata(ask("_apps.internal", w::type::AAAA));
  expect_nodata(ask("vm.web.internal", w::type::AAAA));  // empty non-terminal, not NXDOMAIN
  auto r = ask("web.internal", w::type::TXT);
  const auto& soa = std::get<w::Soa>(r.authority[0].data);
  EXPECT_EQ(soa.minimum, 5u);
  EXPECT_EQ(soa.serial, 42u);
}

TEST(DnsResolver, ApexAnswersSoa) {
  auto r = ask("internal", w::type::SOA);
  ASSERT_EQ(r.answers.size(), 1u);
  EXPECT_EQ(r.answers[0].type, w::type::SOA);
  expect_nodata(ask("internal", w::type::AAAA));
}

TEST(DnsResolver, AnyReturnsEveryTypeAtTheName) {
  EXPECT_EQ(aaaa_set(ask("web.internal", w::type::ANY)).size(), 3u);
  EXPECT_EQ(txt_of(ask("_peer.internal", w::type::ANY)), "ci,laptop");
}

TEST(DnsResolver, EchoesTheQuestionsCaseExactly) {
  auto r = ask("wEb.InTeRnAl", w::type::AAAA);
  ASSERT_EQ(r.questions.size(), 1u);
  EXPECT_EQ(r.questions[0].name.labels, (std::vector<std::string>{"wEb", "InTeRnAl"}));
  ASSERT_EQ(r.answers.size(), 3u);
  EXPECT_EQ(r.answers[0].name.labels, (std::vector<std::string>{"wEb", "InTeRnAl"}));
}

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
}  // namespace sixpn::server::dns
