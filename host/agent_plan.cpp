#include "host/agent_plan.hpp"

#include <csignal>

#include <algorithm>

#include "api/machine_config.hpp"
#include "host/bundle.hpp"

namespace sixpn::host {

namespace {
using Kind = MachineAction::Kind;
using Status = MachineStatus::Kind;

MachineAction action(Kind kind, const api::HostMachine& m) {
  MachineAction out;
  out.kind = kind;
  out.id = m.id;
  out.generation = m.generation;
  out.desired = m.desired;
  return out;
}

MachineAction report(const api::HostMachine& m, const std::string& state,
                     std::optional<int> exit_code = std::nullopt, std::string message = "") {
  MachineAction out = action(Kind::Report, m);
  out.report = {m.id, m.generation, state, exit_code, std::move(message)};
  return out;
}

int signal_of(const api::StopConfig& stop) {
  return api::stop_signal_number(stop.signal).value_or(SIGINT);
}

// A stop request's own signal and timeout win over the config's, for that stop only.
MachineAction stop(const api::HostMachine& m) {
  MachineAction out = action(Kind::Stop, m);
  const api::StopConfig& how = m.stop ? *m.stop : m.config.stop_config;
  out.signal = signal_of(how);
  out.timeout = std::chrono::seconds(how.timeout_seconds);
  return out;
}

// Start it, or say why it cannot start (once per generation).
void start_or_fail(const api::HostMachine& m, const MachineRecord* record, bool replace,
                   std::vector<MachineAction>& out) {
  auto made = machine_spec_of(m);
  if (!made.problem.empty()) {
    bool said = record && record->generation == m.generation && record->reported == "failed";
    if (!said) out.push_back(report(m, "failed", std::nullopt, made.problem));
    return;
  }
  MachineAction start = stop(m);
  start.kind = Kind::Start;
  start.spec = std::move(made.spec);
  start.replace = replace;
  out.push_back(std::move(start));
}

void plan_started(const api::HostMachine& m, const ObservedMachine& seen,
                  std::vector<MachineAction>& out) {
  const MachineRecord* r = seen.record ? &*seen.record : nullptr;
  if (r && r->generation == m.generation && r->desired == "started") {
    switch (seen.status.kind) {
      case Status::Running:
        if (r->reported != "started") out.push_back(report(m, "started"));
        return;
      case Status::Exited:
        if (r->reported != "stopped" && r->reported != "failed") {
          MachineAction ended = action(Kind::Ended, m);
          ended.exit_code = seen.status.exit_code;
          ended.restart = m.config.restart;
          ended.spec = machine_spec_of(m).spec;  // it ran, so it has one
          out.push_back(std::move(ended));
        }
        return;
      case Status::Absent:
        // Gone without the agent's doing (the host rebooted, runc's state was lost): run it
        // again, unless it never could.
        if (r->reported != "failed") start_or_fail(m, r, false, out);
        return;
    }
  }
  if (seen.status.kind == Status::Running) {
    // Running without a record: started by an agent that died before keeping one. Adopt it.
    if (!r) {
      out.push_back(report(m, "started"));
      return;
    }
    start_or_fail(m, r, true, out);  // a newer generation: its config may have changed
    return;
  }
  start_or_fail(m, r, false, out);
}

void plan_stopped(const api::HostMachine& m, const ObservedMachine& seen,
                  std::vector<MachineAction>& out) {
  if (seen.status.kind == Status::Running) {
    out.push_back(stop(m));
    return;
  }
  const MachineRecord* r = seen.record ? &*seen.record : nullptr;
  if (r && r->generation == m.generation && r->reported == "stopped") return;
  std::optional<int> code;
  if (seen.status.kind == Status::Exited) code = seen.status.exit_code;
  out.push_back(report(m, "stopped", code));
}
}  // namespace

SpecOrProblem machine_spec_of(const api::HostMachine& m) {
  SpecOrProblem out;
  const auto& config = m.config;
  if (auto problem = api::machine_config_problem(config); !problem.empty()) {
    out.problem = problem;
    return out;
  }
  auto address = core::Ipv6::parse(m.private_ip);
  if (!address) {
    out.problem = "its address \"" + m.private_ip + "\" is not an IPv6 address";
    return out;
  }
  MachineSpec& spec = out.spec;
  spec.id = m.id;
  spec.app = m.app;
  spec.region = m.region;
  if (!m.process_group.empty()) spec.process_group = m.process_group;
  spec.private_ip = *address;
  spec.env = config.env;
  spec.guest = {config.guest.cpus, config.guest.memory_mb};
  spec.cmd = config.init_cmd;
  if (config.image != "host") spec.rootfs = config.image;
  if (spec.cmd.empty() && spec.rootfs.empty()) spec.cmd = {"sleep", "infinity"};
  // Another image may name its own command (an OCI image's CMD): the host looks when it starts
  // the machine (ImageCache::prepare), so only the rest is checked here.
  out.problem = spec_problem_besides_command(spec);
  return out;
}

std::vector<MachineAction> plan_machines(const std::vector<api::HostMachine>& desired, bool fetched,
                                         const std::map<std::string, ObservedMachine>& observed,
                                         const std::set<std::string>& destroyed_reported) {
  std::vector<MachineAction> out;
  std::set<std::string> listed;
  for (const auto& m : desired) {
    listed.insert(m.id);
    auto it = observed.find(m.id);
    const bool on_disk = it != observed.end();
    const ObservedMachine seen = on_disk ? it->second : ObservedMachine{};
    if (m.desired == "destroyed") {
      if (on_disk) {
        MachineAction destroy = action(Kind::Destroy, m);
        destroy.report_destroyed = true;
        out.push_back(std::move(destroy));
      } else if (!destroyed_reported.contains(m.id)) {
        out.push_back(report(m, "destroyed"));
      }
    } else if (m.desired == "started") {
      plan_started(m, seen, out);
    } else if (m.desired == "stopped") {
      plan_stopped(m, seen, out);
    }
  }
  // On this host but no longer listed: destroyed (and cleaned up) while the agent was away.
  // Only a state the control plane has just sent says so; a kept one may be old.
  if (!fetched) return out;
  for (const auto& [id, seen] : observed) {
    if (listed.contains(id)) continue;
    MachineAction destroy;
    destroy.kind = Kind::Destroy;
    destroy.id = id;
    destroy.generation = seen.record ? seen.record->generation : 0;
    out.push_back(std::move(destroy));
  }
  return out;
}

ExitDecision decide_after_exit(const api::RestartPolicy& policy, int exit_code, int restarts,
                               std::chrono::milliseconds ran) {
  ExitDecision out;
  if (ran >= kRunThatResets) restarts = 0;
  const bool restart =
      policy.policy == "always" || (policy.policy == "on-failure" && exit_code != 0);
  if (!restart) return out;
  if (policy.policy == "on-failure" && restarts >= policy.max_retries) {
    out.kind = ExitDecision::Kind::GaveUp;
    out.restarts = restarts;
    out.message = "it exited with code " + std::to_string(exit_code) + " after " +
                  std::to_string(restarts) + (restarts == 1 ? " restart" : " restarts") +
                  ", and its restart policy allows " + std::to_string(policy.max_retries);
    return out;
  }
  out.kind = ExitDecision::Kind::Restart;
  out.restarts = restarts + 1;
  std::chrono::milliseconds delay = kFirstRestartDelay;
  for (int i = 0; i < restarts && delay < kMaxRestartDelay; ++i) delay *= 2;
  out.delay = std::min<std::chrono::milliseconds>(delay, kMaxRestartDelay);
  return out;
}

}  // namespace sixpn::host
