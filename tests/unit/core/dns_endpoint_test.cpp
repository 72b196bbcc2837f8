#include "core/dns/endpoint.hpp"

#include <gtest/gtest.h>

namespace sixpn::core::dns {
namespace {

TEST(DnsEndpoint, ParsesTheFormsPeopleType) {
  EXPECT_EQ(parse_endpoint("127.0.0.1:5353")->str(), "127.0.0.1:5353");
  EXPECT_EQ(parse_endpoint("[::1]:5353")->str(), "[::1]:5353");
  EXPECT_EQ(parse_endpoint("[FDAA:0:18::3]:53")->str(), "[fdaa:0:18::3]:53");
  EXPECT_EQ(parse_endpoint("fdaa:0:18::3", 53)->str(), "[fdaa:0:18::3]:53");
  EXPECT_EQ(parse_endpoint("[::1]", 53)->str(), "[::1]:53");
  EXPECT_EQ(parse_endpoint("10.0.0.1", 53)->str(), "10.0.0.1:53");
  EXPECT_EQ(parse_endpoint("[::1]:0")->port(), 0);
}

TEST(DnsEndpoint, RefusesWhatIsNotALiteralAddressAndPort) {
  for (const char* bad :
       {"", "127.0.0.1", "::1", "localhost:53", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
        "[::1", "[::1]x", "[127.0.0.1]:53", "1.2.3:53", "[::1]:5x"}) {
    EXPECT_FALSE(parse_endpoint(bad)) << bad;
  }
  EXPECT_FALSE(parse_endpoint("localhost", 53));
  EXPECT_FALSE(parse_endpoint("fdaa::g", 53));
}

}  // namespace
}  // namespace sixpn::core::dns
