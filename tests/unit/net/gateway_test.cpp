#include "net/gateway.hpp"

#include <gtest/gtest.h>

namespace sixpn::net {
namespace {

TEST(GatewayInterfaceName, FollowsWireguardToolsRule) {
  for (const char* good : {"gw0", "sixpn-gw", "a", "wg_0=+.-", "fifteen-chars-x"}) {
    EXPECT_EQ(interface_name_problem(good), "") << good;
  }
  for (const char* bad : {"", "sixteen-chars-xx", "gw 0", "gw/0", "gw0\n", "gw\xc3\xa9"}) {
    EXPECT_NE(interface_name_problem(bad), "") << bad;
  }
}

TEST(Gateway, DoesNothingBeforeStart) {
  bool asked = false;
  Gateway gw(GatewayOptions{"sixpn-unit0"}, core::PrivateKey::generate(), [&] {
    asked = true;
    return DesiredState{};
  });
  EXPECT_FALSE(gw.request_sync(std::chrono::milliseconds(10)));
  EXPECT_FALSE(asked);
  gw.stop();  // idempotent, and touches nothing that was never set up
  EXPECT_FALSE(asked);
}

}  // namespace
}  // namespace sixpn::net
