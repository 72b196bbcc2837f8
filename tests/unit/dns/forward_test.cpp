// Forwarding through a real DnsServer to fake upstreams on loopback that answer over UDP and
// TCP, truncate, fail or stay silent, so every turn of the forwarder is taken on real sockets.
#include "dns/forward.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <atomic>
#include <system_error>
#include <thread>

#include "core/dns/text.hpp"
#include "dns/feed.hpp"
#include "dns/server.hpp"
#include "tests/unit/dns/fixture.hpp"

namespace sixpn::dns {
namespace {

namespace w = core::dns;
using Bytes = std::vector<std::uint8_t>;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

Bytes query(const std::string& name, std::uint16_t id) {
  w::Message q;
  q.header.id = id;
  q.header.rd = true;
  q.questions.push_back({*w::Name::parse(name), w::type::A, w::klass::IN});
  return w::encode(q);
}

// What a fake upstream does with a query.
enum class Mode { answer, truncate_udp, servfail, silent };

// UDP and TCP on one free loopback port; the TCP port may be another program's already, so a
// few ports are tried, as the server itself does.
std::pair<Fd, Fd> bind_pair() {
  for (int attempt = 0;; ++attempt) {
    Fd udp = bind_udp(*w::parse_endpoint("127.0.0.1:0"));
    try {
      Fd tcp = listen_tcp(local_endpoint(udp.get()));
      return {std::move(udp), std::move(tcp)};
    } catch (const std::system_error&) {
      if (attempt == 20) throw;
    }
  }
}

// A fake upstream on one loopback port, UDP and TCP: answers with `records` A records.
struct Upstream {
  std::pair<Fd, Fd> sockets = bind_pair();
  Fd& udp = sockets.first;
  Fd& tcp = sockets.second;
  w::Endpoint at = local_endpoint(udp.get());
  std::atomic<Mode> mode;
  int records;
  std::atomic<int> udp_seen{0}, tcp_seen{0};
  std::atomic<bool> stop{false};
  std::thread thread;

  explicit Upstream(Mode m, int n = 1) : mode(m), records(n) {
    thread = std::thread([this] { serve(); });
  }
  ~Upstream() {
    stop = true;
    thread.join();
  }

  Bytes answer(const Bytes& wire, bool over_udp) {
    auto q = w::decode(wire).message;
    if (!q) return {};
    w::Message a = *q;
    a.header.qr = a.header.ra = true;
    if (mode == Mode::servfail) {
      a.header.rcode = w::rcode::SERVFAIL;
    } else if (mode == Mode::truncate_udp && over_udp) {
      a.header.tc = true;  // as a server does with an answer that does not fit: no records
    } else {
      for (int i = 0; i < records; ++i) {
        a.answers.push_back({q->questions[0].name, w::type::A, w::klass::IN, 300,
                             w::A{192, 0, 2, static_cast<std::uint8_t>(i + 1)}});
      }
    }
    return w::encode(a);
  }

  void serve() {
    Bytes buf(65535);
    while (!stop) {
      pollfd fds[2] = {{udp.get(), POLLIN, 0}, {tcp.get(), POLLIN, 0}};
      if (::poll(fds, 2, 50) <= 0) continue;
      if (fds[0].revents) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        auto n = ::recvfrom(udp.get(), buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&ss),
                            &len);
        if (n > 0) {
          udp_seen++;
          if (mode != Mode::silent) {
            auto out = answer(Bytes(buf.begin(), buf.begin() + n), true);
            (void)::sendto(udp.get(), out.data(), out.size(), 0, reinterpret_cast<sockaddr*>(&ss),
                           len);
          }
        }
      }
      if (fds[1].revents) serve_tcp_once();
    }
  }

  void serve_tcp_once() {
    Fd c(::accept4(tcp.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!c) return;
    tcp_seen++;
    std::uint8_t len[2];
    if (!readable(c.get(), 1000) || ::recv(c.get(), len, 2, MSG_WAITALL) != 2) return;
    Bytes q(std::size_t{len[0]} << 8 | len[1]);
    if (::recv(c.get(), q.data(), q.size(), MSG_WAITALL) != static_cast<ssize_t>(q.size())) return;
    if (mode == Mode::silent) return;
    Bytes out = answer(q, false);
    Bytes framed{static_cast<std::uint8_t>(out.size() >> 8), static_cast<std::uint8_t>(out.size())};
    framed.insert(framed.end(), out.begin(), out.end());
    (void)::send(c.get(), framed.data(), framed.size(), MSG_NOSIGNAL);
  }
};

// A port where nothing listens: the kernel answers with ICMP port unreachable.
w::Endpoint closed_port() {
  Fd fd = bind_udp(*w::parse_endpoint("127.0.0.1:0"));
  return local_endpoint(fd.get());
}

struct Server {
  SnapshotFeed feed;
  std::unique_ptr<DnsServer> server;
  w::Endpoint at;
  Server(std::vector<w::Endpoint> upstreams, std::chrono::milliseconds timeout = 2000ms) {
    feed.publish(std::make_shared<const Snapshot>(testing::fixture()));
    ServerOptions options;
    std::string problem;
    options.listen = {*parse_listen_spec("127.0.0.1:0=acme", problem)};
    options.upstreams = std::move(upstreams);
    options.upstream_timeout = timeout;
    server = std::make_unique<DnsServer>(std::move(options), [this] { return feed.current(); });
    server->start();
    at = server->bound().at(0);
  }

