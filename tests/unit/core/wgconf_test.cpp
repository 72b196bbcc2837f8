#include "core/wgconf.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace sixpn::core {
namespace {

std::string golden(const std::string& name) {
  std::ifstream in(std::string(SIXPN_SOURCE_DIR) + "/tests/unit/core/golden/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

PrivateKey rfc_key() {
  return *PrivateKey::from_base64("dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=");
}

TEST(WgConf, RendersTheSeedsPeerWithABracketedIpv6Endpoint) {
  PeerConfig c{*Ipv6::parse("fdaa:0:18:a7b:d6b:0:a:2"),
               "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", "2001:db8::1"};
  EXPECT_EQ(render_config(c, rfc_key()).view(), golden("peer_v6_endpoint.conf"));
}

TEST(WgConf, RendersAnIpv4Endpoint) {
  PeerConfig c{*Ipv6::parse("fdaa:0:4:a7b:ab6:0:a:102"),
               "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=", "192.0.2.10"};
  EXPECT_EQ(render_config(c, rfc_key()).view(), golden("peer_v4_endpoint.conf"));
}

TEST(WgConf, FormatsEndpoints) {
  EXPECT_EQ(format_endpoint("::1", 51820), "[::1]:51820");
  EXPECT_EQ(format_endpoint("gw.example", 1234), "gw.example:1234");
}

}  // namespace
}  // namespace sixpn::core
