#include "dns/server.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <set>
#include <thread>

#include "core/dns/text.hpp"
#include "dns/feed.hpp"
#include "dns/socket.hpp"
#include "tests/unit/dns/fixture.hpp"

namespace sixpn::dns {
namespace {

namespace w = core::dns;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;

Bytes query(const std::string& name, std::uint16_t qtype, std::uint16_t id = 7) {
  w::Message q;
  q.header.id = id;
  q.header.rd = true;
  q.questions.push_back({*w::Name::parse(name), qtype, w::klass::IN});
  return w::encode(q);
}

// Waits up to `ms` for `fd` to be readable.
bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

std::optional<w::Message> udp_ask(const w::Endpoint& to, const Bytes& wire, int ms = 2000) {
  Fd fd = connect_udp(to);
  if (::send(fd.get(), wire.data(), wire.size(), 0) < 0) return std::nullopt;
  if (!readable(fd.get(), ms)) return std::nullopt;
  Bytes buf(65535);
  auto n = ::recv(fd.get(), buf.data(), buf.size(), 0);
  if (n <= 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return w::decode(buf).message;
}

Fd tcp_connect(const w::Endpoint& to) {
  Fd fd(::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_EQ(::connect(fd.get(), to.addr(), to.length), 0);
  return fd;
}

Bytes framed(const Bytes& wire) {
  Bytes out(2 + wire.size());  // not insert(): GCC 12 warns falsely on it here
  out[0] = static_cast<std::uint8_t>(wire.size() >> 8);
  out[1] = static_cast<std::uint8_t>(wire.size());
  std::copy(wire.begin(), wire.end(), out.begin() + 2);
  return out;
}

bool read_exact(int fd, std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    if (!readable(fd, 2000)) return false;
    auto got = ::recv(fd, out, n, 0);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

std::optional<w::Message> tcp_read(int fd) {
  std::uint8_t len[2];
  if (!read_exact(fd, len, 2)) return std::nullopt;
  Bytes body(std::size_t{len[0]} << 8 | len[1]);
  if (!read_exact(fd, body.data(), body.size())) return std::nullopt;
  return w::decode(body).message;
}

// True when the server closed the connection (EOF within the wait).
bool closed_by_server(int fd, int ms) {
  if (!readable(fd, ms)) return false;
  std::uint8_t b;
  return ::recv(fd, &b, 1, 0) == 0;
}

struct Running {
  SnapshotFeed feed;
  std::unique_ptr<DnsServer> server;
  w::Endpoint at;

  explicit Running(const std::string& spec = "127.0.0.1:0=acme", ServerOptions options = {},
                   Snapshot snap = testing::fixture()) {
    feed.publish(std::make_shared<const Snapshot>(std::move(snap)));
    std::string problem;
    auto parsed = parse_listen_spec(spec, problem);
    EXPECT_TRUE(parsed) << problem;
    options.listen = {*parsed};
    server = std::make_unique<DnsServer>(std::move(options), [this] { return feed.current(); });
    server->start();
    at = server->bound().at(0);
  }
};

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

// A fake upstream on loopback: answers every query with one A record, or stays silent.
struct FakeUpstream {
  Fd fd = bind_udp(*w::parse_endpoint("127.0.0.1:0"));
  std::atomic<bool> silent{false}, stop{false};
  std::atomic<int> seen{0};
  std::thread thread{[this] {
    Bytes buf(65535);
    while (!stop) {
      if (!readable(fd.get(), 50)) continue;
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      auto n =
          ::recvfrom(fd.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss), &len);
      if (n <= 0) continue;
      seen++;
      auto q = w::decode(std::span(buf.data(), static_cast<std::size_t>(n))).message;
      if (silent || !q) continue;
      w::Message a = *q;
      a.header.qr = a.header.ra = true;
      a.answers.push_back(
          {q->questions[0].name, w::type::A, w::klass::IN, 300, w::A{192, 0, 2, 1}});
      auto out = w::encode(a);
      (void)::sendto(fd.get(), out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&ss), len);
    }
  }};
  ~FakeUpstream() {
    stop = true;
    thread.join();
  }
};

TEST(DnsServer, ForwardsOtherNamesToTheUpstreamAndRestoresTheId) {
  FakeUpstream up;
  ServerOptions options;
  options.upstreams = {local_endpoint(up.fd.get())};
  Running r("127.0.0.1:0=acme", options);
  auto reply = udp_ask(r.at, query("www.example.test", w::type::A, 0x4242));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.id, 0x4242);
  ASSERT_EQ(reply->answers.size(), 1u);
  EXPECT_EQ(w::rdata_str(reply->answers[0]), "192.0.2.1");
  EXPECT_EQ(up.seen, 1);
  // .internal is never forwarded.
  ASSERT_TRUE(udp_ask(r.at, query("web.internal", w::type::AAAA)));
  EXPECT_EQ(up.seen, 1);
  // Over TCP too.
  Fd fd = tcp_connect(r.at);
  Bytes q = framed(query("www.example.test", w::type::A, 9));
  ASSERT_GT(::send(fd.get(), q.data(), q.size(), 0), 0);
  auto tcp = tcp_read(fd.get());
  ASSERT_TRUE(tcp);
  EXPECT_EQ(tcp->header.id, 9);
  EXPECT_EQ(tcp->answers.size(), 1u);
}

TEST(DnsServer, SilentUpstreamGivesServfailAfterTheTimeout) {
  FakeUpstream up;
  up.silent = true;
  ServerOptions options;
  options.upstreams = {local_endpoint(up.fd.get())};
  options.upstream_timeout = 300ms;
  Running r("127.0.0.1:0=acme", options);
  auto started = std::chrono::steady_clock::now();
  auto reply = udp_ask(r.at, query("www.example.test", w::type::A), 3000);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.rcode, w::rcode::SERVFAIL);
  EXPECT_GE(std::chrono::steady_clock::now() - started, 250ms);
}

TEST(DnsRefresher, PublishesARebuildAfterNotify) {
  SnapshotFeed feed;
  std::atomic<int> builds{0};
  SnapshotRefresher refresher(
      [&] {
        Snapshot s;
        s.version = static_cast<std::uint64_t>(++builds);
        return s;
      },
      feed, std::chrono::hours(1));
  EXPECT_EQ(feed.current()->version, 1u);
  refresher.notify();
  for (int i = 0; i < 200 && feed.current()->version < 2; ++i) std::this_thread::sleep_for(5ms);
  EXPECT_EQ(feed.current()->version, 2u);
}

TEST(DnsRefresher, KeepsTheLastGoodSnapshotWhenABuildFails) {
  SnapshotFeed feed;
  std::atomic<bool> broken{false};
  std::string logged;
  SnapshotRefresher refresher(
      [&] {
        if (broken) throw std::runtime_error("database is locked");
        Snapshot s;
        s.version = 9;
        return s;
      },
      feed, std::chrono::hours(1), [&](const std::string& line) { logged = line; });
  broken = true;
  refresher.refresh_now();
  EXPECT_EQ(feed.current()->version, 9u);
  EXPECT_NE(logged.find("database is locked"), std::string::npos);
}

}  // namespace
}  // namespace sixpn::dns
