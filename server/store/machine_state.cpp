#include "server/store/machine_state.hpp"

namespace sixpn::server::store {

std::string to_string(MachineState state) {
  switch (state) {
    case MachineState::Started:
      return "started";
    case MachineState::Stopped:
      return "stopped";
    case MachineState::Destroyed:
      return "destroyed";
  }
  return "unknown";
}

std::optional<MachineState> machine_state_from(const std::string& text) {
  if (text == "started") return MachineState::Started;
  if (text == "stopped") return MachineState::Stopped;
  if (text == "destroyed") return MachineState::Destroyed;
  return std::nullopt;
}

std::string derived_state(const MachineStatus& s) {
  if (s.host_removed) return "failed";
  if (s.host_id == 0) return to_string(s.desired);
  const std::string reported = s.reported.value_or("");
  const bool current = s.reported_generation >= s.generation;
  switch (s.desired) {
    case MachineState::Started:
      if (!s.reported) return "created";
      // A process that runs is started whichever request started it; a failure counts only
      // for the request the host acted on, a newer start is a new attempt.
      if (reported == "started") return "started";
      if (reported == "failed" && current) return "failed";
      return "starting";
    case MachineState::Stopped:
      return reported == "started" ? "stopping" : "stopped";
    case MachineState::Destroyed:
      return reported == "destroyed" ? "destroyed" : "destroying";
  }
  return "unknown";
}

}  // namespace sixpn::server::store
