#include "tests/unit/dns/resolver_fixture.hpp"

namespace sixpn::dns {
namespace {

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

TEST(DnsResolver, NearestFromAnUnknownQuerierIsMeasuredFromTheOriginRegion) {
  Snapshot host = kSnap;  // as a host's DNS in iad has it
  host.origin_region = "iad";
  EXPECT_EQ(aaaa_set(ask("top1.nearest.of.web.internal", w::type::AAAA, pinned(), host)),
            (Set{kWebIad}));
  // A querier of known region still ranks from its own.
  auto db = from(testing::machine_ip(testing::kAcme, testing::kLhrHost, 0));  // lhr
  EXPECT_EQ(aaaa_set(ask("top1.nearest.of.web.internal", w::type::AAAA, db, host)), (Set{kWebAms}));
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
  EXPECT_NE(listed.by_network.at(testing::kAcme)
                .lists->instances->find("instance=1781e0ec2d9e89,app=web"),
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

}  // namespace
}  // namespace sixpn::dns
