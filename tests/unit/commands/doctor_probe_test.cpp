#include "commands/doctor_probe.hpp"

#include <gtest/gtest.h>

namespace sixpn::commands::doctor {
namespace {

Tunnel tunnel(const char* name, const char* address, bool up) {
  return Tunnel{name, *core::Ipv6::parse(address), 120, up, ""};
}

const std::vector<Tunnel> kTunnels = {
    tunnel("down-a", "fdaa:0:1:a7b:200:0:a:2", false),
    tunnel("up-b", "fdaa:0:2:a7b:200:0:a:2", true),
    tunnel("up-a", "fdaa:0:1:a7b:200:0:a:102", true),
};

TEST(DoctorTunnel, PrefersTheNamedInterface) {
  EXPECT_EQ(choose_tunnel(kTunnels, "down-a", std::nullopt)->interface, "down-a");
  EXPECT_FALSE(choose_tunnel(kTunnels, "wg9", std::nullopt).has_value());
}

TEST(DoctorTunnel, PrefersOneThatIsUp) {
  EXPECT_EQ(choose_tunnel(kTunnels, "", std::nullopt)->interface, "up-b");
}

TEST(DoctorTunnel, PrefersTheAppsOrgAmongThoseUp) {
  EXPECT_EQ(choose_tunnel(kTunnels, "", 1)->interface, "up-a");
  EXPECT_EQ(choose_tunnel(kTunnels, "", 2)->interface, "up-b");
  EXPECT_EQ(choose_tunnel(kTunnels, "", 7)->interface, "up-b");
}

TEST(DoctorTunnel, FallsBackToOneThatIsDown) {
  std::vector<Tunnel> down = {tunnel("wg0", "fdaa:0:1:a7b:200:0:a:2", false)};
  EXPECT_EQ(choose_tunnel(down, "", std::nullopt)->interface, "wg0");
  EXPECT_FALSE(choose_tunnel({}, "", std::nullopt).has_value());
}

TEST(DoctorTunnel, NetworkIsTheAddressesOrg) {
  EXPECT_EQ(tunnel("x", "fdaa:0:18:a7b:d6b:0:a:2", true).network(), 0x18u);
}

TEST(DoctorPing, LoopbackAnswersWhenPingIsAllowed) {
  auto result = ping6(*core::Ipv6::parse("::1"), std::nullopt, std::chrono::milliseconds(2000));
  if (!result.ok && result.error.find("cannot open") != std::string::npos) {
    GTEST_SKIP() << result.error;
  }
  EXPECT_TRUE(result.ok) << result.error;
  EXPECT_GT(result.rtt_ms, 0);
}

TEST(DoctorPing, ASourceThisMachineDoesNotHaveIsAnError) {
  // Refused before anything is sent: the source address cannot be bound.
  auto result = ping6(*core::Ipv6::parse("::1"), core::Ipv6::parse("fdaa:ffff:ffff::99"),
                      std::chrono::milliseconds(200));
  if (result.error.find("cannot open") != std::string::npos) GTEST_SKIP() << result.error;
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.error.find("cannot send from fdaa:ffff:ffff::99"), std::string::npos)
      << result.error;
}

}  // namespace
}  // namespace sixpn::commands::doctor
