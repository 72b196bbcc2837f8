#pragma once
// The host agent's decisions as plain values: what to do with each machine given what the
// control plane wants (HostState.machines) and what is on this host (the runner's status and
// the record the agent keeps in the machine's directory), and what supervision does when a
// machine ends on its own. No I/O here: agent.cpp executes the actions, tests check them.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/host_types.hpp"
#include "host/machine_runner.hpp"
#include "host/machine_spec.hpp"

namespace sixpn::host {

// What the agent keeps of a machine between passes and across its own restarts, in
// <machine dir>/agent.json.
struct MachineRecord {
  std::uint64_t generation = 0;  // the generation last acted on
  std::string desired;           // what it asked for then: "started" or "stopped"
  std::string reported;          // the last state reported for that generation; "" none yet
  bool operator==(const MachineRecord&) const = default;
};

// One machine as this host sees it.
struct ObservedMachine {
  MachineStatus status;
  std::optional<MachineRecord> record;  // nullopt: its directory holds none
};

struct MachineAction {
  enum class Kind {
    Start,    // run it from `spec` (after stopping it first when `replace` is set)
    Stop,     // send `signal`, wait `timeout`, then SIGKILL; report `stopped` with its code
    Destroy,  // remove it entirely; report `destroyed` when `report_destroyed`
    Report,   // nothing to do on the host but say `report` (and keep it in the record)
    Ended,    // it ended on its own with `exit_code`: supervision decides (decide_after_exit)
  };
  Kind kind = Kind::Report;
  std::string id;
  std::uint64_t generation = 0;
  std::string desired;                   // the desired state acted on, for the record
  MachineSpec spec;                      // Start, and Ended (for a restart)
  bool replace = false;                  // Start: a running older generation goes first
  int signal = 0;                        // Stop, and Start with replace
  std::chrono::milliseconds timeout{0};  // Stop, and Start with replace
  bool report_destroyed = false;         // Destroy
  api::MachineReport report;             // Report
  int exit_code = 0;                     // Ended
  api::RestartPolicy restart;            // Ended
};

// The spec a machine runs from, or one sentence saying why it cannot run (a config the platform
// refuses, an address that is not 6PN). `image` "host" runs `sleep infinity` when
// config.init.cmd is empty; for another image the command stays empty then, and the image's own
// default (an OCI image's ENTRYPOINT/CMD) fills it in when the host starts it.
struct SpecOrProblem {
  MachineSpec spec;
  std::string problem;
};
SpecOrProblem machine_spec_of(const api::HostMachine& machine);

// Every action that brings `observed` (the machines on this host) to `desired`. `fetched` is
// false when `desired` is the last state kept, not one the control plane has just sent: then
// machines it does not list are left alone, since their absence may be old news. Machines it
// lists are supervised either way. `destroyed_reported` holds ids whose `destroyed` is queued
// already, so a machine listed as destroyed (until the control plane hears it) is said once.
std::vector<MachineAction> plan_machines(const std::vector<api::HostMachine>& desired, bool fetched,
                                         const std::map<std::string, ObservedMachine>& observed,
                                         const std::set<std::string>& destroyed_reported);

// --- supervision --------------------------------------------------------------------------

inline constexpr std::chrono::seconds kFirstRestartDelay{1};
inline constexpr std::chrono::seconds kMaxRestartDelay{30};
inline constexpr std::chrono::seconds kRunThatResets{60};

struct ExitDecision {
  enum class Kind { Restart, Stopped, GaveUp } kind = Kind::Stopped;
  std::chrono::milliseconds delay{0};  // Restart: wait this long first
  int restarts = 0;                    // restarts in a row, counting this one
  std::string message;                 // GaveUp: why, in one sentence
};

// What to do with a machine that ended with `exit_code` after running for `ran`, having been
// restarted `restarts` times in a row before: "no" never restarts, "always" always does,
// "on-failure" restarts a non-zero exit at most max_retries times in a row. The delay is 1 s,
// doubling to 30 s; a run of 60 s or more starts the count afresh.
ExitDecision decide_after_exit(const api::RestartPolicy& policy, int exit_code, int restarts,
                               std::chrono::milliseconds ran);

}  // namespace sixpn::host
