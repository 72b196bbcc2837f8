// The DNS server handing names outside .internal to an upstream, seen from its clients.
#include "dns/server.hpp"

#include <netinet/in.h>

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/dns/text.hpp"
#include "tests/unit/dns/server_fixture.hpp"

namespace sixpn::dns {
namespace {

using namespace testing;
using namespace std::chrono_literals;

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

}  // namespace
}  // namespace sixpn::dns
