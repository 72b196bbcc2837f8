// The DNS server on real loopback sockets: listeners, UDP and TCP framing, limits, bad input,
// and a new snapshot taking over.
#include "dns/server.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>
#include <thread>

#include "tests/unit/dns/server_fixture.hpp"

namespace sixpn::dns {
namespace {

using namespace testing;
using namespace std::chrono_literals;

TEST(DnsListenSpec, AcceptsIpv4AndBracketedIpv6WithOptionalOrg) {
  std::string problem;
  auto a = parse_listen_spec("127.0.0.1:5353", problem);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->endpoint.str(), "127.0.0.1:5353");
  EXPECT_FALSE(a->org);
  auto b = parse_listen_spec("[::1]:53=my-org", problem);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->endpoint.str(), "[::1]:53");
  EXPECT_EQ(b->org, "my-org");
  for (const char* bad : {"127.0.0.1", "::1:53", "[::1]", "localhost:53", "1.2.3.4:99999",
                          "127.0.0.1:53=", "[127.0.0.1]:53"}) {
    EXPECT_FALSE(parse_listen_spec(bad, problem)) << bad;
    EXPECT_FALSE(problem.empty());
  }
}

TEST(DnsServer, AnswersOverUdp) {
  Running r;
  auto reply = udp_ask(r.at, query("web.internal", w::type::AAAA));
  ASSERT_TRUE(reply);
  EXPECT_EQ(testing::aaaa_set(*reply).size(), 3u);
  EXPECT_EQ(reply->header.id, 7);
}

TEST(DnsServer, AnswersOverIpv6Loopback) {
  Running r("[::1]:0=acme");
  auto reply = udp_ask(r.at, query("_apps.internal", w::type::TXT));
  ASSERT_TRUE(reply);
  EXPECT_EQ(testing::txt_of(*reply), "db,empty,web");
}

TEST(DnsServer, UnpinnedListenerRefusesLoopback) {
  Running r("127.0.0.1:0");
  auto reply = udp_ask(r.at, query("web.internal", w::type::AAAA));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.rcode, w::rcode::REFUSED);
}

TEST(DnsServer, AnswersSeveralPipelinedQueriesOnOneTcpConnectionInOrder) {
  Running r;
  Fd fd = tcp_connect(r.at);
  Bytes both = framed(query("web.internal", w::type::AAAA, 1));
  Bytes second = framed(query("_peer.internal", w::type::TXT, 2));
  both.insert(both.end(), second.begin(), second.end());
  ASSERT_EQ(::send(fd.get(), both.data(), both.size(), 0), static_cast<ssize_t>(both.size()));
  auto one = tcp_read(fd.get());
  auto two = tcp_read(fd.get());
  ASSERT_TRUE(one && two);
  EXPECT_EQ(one->header.id, 1);
  EXPECT_EQ(testing::aaaa_set(*one).size(), 3u);
  EXPECT_EQ(two->header.id, 2);
  EXPECT_EQ(testing::txt_of(*two), "ci,laptop");
  // A third query later on the same connection, sent one byte at a time.
  Bytes third = framed(query("db.internal", w::type::AAAA, 3));
  for (auto b : third) ASSERT_EQ(::send(fd.get(), &b, 1, 0), 1);
  auto three = tcp_read(fd.get());
  ASSERT_TRUE(three);
  EXPECT_EQ(three->header.id, 3);
}

TEST(DnsServer, LongAnswerIsTruncatedOverUdpAndCompleteOverTcp) {
  Snapshot snap = testing::fixture();
  auto& acme = snap.by_network[testing::kAcme];
  for (int i = 0; i < 40; ++i) {
    acme.machines.push_back(
        testing::machine("1000000000000" + std::to_string(i % 10) + std::to_string(i), "web", "ams",
                         testing::machine_ip(testing::kAcme, 0x99, i), true));
  }
  Running r("127.0.0.1:0=acme", {}, snap);
  auto udp = udp_ask(r.at, query("_instances.internal", w::type::TXT));
  ASSERT_TRUE(udp);
  EXPECT_TRUE(udp->header.tc);
  Fd fd = tcp_connect(r.at);
  Bytes q = framed(query("_instances.internal", w::type::TXT));
  ASSERT_GT(::send(fd.get(), q.data(), q.size(), 0), 0);
  auto tcp = tcp_read(fd.get());
  ASSERT_TRUE(tcp);
  EXPECT_FALSE(tcp->header.tc);
  auto text = testing::txt_of(*tcp);
  EXPECT_EQ(std::count(text.begin(), text.end(), ';'), 40 + 4 - 1);
}

