#pragma once
// What users see as a machine's state, derived from what was asked of it (desired, generation)
// and what its host last said (docs/host-protocol.md, "Reports", has the table). A pure
// function, so the table is tested row by row.
#include <cstdint>
#include <optional>
#include <string>

namespace sixpn::server::store {

enum class MachineState { Started, Stopped, Destroyed };
std::string to_string(MachineState state);
std::optional<MachineState> machine_state_from(const std::string& text);

struct MachineStatus {
  MachineState desired = MachineState::Started;
  std::uint64_t generation = 1;
  // 0: the machine was created before any host registered ("no hosts yet" mode): nothing runs
  // it, and its state is what was asked.
  std::uint32_t host_id = 0;
  std::optional<std::string> reported;  // none before the host's first report
  std::uint64_t reported_generation = 0;
  bool host_removed = false;  // its host was removed while it was not destroyed
};

// "created", "starting", "started", "stopping", "stopped", "failed", "destroying", "destroyed".
std::string derived_state(const MachineStatus& status);

}  // namespace sixpn::server::store
