#include "host/agent_machines.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <future>
#include <sstream>

#include <nlohmann/json.hpp>

#include "host/agent_state.hpp"
#include "host/bundle.hpp"
#include "host/shim.hpp"

namespace sixpn::host {

namespace {
namespace fs = std::filesystem;
using Kind = MachineAction::Kind;
using Status = MachineStatus::Kind;
using namespace std::chrono_literals;

constexpr const char* kRecordFile = "/agent.json";
constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Inside a root file system, a symbolic link is resolved against that root, not the host's:
// a link that exists counts as found.
bool exists_in_root(const std::string& root, const std::string& path) {
  std::error_code ec;
  auto status = fs::symlink_status(fs::path(root.empty() ? "/" : root) / path.substr(1), ec);
  return !ec && fs::exists(status);
}

std::string seconds_text(std::chrono::milliseconds delay) {
  std::ostringstream out;
  out << delay.count() / 1000.0 << " s";
  return out.str();
}
}  // namespace

std::string start_problem(const MachineSpec& spec) {
  if (!spec.rootfs.empty()) {
    std::error_code ec;
    if (!fs::is_directory(spec.rootfs, ec)) {
      return "its image " + spec.rootfs + " is not a directory on this host";
    }
    if (spec.cmd.empty()) {
      return "config.init.cmd is empty and its image " + spec.rootfs + " has no default command";
    }
    if (fs::exists(fs::path(spec.rootfs) / "oci-layout", ec)) {
      return "its image " + spec.rootfs + " is an OCI image layout that was not unpacked";
    }
  }
  const std::string& program = spec.cmd.at(0);
  if (program.find('/') != std::string::npos) {
    if (program[0] == '/' && exists_in_root(spec.rootfs, program)) return "";
    if (program[0] != '/') return "";  // relative to its working directory: runc will tell
  } else {
    auto it = spec.env.find("PATH");
    std::stringstream dirs(it != spec.env.end() ? it->second : kDefaultPath);
    for (std::string dir; std::getline(dirs, dir, ':');) {
      if (!dir.empty() && dir[0] == '/' && exists_in_root(spec.rootfs, dir + "/" + program)) {
        return "";
      }
    }
  }
  return "its command \"" + program + "\" is not found in the image";
}

MachineKeeper::MachineKeeper(MachineRunner& runner, ReportOutbox& outbox, Log log)
    : runner_(runner), outbox_(outbox), log_(std::move(log)), images_(runner.images_dir()) {}

std::optional<MachineRecord> MachineKeeper::load_record(const std::string& id) const {
  try {
    auto text = read_file_if_exists(runner_.machine_dir(id) + kRecordFile);
    if (!text) return std::nullopt;
    auto j = nlohmann::json::parse(*text);
    return MachineRecord{j.at("generation").get<std::uint64_t>(),
                         j.at("desired").get<std::string>(), j.at("reported").get<std::string>()};
  } catch (const std::exception& e) {
    log_("machine " + id + ": its record is unreadable (" + e.what() + "); acting afresh");
    return std::nullopt;
  }
}

void MachineKeeper::keep_record(const std::string& id, const MachineRecord& record) {
  const std::string dir = runner_.machine_dir(id);
  fs::create_directories(dir);
  fs::permissions(dir, fs::perms::owner_all);
  nlohmann::json j = {{"generation", record.generation},
                      {"desired", record.desired},
                      {"reported", record.reported}};
  replace_file(dir + kRecordFile, j.dump() + "\n");
  observed_[id].record = record;
}

void MachineKeeper::say(const std::string& id, std::uint64_t generation, const std::string& state,
                        std::optional<int> exit_code, const std::string& message) {
  outbox_.push({id, generation, state, exit_code, message});
  std::string line = "machine " + id + ": " + state;
  if (exit_code) line += " (exit code " + std::to_string(*exit_code) + ")";
  if (!message.empty()) line += ": " + message;
  log_(line);
}

void MachineKeeper::converge(const std::vector<api::HostMachine>& desired, bool fetched) {
  observed_.clear();
  for (const auto& [id, status] : runner_.statuses()) {
    observed_[id] = ObservedMachine{status, load_record(id)};
  }
  act(desired, fetched);
}

void MachineKeeper::tick(const std::vector<api::HostMachine>& desired) {
  for (auto& [id, seen] : observed_) {
    if (seen.status.kind != Status::Running) continue;
    if (auto code = read_exit_code(runner_.machine_dir(id) + "/exit")) {
      seen.status = MachineStatus{Status::Exited, 0, *code};
    }
  }
  act(desired, false);
}

void MachineKeeper::act(const std::vector<api::HostMachine>& desired, bool fetched) {
  auto actions = plan_machines(desired, fetched, observed_, destroyed_reported_);
  std::vector<const MachineAction*> stops;
  for (const auto& action : actions) {
    if (action.kind == Kind::Stop) stops.push_back(&action);
  }
  stop_together(stops);
  for (const auto& action : actions) {
    try {
      switch (action.kind) {
        case Kind::Start:
          start(action);
          break;
        case Kind::Stop:
          break;  // done above
        case Kind::Destroy:
          destroy(action);
          break;
        case Kind::Report:
          report(action);
          break;
        case Kind::Ended:
          ended(action);
          break;
      }
    } catch (const std::exception& e) {
      // The next pass tries again; one machine's trouble does not hold up the others.
      log_("machine " + action.id + ": " + e.what());
    }
  }
}

void MachineKeeper::fail(const std::string& id, std::uint64_t generation,
                         const std::string& message) {
  keep_record(id, {generation, "started", "failed"});
  say(id, generation, "failed", std::nullopt, message);
}

std::optional<MachineSpec> MachineKeeper::runnable(const std::string& id, std::uint64_t generation,
                                                   const MachineSpec& spec) {
  MachineSpec prepared;
  try {
    prepared = images_.prepare(spec);
  } catch (const std::exception& e) {
    fail(id, generation, e.what());
    return std::nullopt;
  }
  auto problem = start_problem(prepared);
  if (problem.empty()) problem = spec_problem(prepared);
  if (!problem.empty()) {
    fail(id, generation, problem);
    return std::nullopt;
  }
  return prepared;
}

void MachineKeeper::start(const MachineAction& action) {
  supervision_[action.id] = {};
  auto spec = runnable(action.id, action.generation, action.spec);
  if (!spec) return;
  if (action.replace) {
    log_("machine " + action.id + ": generation " + std::to_string(action.generation) +
         " replaces the one running");
    runner_.stop(action.id, action.signal, action.timeout);
  }
  keep_record(action.id, {action.generation, "started", "starting"});
  say(action.id, action.generation, "starting");
  launch(action.id, *spec, action.generation);
}

void MachineKeeper::launch(const std::string& id, const MachineSpec& spec,
                           std::uint64_t generation) {
  auto& supervision = supervision_[id];
  supervision.running_since = Clock::now();
  try {
    runner_.start(spec);
  } catch (const std::exception& e) {
    observed_[id].status = runner_.status(id);
    fail(id, generation, e.what());
    return;
  }
  auto status = runner_.status(id);
  observed_[id].status = status;
  // One that ended at once is supervision's on the next tick (it sees the exit code).
  const auto& record = observed_[id].record;
  if (status.kind == Status::Running && (!record || record->reported != "started")) {
    keep_record(id, {generation, "started", "started"});
    say(id, generation, "started");
  }
}

void MachineKeeper::stop_together(const std::vector<const MachineAction*>& stops) {
  // Each stop may wait out its machine's stop timeout (5 s by default, then SIGKILL): in turn,
  // ten machines that ignore their signal would hold every other action up for 50 s. So every
  // machine gets its signal at once and the waits overlap; the bookkeeping stays on this thread.
  std::vector<std::future<MachineStatus>> waits;
  for (const auto* action : stops) {
    supervision_.erase(action->id);
    auto record = observed_[action->id].record.value_or(MachineRecord{});
    keep_record(action->id, {action->generation, "stopped", record.reported});
    waits.push_back(std::async(std::launch::async, [this, action] {
      return runner_.stop(action->id, action->signal, action->timeout);
    }));
  }
  for (std::size_t i = 0; i < stops.size(); ++i) {
    const auto& action = *stops[i];
    try {
      auto status = waits[i].get();
      observed_[action.id].status = status;
      std::optional<int> code;
      if (status.kind == Status::Exited) code = status.exit_code;
      keep_record(action.id, {action.generation, "stopped", "stopped"});
      say(action.id, action.generation, "stopped", code);
    } catch (const std::exception& e) {
      log_("machine " + action.id + ": " + e.what());  // the next pass tries again
    }
  }
}

void MachineKeeper::destroy(const MachineAction& action) {
  runner_.destroy(action.id);
  observed_.erase(action.id);
  supervision_.erase(action.id);
  if (action.report_destroyed) {
    destroyed_reported_.insert(action.id);
    say(action.id, action.generation, "destroyed");
  } else {
    log_("machine " + action.id + ": destroyed (the control plane no longer lists it)");
  }
}

void MachineKeeper::report(const MachineAction& action) {
  const auto& r = action.report;
  if (r.state == "destroyed") {
    destroyed_reported_.insert(action.id);
  } else {
    keep_record(action.id, {action.generation, action.desired, r.state});
  }
  say(action.id, action.generation, r.state, r.exit_code, r.message);
}

void MachineKeeper::ended(const MachineAction& action) {
  auto& supervision = supervision_[action.id];
  const auto now = Clock::now();
  if (supervision.restart_at) {
    if (now < *supervision.restart_at) return;
    supervision.restart_at.reset();
    log_("machine " + action.id + ": restarting (restart " + std::to_string(supervision.restarts) +
         ")");
    if (auto spec = runnable(action.id, action.generation, action.spec)) {
      launch(action.id, *spec, action.generation);
    }
    return;
  }
  auto ran = std::chrono::duration_cast<std::chrono::milliseconds>(now - supervision.running_since);
  auto decision = decide_after_exit(action.restart, action.exit_code, supervision.restarts, ran);
  switch (decision.kind) {
    case ExitDecision::Kind::Restart:
      supervision.restarts = decision.restarts;
      supervision.restart_at = now + decision.delay;
      log_("machine " + action.id + ": exited with code " + std::to_string(action.exit_code) +
           "; restarting in " + seconds_text(decision.delay) + " (policy " + action.restart.policy +
           ")");
      return;
    case ExitDecision::Kind::Stopped:
      keep_record(action.id, {action.generation, "started", "stopped"});
      say(action.id, action.generation, "stopped", action.exit_code);
      return;
    case ExitDecision::Kind::GaveUp:
      fail(action.id, action.generation, decision.message);
      return;
  }
}

void MachineKeeper::stop_all(const std::vector<api::HostMachine>& desired) {
  std::map<std::string, const api::HostMachine*> by_id;
  for (const auto& m : desired) by_id[m.id] = &m;
  for (const auto& id : runner_.machines()) {
    if (runner_.status(id).kind != Status::Running) continue;
    api::StopConfig stop;
    if (auto it = by_id.find(id); it != by_id.end()) stop = it->second->config.stop_config;
    runner_.stop(id, api::stop_signal_number(stop.signal).value_or(SIGINT),
                 std::chrono::seconds(stop.timeout_seconds));
    log_("machine " + id + ": stopped, as the agent exits");
  }
}

void MachineKeeper::destroy_all() {
  for (const auto& id : runner_.machines()) {
    try {
      runner_.destroy(id);
      log_("machine " + id + ": destroyed");
    } catch (const std::exception& e) {
      log_("machine " + id + ": " + e.what());
    }
  }
  observed_.clear();
  supervision_.clear();
}

}  // namespace sixpn::host
