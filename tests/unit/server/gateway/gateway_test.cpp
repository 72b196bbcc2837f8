#include "server/gateway/gateway.hpp"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

namespace sixpn::server::gateway {
namespace {

TEST(GatewayEndpoint, ParsesEveryForm) {
  EXPECT_EQ(parse_endpoint("192.0.2.1"), (Endpoint{"192.0.2.1", 51820}));
  EXPECT_EQ(parse_endpoint("192.0.2.1:4000"), (Endpoint{"192.0.2.1", 4000}));
  EXPECT_EQ(parse_endpoint("gw.example.com:1"), (Endpoint{"gw.example.com", 1}));
  EXPECT_EQ(parse_endpoint("[fd00::1]:65535"), (Endpoint{"fd00::1", 65535}));
  EXPECT_EQ(parse_endpoint("[fd00::1]"), (Endpoint{"fd00::1", 51820}));
  EXPECT_EQ(parse_endpoint("fd00::1"), (Endpoint{"fd00::1", 51820}));
}

TEST(GatewayEndpoint, RefusesNonsense) {
  for (const char* bad : {"", ":51820", "host:", "host:0", "host:65536", "host:12x", "[fd00::1",
                          "[fd00::1]x", "[nothost]:1", "a:b:c", "[fd00::1]:"}) {
    EXPECT_THROW(parse_endpoint(bad), std::invalid_argument) << bad;
  }
}

TEST(GatewayFlags, InterfaceAndEndpointComeTogether) {
  auto parse = [](std::vector<std::string> args, GatewayOptions& options) {
    CLI::App app;
    add_gateway_flags(app, options);
    std::reverse(args.begin(), args.end());
    app.parse(args);
  };
  GatewayOptions options;
  parse({"--gateway-interface", "gw0", "--gateway-endpoint", "10.0.0.1:5000"}, options);
  EXPECT_EQ(options.interface, "gw0");
  EXPECT_EQ(options.endpoint, (Endpoint{"10.0.0.1", 5000}));
  EXPECT_TRUE(options.enabled());

  GatewayOptions none;
  parse({}, none);
  EXPECT_FALSE(none.enabled());

  GatewayOptions lone;
  EXPECT_THROW(parse({"--gateway-interface", "gw0"}, lone), CLI::ParseError);
  EXPECT_THROW(parse({"--gateway-endpoint", "10.0.0.1"}, lone), CLI::ParseError);
  EXPECT_THROW(
      parse({"--gateway-interface", "this-name-is-too-long", "--gateway-endpoint", "h"}, lone),
      CLI::ParseError);
  EXPECT_THROW(parse({"--gateway-interface", "gw0", "--gateway-endpoint", "h:0"}, lone),
               CLI::ParseError);
}

}  // namespace
}  // namespace sixpn::server::gateway
