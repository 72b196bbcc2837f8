#include "server/store/machine_state.hpp"

#include <gtest/gtest.h>

namespace sixpn::server::store {
namespace {

constexpr std::uint32_t kHost = 0x0c000001;

MachineStatus placed(MachineState desired, std::optional<std::string> reported,
                     std::uint64_t reported_generation = 1, std::uint64_t generation = 1) {
  return MachineStatus{desired, generation, kHost, std::move(reported), reported_generation, false};
}

// docs/host-protocol.md, "What users see as state", row by row.
TEST(DerivedState, FollowsTheProtocolTable) {
  using S = MachineState;
  EXPECT_EQ(derived_state(placed(S::Started, std::nullopt, 0)), "created");
  EXPECT_EQ(derived_state(placed(S::Started, "starting")), "starting");
  EXPECT_EQ(derived_state(placed(S::Started, "stopped", 1, 2)), "starting");
  EXPECT_EQ(derived_state(placed(S::Started, "started")), "started");
  EXPECT_EQ(derived_state(placed(S::Started, "failed")), "failed");
  EXPECT_EQ(derived_state(placed(S::Stopped, "started")), "stopping");
  EXPECT_EQ(derived_state(placed(S::Stopped, "stopped")), "stopped");
  EXPECT_EQ(derived_state(placed(S::Stopped, std::nullopt, 0)), "stopped");
  EXPECT_EQ(derived_state(placed(S::Destroyed, "started")), "destroying");
  EXPECT_EQ(derived_state(placed(S::Destroyed, "destroyed")), "destroyed");
}

TEST(DerivedState, AnOlderFailureDoesNotFailANewerStart) {
  EXPECT_EQ(derived_state(placed(MachineState::Started, "failed", 2, 3)), "starting");
}

TEST(DerivedState, NoHostsYetModeShowsTheDesiredState) {
  for (auto s : {MachineState::Started, MachineState::Stopped, MachineState::Destroyed}) {
    MachineStatus status{s, 1, 0, std::nullopt, 0, false};
    EXPECT_EQ(derived_state(status), to_string(s));
  }
}

TEST(DerivedState, AMachineWhoseHostWasRemovedFailed) {
  auto s = placed(MachineState::Destroyed, "failed", 2, 2);
  s.host_removed = true;
  EXPECT_EQ(derived_state(s), "failed");
}

}  // namespace
}  // namespace sixpn::server::store