  std::optional<w::Message> udp(const Bytes& wire, int ms = 4000) const {
    Fd fd = connect_udp(at);
    if (::send(fd.get(), wire.data(), wire.size(), 0) < 0 || !readable(fd.get(), ms)) return {};
    Bytes buf(65535);
    auto n = ::recv(fd.get(), buf.data(), buf.size(), 0);
    if (n <= 0) return {};
    buf.resize(static_cast<std::size_t>(n));
    return w::decode(buf).message;
  }

  std::optional<w::Message> tcp(const Bytes& wire) const {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (::connect(fd.get(), at.addr(), at.length) != 0) return {};
    Bytes framed{static_cast<std::uint8_t>(wire.size() >> 8),
                 static_cast<std::uint8_t>(wire.size())};
    framed.insert(framed.end(), wire.begin(), wire.end());
    if (::send(fd.get(), framed.data(), framed.size(), 0) < 0 || !readable(fd.get(), 4000)) {
      return {};
    }
    std::uint8_t len[2];
    if (::recv(fd.get(), len, 2, MSG_WAITALL) != 2) return {};
    Bytes body(std::size_t{len[0]} << 8 | len[1]);
    if (::recv(fd.get(), body.data(), body.size(), MSG_WAITALL) !=
        static_cast<ssize_t>(body.size())) {
      return {};
    }
    return w::decode(body).message;
  }
};

TEST(DnsForward, TruncatedUpstreamReplyIsAskedAgainOverTcp) {
  Upstream up(Mode::truncate_udp, 40);  // 40 A records: well over 512 bytes
  Server s({up.at});
  auto reply = s.tcp(query("big.example.test", 0x1234));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.id, 0x1234);
  EXPECT_FALSE(reply->header.tc);
  EXPECT_EQ(reply->answers.size(), 40u);
  EXPECT_EQ(up.udp_seen, 1);
  EXPECT_EQ(up.tcp_seen, 1);
  // A UDP client without EDNS gets what fits in 512 bytes, marked truncated, and retries over
  // TCP as dig does.
  auto small = s.udp(query("big.example.test", 0x4321));
  ASSERT_TRUE(small);
  EXPECT_EQ(small->header.id, 0x4321);
  EXPECT_TRUE(small->header.tc);
  EXPECT_LT(small->answers.size(), 40u);
  EXPECT_EQ(up.tcp_seen, 2);
}

TEST(DnsForward, AnswersThatFitComeStraightFromUdp) {
  Upstream up(Mode::answer, 3);
  Server s({up.at});
  auto reply = s.udp(query("www.example.test", 7));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->answers.size(), 3u);
  EXPECT_EQ(up.tcp_seen, 0);
}

TEST(DnsForward, SilentUpstreamHandsTheQueryToTheNextAfterItsTimeout) {
  Upstream silent(Mode::silent), good(Mode::answer);
  Server s({silent.at, good.at}, 300ms);
  auto started = Clock::now();
  auto reply = s.udp(query("www.example.test", 1));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.rcode, w::rcode::NOERROR);
  ASSERT_EQ(reply->answers.size(), 1u);
  EXPECT_GE(Clock::now() - started, 250ms);
  EXPECT_EQ(silent.udp_seen, 1);
  // The next query starts with the upstream that answered last.
  started = Clock::now();
  ASSERT_TRUE(s.udp(query("www.example.test", 2)));
  EXPECT_LT(Clock::now() - started, 250ms);
  EXPECT_EQ(silent.udp_seen, 1);
  EXPECT_EQ(good.udp_seen, 2);
}

TEST(DnsForward, UpstreamWithNothingListeningIsPassedOverAtOnce) {
  Upstream good(Mode::answer);
  Server s({closed_port(), good.at}, 2000ms);
  auto started = Clock::now();
  auto reply = s.udp(query("www.example.test", 3));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->answers.size(), 1u);
  EXPECT_LT(Clock::now() - started, 1000ms);
}

TEST(DnsForward, ServfailFromOneUpstreamTriesTheNextAndTheLastWordStands) {
  Upstream failing(Mode::servfail), good(Mode::answer);
  Server s({failing.at, good.at});
  auto reply = s.udp(query("www.example.test", 4));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.rcode, w::rcode::NOERROR);
  EXPECT_EQ(failing.udp_seen, 1);
  Upstream only(Mode::servfail);
  Server alone({only.at});
  reply = alone.udp(query("www.example.test", 5));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.rcode, w::rcode::SERVFAIL);
}

TEST(DnsForward, EveryUpstreamSilentGivesServfailOnceEachHasTimedOut) {
  Upstream a(Mode::silent), b(Mode::silent);
  Server s({a.at, b.at}, 250ms);
  auto started = Clock::now();
  auto reply = s.tcp(query("www.example.test", 6));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.id, 6);
  EXPECT_EQ(reply->header.rcode, w::rcode::SERVFAIL);
  EXPECT_TRUE(reply->header.ra);
  EXPECT_GE(Clock::now() - started, 450ms);
  EXPECT_EQ(a.udp_seen, 1);
  EXPECT_EQ(b.udp_seen, 1);
}

}  // namespace
}  // namespace sixpn::dns
