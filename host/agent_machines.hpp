#pragma once
// The agent's hands on its machines: it looks at them (MachineRunner's status and the record
// kept in each machine's directory), asks the planner (agent_plan.hpp) what to do, does it,
// supervises exits by the restart policy and queues a report for every change of state.
// Used from one thread only.
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "host/agent.hpp"
#include "host/agent_outbox.hpp"
#include "host/agent_plan.hpp"
#include "host/image_cache.hpp"
#include "host/machine_runner.hpp"

namespace sixpn::host {

// Why `spec` cannot start on this host, in one sentence ("" when it can): its root file
// system is missing or is an OCI image layout still (not prepared by ImageCache), it has no
// command and its image no default, or its command is not found in the image.
std::string start_problem(const MachineSpec& spec);

class MachineKeeper {
 public:
  MachineKeeper(MachineRunner& runner, ReportOutbox& outbox, Log log);

  // A full pass: every machine's status from the runner, then the plan. `fetched`: `desired`
  // came from the control plane in this run (see plan_machines).
  void converge(const std::vector<api::HostMachine>& desired, bool fetched);
  // Between passes: the exit files of machines that were running (cheap: no runc call), then
  // the plan, which restarts machines whose delay has passed.
  void tick(const std::vector<api::HostMachine>& desired);

  // Stops every running machine with its stop config, reporting nothing (--stop-machines-on-exit).
  void stop_all(const std::vector<api::HostMachine>& desired);
  // Removes every machine of this host (it was removed from the control plane).
  void destroy_all();

 private:
  using Clock = std::chrono::steady_clock;
  struct Supervision {
    int restarts = 0;  // in a row
    std::optional<Clock::time_point> restart_at;
    Clock::time_point running_since{};  // unknown (adopted): counts as a long run
  };

  void act(const std::vector<api::HostMachine>& desired, bool fetched);
  // `spec` made ready to run (its OCI image unpacked, the image's defaults in); nullopt when it
  // cannot run, having reported it failed.
  std::optional<MachineSpec> runnable(const std::string& id, std::uint64_t generation,
                                      const MachineSpec& spec);
  void start(const MachineAction& action);
  void launch(const std::string& id, const MachineSpec& spec, std::uint64_t generation);
  void stop_together(const std::vector<const MachineAction*>& stops);
  void destroy(const MachineAction& action);
  void report(const MachineAction& action);
  void ended(const MachineAction& action);
  void fail(const std::string& id, std::uint64_t generation, const std::string& message);
  void say(const std::string& id, std::uint64_t generation, const std::string& state,
           std::optional<int> exit_code = std::nullopt, const std::string& message = "");
  void keep_record(const std::string& id, const MachineRecord& record);
  std::optional<MachineRecord> load_record(const std::string& id) const;

  MachineRunner& runner_;
  ReportOutbox& outbox_;
  Log log_;
  std::map<std::string, ObservedMachine> observed_;  // every machine on disk
  std::map<std::string, Supervision> supervision_;
  std::set<std::string> destroyed_reported_;
  ImageCache images_;
};

}  // namespace sixpn::host
