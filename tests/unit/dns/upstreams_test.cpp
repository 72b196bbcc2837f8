#include "dns/upstreams.hpp"

#include <net/if.h>
#include <netinet/in.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "dns/service.hpp"

namespace sixpn::dns {
namespace {

namespace w = core::dns;

std::vector<std::string> strs(const std::vector<w::Endpoint>& endpoints) {
  std::vector<std::string> out;
  for (const auto& e : endpoints) out.push_back(e.str());
  return out;
}

w::Endpoint ep(const std::string& text) {
  auto e = w::parse_endpoint(text, 53);
  EXPECT_TRUE(e) << text;
  return e.value_or(w::Endpoint{});
}

TEST(ResolvConf, ReadsNameserverLinesInOrderOnPort53) {
  auto conf = parse_resolv_conf(
      "# written by hand\n"
      "search example.test\n"
      "nameserver 192.0.2.53\n"
      "  nameserver\t2001:db8::53   # a comment after the address\n"
      "options edns0 timeout:1\n"
      "; another comment\n"
      "nameserver 127.0.0.53\n");
  EXPECT_EQ(strs(conf.nameservers),
            (std::vector<std::string>{"192.0.2.53:53", "[2001:db8::53]:53", "127.0.0.53:53"}));
  EXPECT_TRUE(conf.problems.empty());
}

TEST(ResolvConf, KeepsTheScopeOfALinkLocalAddress) {
  const unsigned lo = if_nametoindex("lo");
  ASSERT_NE(lo, 0u);
  auto conf =
      parse_resolv_conf("nameserver fe80::1%lo\nnameserver fe80::2%" + std::to_string(lo) + "\n");
  ASSERT_EQ(conf.nameservers.size(), 2u);
  for (const auto& e : conf.nameservers) {
    ASSERT_EQ(e.family(), AF_INET6);
    EXPECT_EQ(reinterpret_cast<const sockaddr_in6*>(e.addr())->sin6_scope_id, lo);
    EXPECT_EQ(e.port(), 53);
  }
}

TEST(ResolvConf, SkipsWhatIsNotAnAddressAndWhatGlibcWouldNotRead) {
  auto conf = parse_resolv_conf(
      "nameserver\n"
      "nameserver dns.example.test\n"
      "nameserver fe80::1%no-such-if0\n"
      "nameserver 10.0.0.1\n"
      "nameserver 10.0.0.2\n"
      "nameserver 10.0.0.3\n"
      "nameserver 10.0.0.4\n"
      "nameservers 10.0.0.5\n");
  EXPECT_EQ(strs(conf.nameservers),
            (std::vector<std::string>{"10.0.0.1:53", "10.0.0.2:53", "10.0.0.3:53"}));
  ASSERT_EQ(conf.problems.size(), 4u);
  EXPECT_EQ(conf.problems[0], "a nameserver line names no address");
  EXPECT_EQ(conf.problems[1], "nameserver \"dns.example.test\" is not an IPv4 or IPv6 address");
  EXPECT_EQ(conf.problems[2], "nameserver \"fe80::1%no-such-if0\" names no interface of this host");
  EXPECT_EQ(conf.problems[3], "nameserver 10.0.0.4 is beyond the first 3 (glibc reads no more)");
}

TEST(ResolvConf, AMissingFileHasNoServersAndSaysWhy) {
  auto conf = read_resolv_conf("/nonexistent/resolv.conf");
  EXPECT_TRUE(conf.nameservers.empty());
  ASSERT_EQ(conf.problems.size(), 1u);
  EXPECT_EQ(conf.problems[0], "cannot read /nonexistent/resolv.conf: No such file or directory");
}

TEST(UpstreamSelection, SkipsSixpndsOwnListenersOnly) {
  const std::vector<w::Endpoint> listeners{ep("127.0.0.1:53"), ep("[::]:53"), ep("10.1.1.1:5353")};
  EXPECT_TRUE(is_own_dns(ep("127.0.0.1"), listeners, false));
  EXPECT_TRUE(is_own_dns(ep("::1"), listeners, false));  // [::]:53 takes IPv6 loopback too
  EXPECT_TRUE(is_own_dns(ep("10.1.1.1:5353"), listeners, false));
  // A stub on another loopback address or port is another server.
  EXPECT_FALSE(is_own_dns(ep("127.0.0.53"), listeners, false));
  EXPECT_FALSE(is_own_dns(ep("10.1.1.1"), listeners, false));
  EXPECT_FALSE(is_own_dns(ep("192.0.2.53"), listeners, false));
  EXPECT_FALSE(is_own_dns(ep("2001:db8::53"), listeners, false));
}

TEST(UpstreamSelection, SkipsEveryOrgsDnsAddressWhenTheGatewayServesIt) {
  EXPECT_TRUE(is_own_dns(ep("fdaa:0:18::3"), {}, true));
  EXPECT_TRUE(is_own_dns(ep("fdaa::3"), {}, true));
  EXPECT_FALSE(is_own_dns(ep("fdaa:0:18::3"), {}, false));
  EXPECT_FALSE(is_own_dns(ep("fdaa:0:18::4"), {}, true));
  EXPECT_FALSE(is_own_dns(ep("fdaa:0:18:a7b:d6b:0:a:3"), {}, true));  // a peer, not a DNS address
  EXPECT_FALSE(is_own_dns(ep("[fdaa:0:18::3]:5353"), {}, true));
  EXPECT_FALSE(is_own_dns(ep("fdab:0:18::3"), {}, true));
}

struct TempResolvConf {
  std::string path = testing::TempDir() + "sixpn-resolv-" + std::to_string(::getpid()) + ".conf";
  explicit TempResolvConf(const std::string& text) { std::ofstream(path) << text; }
  ~TempResolvConf() { std::remove(path.c_str()); }
};

struct Parsed {
  std::optional<ServerOptions> options;
  std::string problem;
  std::vector<std::string> log;
};
Parsed parse(DnsFlags flags) {
  Parsed p;
  p.options = parse_dns_flags(flags, p.problem, [&](const std::string& l) { p.log.push_back(l); });
  return p;
}

TEST(DnsFlags, TheEmbeddedHostAddsFdaa3SharingPort53WithTheGatewaysListener) {
  DnsFlags flags;
  flags.gateway_interface = "wg0";
  flags.machine_dns = true;
  flags.upstream = {"none"};
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  ASSERT_EQ(p.options->listen.size(), 2u);
  EXPECT_EQ(p.options->listen[0].endpoint.str(), "[::]:53");
  EXPECT_EQ(p.options->listen[0].device, "wg0");
  EXPECT_TRUE(p.options->listen[0].share_port);
  EXPECT_EQ(p.options->listen[1].endpoint.str(), "[fdaa::3]:53");
  EXPECT_EQ(p.options->listen[1].device, "");
  EXPECT_TRUE(p.options->listen[1].share_port);
}

TEST(DnsFlags, WithoutTheEmbeddedHostNoListenerSharesItsPort) {
  DnsFlags flags;
  flags.gateway_interface = "wg0";
  flags.upstream = {"none"};
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  ASSERT_EQ(p.options->listen.size(), 1u);
  EXPECT_FALSE(p.options->listen[0].share_port);
}

TEST(DnsFlags, ForwardToTheResolvConfServersThatAreNotSixpndByDefault) {
  TempResolvConf conf("nameserver 127.0.0.1\nnameserver fdaa:0:18::3\nnameserver 192.0.2.53\n");
  DnsFlags flags;
  flags.listen = {"127.0.0.1:53=acme"};
  flags.gateway_interface = "wg0";
  flags.resolv_conf = conf.path;
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  EXPECT_EQ(strs(p.options->upstreams), (std::vector<std::string>{"192.0.2.53:53"}));
  ASSERT_EQ(p.log.size(), 3u);
  EXPECT_EQ(p.log[0], "dns: " + conf.path +
                          ": skipping nameserver 127.0.0.1: it is sixpnd's own DNS listener");
  EXPECT_EQ(p.log[1], "dns: " + conf.path +
                          ": skipping nameserver fdaa:0:18::3: it is sixpnd's own DNS listener");
  EXPECT_EQ(p.log[2],
            "dns: forwarding names outside .internal and .flycast to 192.0.2.53:53 "
            "(from " +
                conf.path + ")");
}

TEST(DnsFlags, NoServerLeftInResolvConfMeansRefused) {
  TempResolvConf conf("nameserver 127.0.0.1\n");
  DnsFlags flags;
  flags.listen = {"127.0.0.1:53=acme"};
  flags.resolv_conf = conf.path;
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  EXPECT_TRUE(p.options->upstreams.empty());
  ASSERT_FALSE(p.log.empty());
  EXPECT_NE(p.log.back().find("are REFUSED"), std::string::npos) << p.log.back();
}

TEST(DnsFlags, ExplicitUpstreamsReplaceResolvConfAndNoneRefuses) {
  TempResolvConf conf("nameserver 192.0.2.53\n");
  DnsFlags flags;
  flags.listen = {"127.0.0.1:5353=acme"};
  flags.resolv_conf = conf.path;
  flags.upstream = {"198.51.100.1", "[2001:db8::1]:5300"};
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  EXPECT_EQ(strs(p.options->upstreams),
            (std::vector<std::string>{"198.51.100.1:53", "[2001:db8::1]:5300"}));
  flags.upstream = {"none"};
  p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  EXPECT_TRUE(p.options->upstreams.empty());
}

TEST(DnsFlags, RefusesUpstreamsThatAreMalformedOrSixpndItself) {
  DnsFlags flags;
  flags.listen = {"127.0.0.1:5353=acme"};
  flags.upstream = {"127.0.0.1:5353"};
  auto p = parse(flags);
  EXPECT_FALSE(p.options);
  EXPECT_EQ(p.problem,
            "--dns-upstream 127.0.0.1:5353 is sixpnd's own DNS listener: forwarded "
            "queries would come back to it");
  flags.upstream = {"dns.example.test"};
  EXPECT_FALSE(parse(flags).options);
  flags.upstream = {"none", "192.0.2.1"};
  p = parse(flags);
  EXPECT_FALSE(p.options);
  EXPECT_EQ(p.problem, "--dns-upstream none cannot be given with other upstreams");
}

TEST(DnsFlags, TheGatewayBringsAListenerOnItsInterfaceUnlessTurnedOff) {
  TempResolvConf conf("nameserver 192.0.2.53\n");
  DnsFlags flags;
  flags.gateway_interface = "wg0";
  flags.resolv_conf = conf.path;
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  ASSERT_EQ(p.options->listen.size(), 1u);
  EXPECT_EQ(p.options->listen[0].endpoint.str(), "[::]:53");
  EXPECT_EQ(p.options->listen[0].device, "wg0");
  EXPECT_FALSE(p.options->listen[0].org);
  EXPECT_EQ(strs(p.options->upstreams), (std::vector<std::string>{"192.0.2.53:53"}));
  // With it, an upstream needs no --dns-listen; without it, it does.
  flags.upstream = {"192.0.2.1"};
  EXPECT_TRUE(parse(flags).options);
  flags.no_gateway_dns = true;
  p = parse(flags);
  EXPECT_FALSE(p.options);
  EXPECT_EQ(p.problem,
            "--dns-upstream needs a DNS listener: --dns-listen, or the gateway's "
            "(--gateway-interface without --no-gateway-dns)");
  flags.upstream.clear();
  p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  EXPECT_TRUE(p.options->listen.empty());
}

TEST(DnsFlags, AListenerOnEveryAddressesPort53StandsInForTheGatewaysOwn) {
  TempResolvConf conf("nameserver 192.0.2.53\n");
  DnsFlags flags;
  flags.gateway_interface = "wg0";
  flags.listen = {"[::]:53"};
  flags.resolv_conf = conf.path;
  auto p = parse(flags);
  ASSERT_TRUE(p.options) << p.problem;
  ASSERT_EQ(p.options->listen.size(), 1u);
  EXPECT_EQ(p.options->listen[0].device, "");
  EXPECT_EQ(p.log.at(0), "dns: --dns-listen [::]:53 answers on wg0 already");
}

}  // namespace
}  // namespace sixpn::dns
