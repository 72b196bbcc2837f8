#include "dns/answer_cache.hpp"

#include <gtest/gtest.h>

#include <random>

#include "dns/zone.hpp"
#include "tests/unit/dns/fixture.hpp"

namespace sixpn::dns {
namespace {

namespace w = core::dns;
using Bytes = std::vector<std::uint8_t>;

SnapshotPtr share(Snapshot s) {
  precompute_lists(s);
  return std::make_shared<const Snapshot>(std::move(s));
}

Snapshot with_many_machines(int n) {
  Snapshot s = testing::fixture();
  auto& acme = s.by_network[testing::kAcme];
  for (int i = 0; i < n; ++i) {
    char id[15];
    std::snprintf(id, sizeof id, "%014x", 0x200000 + i);
    acme.machines.push_back(
        testing::machine(id, "web", "fra", testing::machine_ip(testing::kAcme, 0x66, i), true));
  }
  return s;
}

// The name with each letter's case flipped at random, as a 0x20-randomising resolver sends it.
std::string mixed_case(std::string name, std::mt19937& rng) {
  for (char& c : name) {
    if (std::isalpha(static_cast<unsigned char>(c)) && rng() % 2) {
      c = static_cast<char>(std::isupper(static_cast<unsigned char>(c)) ? std::tolower(c)
                                                                        : std::toupper(c));
    }
  }
  return name;
}

const std::vector<std::string> kNames = {"web.internal",
                                         "_instances.internal",
                                         "_apps.internal",
                                         "_peer.internal",
                                         "laptop._peer.internal",
                                         "interactive-7f3a._peer.internal",
                                         "internal",
                                         "nope.internal",
                                         "ams.web.internal",
                                         "syd.web.internal",
                                         "global.web.internal",
                                         "vms.web.internal",
                                         "regions.web.internal",
                                         "top2.nearest.of.web.internal",
                                         "top1.nearest.of.web.internal",
                                         "1781e0ec2d9e89.vm.web.internal",
                                         "worker.process.web.internal",
                                         "primary.role.kv._metadata.web.internal",
                                         "secret.internal",
                                         "empty.internal",
                                         "web.flycast",
                                         "exposed.flycast",
                                         "flycast",
                                         "example.com",
                                         "."};
const std::vector<std::uint16_t> kTypes = {w::type::AAAA, w::type::TXT, w::type::SOA,
                                           w::type::ANY,  w::type::A,   w::type::MX,
                                           w::type::OPT,  w::type::AXFR};
// nullopt: no EDNS.
const std::vector<std::optional<std::uint16_t>> kEdnsSizes = {std::nullopt, 0,    512,  800,
                                                              1232,         4096, 65535};

std::vector<QueryContext> contexts() {
  auto ctx = [](std::optional<core::Ipv6> source, std::optional<std::string> org, bool fwd) {
    return QueryContext{source, std::move(org), Transport::udp, fwd};
  };
  const auto acme_web = testing::machine_ip(testing::kAcme, testing::kSydHost, 7);
  const auto acme_peer = core::peer_address(testing::kAcme, testing::kGatewayHost, 0);
  const auto other = testing::machine_ip(testing::kOther, testing::kAmsHost, 0);
  const auto nowhere = testing::machine_ip(0x99, testing::kAmsHost, 0);  // a network of no org
  const auto loopback = *core::Ipv6::parse("::1");
  return {ctx(std::nullopt, "acme", false),       ctx(loopback, "acme", true),
          ctx(std::nullopt, "other", false),      ctx(std::nullopt, "gone", false),
          ctx(std::nullopt, std::nullopt, false), ctx(loopback, std::nullopt, true),
          ctx(acme_web, std::nullopt, false),     ctx(acme_peer, std::nullopt, true),
          ctx(other, std::nullopt, false),        ctx(other, "acme", false),
          ctx(nowhere, std::nullopt, true),       ctx(acme_web, "acme", false)};
}

Bytes make_query(const std::string& name, std::uint16_t qtype, std::uint16_t qclass,
                 std::optional<std::uint16_t> edns, std::mt19937& rng) {
  w::Message q;
  q.header.id = static_cast<std::uint16_t>(rng());
  q.header.rd = rng() % 2;
  q.header.cd = rng() % 2;
  q.header.ad = rng() % 2;
  q.questions.push_back({*w::Name::parse(mixed_case(name, rng)), qtype, qclass});
  if (edns) {
    w::Raw options;
    if (rng() % 3 == 0) options = {0, 10, 0, 8, 1, 2, 3, 4, 5, 6, 7, 8};  // a client cookie
    q.edns = w::Edns{*edns, 0, rng() % 2 == 1, options};
  }
  return w::encode(q);
}

struct Compared {
  int asked = 0, answered = 0;
};

// Asks `cache` and resolve() the same query; every reply the cache gives must be resolve()'s,
// byte for byte.
void compare(AnswerCache& cache, const Bytes& wire, const SnapshotPtr& snap,
             const QueryContext& ctx, Compared& n) {
  Bytes fast;
  ++n.asked;
  const bool answered = cache.answer(wire, snap, ctx, fast);
  const Outcome slow = resolve(wire, *snap, ctx);
  if (!answered) {
    // Only what resolve() does not answer with a reply may be left to it... or the odd shapes.
    return;
  }
  ++n.answered;
  ASSERT_EQ(slow.action, Outcome::Action::reply);
  ASSERT_EQ(fast, slow.reply) << w::decode(wire).message->questions[0].name.str() << " type "
                              << w::decode(wire).message->questions[0].qtype;
}

void compare_everything(AnswerCache& cache, const SnapshotPtr& snap, std::mt19937& rng,
                        Compared& n) {
  for (const auto& base : contexts()) {
    for (auto transport : {Transport::udp, Transport::tcp}) {
      QueryContext ctx = base;
      ctx.transport = transport;
      for (const auto& name : kNames) {
        for (auto qtype : kTypes) {
          for (const auto& edns : kEdnsSizes) {
            // Twice: the first fills the cache, the second (other id, case, bits) hits it.
            for (int i = 0; i < 2; ++i) {
              compare(cache, make_query(name, qtype, w::klass::IN, edns, rng), snap, ctx, n);
            }
          }
        }
        for (auto qclass : {w::klass::CH, w::klass::ANY}) {
          compare(cache, make_query(name, w::type::AAAA, qclass, std::nullopt, rng), snap, ctx, n);
        }
      }
    }
  }
}

TEST(DnsAnswerCache, RepliesAreResolversByteForByteAcrossNamesCasesTypesEdnsAndOrgs) {
  auto snap = share(testing::fixture());
  AnswerCache cache;
  std::mt19937 rng(20261201);
  Compared n;
  compare_everything(cache, snap, rng, n);
  // Everything but the forwarded names is answered from the cache.
  EXPECT_GT(n.answered, n.asked * 9 / 10) << n.answered << " of " << n.asked;
}

TEST(DnsAnswerCache, LongAnswersAreTruncatedExactlyWhereResolveTruncatesThem) {
  auto snap = share(with_many_machines(60));  // web AAAA: 63 × 28 bytes; _instances: > 4 KiB
  AnswerCache cache;
  std::mt19937 rng(7);
  Compared n;
  compare_everything(cache, snap, rng, n);
  EXPECT_GT(n.answered, n.asked * 9 / 10);
  // And the two forms really occur: over UDP without EDNS, TC; over TCP, everything.
  Bytes udp, tcp;
  QueryContext ctx{std::nullopt, "acme", Transport::udp, false};
  ASSERT_TRUE(cache.answer(
      make_query("web.internal", w::type::AAAA, w::klass::IN, std::nullopt, rng), snap, ctx, udp));
  EXPECT_TRUE(w::decode(udp).message->header.tc);
  ctx.transport = Transport::tcp;
  ASSERT_TRUE(cache.answer(
      make_query("web.internal", w::type::AAAA, w::klass::IN, std::nullopt, rng), snap, ctx, tcp));
  EXPECT_EQ(w::decode(tcp).message->answers.size(), 63u);
}

TEST(DnsAnswerCache, ANewSnapshotIsAnsweredFromAtOnceNeverFromTheOldOnesReplies) {
  AnswerCache cache;
  std::mt19937 rng(3);
  QueryContext ctx{std::nullopt, "acme", Transport::udp, false};
  auto before = share(testing::fixture());
  Bytes reply;
  ASSERT_TRUE(cache.answer(make_query("web.internal", w::type::AAAA, w::klass::IN, {}, rng), before,
                           ctx, reply));
  EXPECT_EQ(testing::aaaa_set(*w::decode(reply).message).size(), 3u);

  Snapshot changed = testing::fixture();
  changed.version = 43;
  for (auto& m : changed.by_network[testing::kAcme].machines) {
    if (m.id == "3d8d9ed2c0d589") m.started = false;
  }
  changed.by_network[testing::kAcme].apps.push_back(AppInfo{"api", {}, true});
  auto after = share(changed);
  before.reset();  // its address may now be reused: the cache must still tell them apart
  ASSERT_TRUE(cache.answer(make_query("web.internal", w::type::AAAA, w::klass::IN, {}, rng), after,
                           ctx, reply));
  EXPECT_EQ(testing::aaaa_set(*w::decode(reply).message).size(), 2u);
  ASSERT_TRUE(cache.answer(make_query("_apps.internal", w::type::TXT, w::klass::IN, {}, rng), after,
                           ctx, reply));
  EXPECT_EQ(testing::txt_of(*w::decode(reply).message), "api,db,empty,web");
  // Everything else as well, over several snapshots one after another.
  Compared n;
  compare_everything(cache, after, rng, n);
  auto third = share(with_many_machines(5));
  compare_everything(cache, third, rng, n);
  compare_everything(cache, after, rng, n);
  EXPECT_GT(n.answered, n.asked * 9 / 10);
}

TEST(DnsAnswerCache, OneOrgsAnswerIsNeverGivenToAnother) {
  AnswerCache cache;
  std::mt19937 rng(5);
  auto snap = share(testing::fixture());
  const auto secret = make_query("secret.internal", w::type::AAAA, w::klass::IN, {}, rng);
  Bytes reply;
  QueryContext other{testing::machine_ip(testing::kOther, testing::kAmsHost, 3), std::nullopt,
                     Transport::udp, false};
  ASSERT_TRUE(cache.answer(secret, snap, other, reply));
  EXPECT_EQ(testing::aaaa_set(*w::decode(reply).message).size(), 1u);
  QueryContext acme{testing::machine_ip(testing::kAcme, testing::kAmsHost, 3), std::nullopt,
                    Transport::udp, false};
  ASSERT_TRUE(cache.answer(secret, snap, acme, reply));
  EXPECT_EQ(w::decode(reply).message->header.rcode, w::rcode::NXDOMAIN);
  QueryContext pinned_other{std::nullopt, "other", Transport::udp, false};
  ASSERT_TRUE(cache.answer(secret, snap, pinned_other, reply));
  EXPECT_EQ(testing::aaaa_set(*w::decode(reply).message).size(), 1u);
  QueryContext pinned_acme{std::nullopt, "acme", Transport::udp, false};
  ASSERT_TRUE(cache.answer(secret, snap, pinned_acme, reply));
  EXPECT_EQ(w::decode(reply).message->header.rcode, w::rcode::NXDOMAIN);
  QueryContext unpinned{std::nullopt, std::nullopt, Transport::udp, false};
  ASSERT_TRUE(cache.answer(secret, snap, unpinned, reply));
  EXPECT_EQ(w::decode(reply).message->header.rcode, w::rcode::REFUSED);
}

TEST(DnsAnswerCache, LeavesQueriesOfOtherShapesAndForwardedNamesToTheResolver) {
  AnswerCache cache;
  std::mt19937 rng(9);
  auto snap = share(testing::fixture());
  QueryContext ctx{std::nullopt, "acme", Transport::udp, true};
  Bytes reply;
  auto q = [&] {
    w::Message m;
    m.header.id = 1;
    m.questions.push_back({*w::Name::parse("web.internal"), w::type::AAAA, w::klass::IN});
    return m;
  };
  auto two = q();
  two.questions.push_back(two.questions[0]);
  auto version1 = q();
  version1.edns = w::Edns{1232, 1, false, {}};
  auto response = q();
  response.header.qr = true;
  auto notify = q();
  notify.header.opcode = 4;
  auto with_answer = q();
  with_answer.answers.push_back(
      {*w::Name::parse("web.internal"), w::type::A, w::klass::IN, 5, w::A{1, 2, 3, 4}});
  for (const auto& m : {two, version1, response, notify, with_answer}) {
    EXPECT_FALSE(cache.answer(w::encode(m), snap, ctx, reply));
  }
  auto plain = w::encode(q());
  Bytes trailing = plain;
  trailing.push_back(0);
  EXPECT_FALSE(cache.answer(trailing, snap, ctx, reply));
  Bytes cut(plain.begin(), plain.end() - 1);
  EXPECT_FALSE(cache.answer(cut, snap, ctx, reply));
  // A name outside our zones goes upstream, every time.
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(cache.answer(make_query("example.com", w::type::A, w::klass::IN, {}, rng), snap,
                              ctx, reply));
  }
  EXPECT_TRUE(cache.answer(plain, snap, ctx, reply));
}

TEST(DnsAnswerCache, StaysWithinItsBudgetWhateverNamesAreAsked) {
  AnswerCache cache(64 * 1024);
  std::mt19937 rng(11);
  auto snap = share(testing::fixture());
  QueryContext ctx{std::nullopt, "acme", Transport::udp, false};
  Bytes reply;
  std::size_t most = 0;
  for (int i = 0; i < 5000; ++i) {
    auto wire =
        make_query("n" + std::to_string(i) + ".internal", w::type::AAAA, w::klass::IN, {}, rng);
    ASSERT_TRUE(cache.answer(wire, snap, ctx, reply));
    EXPECT_EQ(reply, resolve(wire, *snap, ctx).reply);
    most = std::max(most, cache.size());
  }
  EXPECT_LT(most, 1000u);
  EXPECT_GT(most, 100u);
}

}  // namespace
}  // namespace sixpn::dns