TEST(DnsServer, SurvivesGarbageAndKeepsAnswering) {
  Running r;
  Fd fd = connect_udp(r.at);
  std::mt19937 rng(1);
  for (int i = 0; i < 500; ++i) {
    Bytes junk(rng() % 600);
    for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
    (void)::send(fd.get(), junk.data(), junk.size(), 0);
  }
  // A TCP client that sends half a message and a frame of length 0.
  Fd half = tcp_connect(r.at);
  Bytes partial = {0x00, 0x40, 1, 2, 3};
  (void)::send(half.get(), partial.data(), partial.size(), 0);
  Fd zero = tcp_connect(r.at);
  Bytes nothing = {0, 0};
  (void)::send(zero.get(), nothing.data(), nothing.size(), 0);
  EXPECT_TRUE(closed_by_server(zero.get(), 2000));
  auto reply = udp_ask(r.at, query("web.internal", w::type::AAAA));
  ASSERT_TRUE(reply);
  EXPECT_EQ(testing::aaaa_set(*reply).size(), 3u);
}

TEST(DnsServer, ClosesIdleTcpConnections) {
  ServerOptions options;
  options.tcp_idle_timeout = 200ms;
  Running r("127.0.0.1:0=acme", options);
  Fd fd = tcp_connect(r.at);
  EXPECT_TRUE(closed_by_server(fd.get(), 3000));
}

TEST(DnsServer, BoundsTheNumberOfTcpConnections) {
  ServerOptions options;
  options.max_tcp_connections = 2;
  Running r("127.0.0.1:0=acme", options);
  Fd a = tcp_connect(r.at), b = tcp_connect(r.at);
  std::this_thread::sleep_for(100ms);  // let the server take both
  Fd c = tcp_connect(r.at);
  EXPECT_TRUE(closed_by_server(c.get(), 2000));
  Bytes q = framed(query("web.internal", w::type::AAAA));
  ASSERT_GT(::send(a.get(), q.data(), q.size(), 0), 0);
  EXPECT_TRUE(tcp_read(a.get()));
}

TEST(DnsServer, AnswersFromTheNewSnapshotOnceItIsPublished) {
  Running r;
  auto before = udp_ask(r.at, query("web.internal", w::type::AAAA));  // now cached
  ASSERT_TRUE(before);
  EXPECT_EQ(before->answers.size(), 3u);
  Snapshot changed = testing::fixture();
  for (auto& m : changed.by_network[testing::kAcme].machines) m.started = false;
  r.feed.publish(std::make_shared<const Snapshot>(std::move(changed)));
  auto reply = udp_ask(r.at, query("web.internal", w::type::AAAA));
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->answers.empty());
}

TEST(DnsServer, AnswersABurstFromSeveralClientsEachWithItsOwnReplies) {
  Running r;
  // Sent all at once so that the server takes them in batches; each client then finds exactly
  // its own ids, each with the answer to its own question.
  std::vector<Fd> clients;
  for (int c = 0; c < 4; ++c) clients.push_back(connect_udp(r.at));
  constexpr int kEach = 40;
  for (int i = 0; i < kEach; ++i) {
    for (int c = 0; c < 4; ++c) {
      const bool txt = (i + c) % 2 == 1;
      Bytes q = query(txt ? "_apps.internal" : "web.internal", txt ? w::type::TXT : w::type::AAAA,
                      static_cast<std::uint16_t>(c * 1000 + i));
      ASSERT_EQ(::send(clients[c].get(), q.data(), q.size(), 0), static_cast<ssize_t>(q.size()));
    }
  }
  for (int c = 0; c < 4; ++c) {
    std::set<int> ids;
    Bytes buf(65535);
    while (ids.size() < kEach && readable(clients[c].get(), 2000)) {
      auto n = ::recv(clients[c].get(), buf.data(), buf.size(), 0);
      ASSERT_GT(n, 0);
      auto m = w::decode(std::span(buf.data(), static_cast<std::size_t>(n))).message;
      ASSERT_TRUE(m);
      const int i = m->header.id - c * 1000;
      ASSERT_TRUE(i >= 0 && i < kEach) << "client " << c << " got id " << m->header.id;
      if ((i + c) % 2 == 1) {
        EXPECT_EQ(testing::txt_of(*m), "db,empty,web");
      } else {
        EXPECT_EQ(testing::aaaa_set(*m).size(), 3u);
      }
      ids.insert(i);
    }
    EXPECT_EQ(ids.size(), static_cast<std::size_t>(kEach)) << "client " << c;
  }
}

TEST(DnsServer, StopReleasesThePorts) {
  auto r = std::make_unique<Running>();
  auto at = r->at;
  r->server->stop();
  EXPECT_NO_THROW(bind_udp(at));
  EXPECT_NO_THROW(listen_tcp(at));
}

TEST(DnsServer, RefusesToStartOnAPortInUse) {
  Running r;
  ServerOptions options;
  options.listen = {ListenSpec{r.at, std::string("acme"), {}}};
  DnsServer second(options, [&] { return r.feed.current(); });
  EXPECT_THROW(second.start(), std::system_error);
}

}  // namespace
}  // namespace sixpn::dns
