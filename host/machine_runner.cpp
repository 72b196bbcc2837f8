#include "host/machine_runner.hpp"

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "host/bundle.hpp"
#include "host/shim.hpp"
#include "net/command.hpp"

namespace sixpn::host {

namespace {
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
constexpr auto kPollEvery = std::chrono::milliseconds(20);
constexpr auto kStartWait = std::chrono::seconds(10);
constexpr auto kKillWait = std::chrono::seconds(5);
// `runc run` removes the container as soon as its process ends, a moment before the shim,
// which waits for runc, writes the exit code; on a busy host that moment can be long.
constexpr auto kExitRecordWait = std::chrono::seconds(5);

void write_file(const fs::path& path, const std::string& text, fs::perms mode) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw std::runtime_error("cannot write " + path.string());
  fs::permissions(path, mode);
}

std::string netns_path(const MachineLink& link) {
  return "/var/run/netns/" + link.netns;
}
}  // namespace

std::optional<RuncState> parse_runc_state(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (!json.is_object() || !json.contains("status") || !json["status"].is_string()) {
    return std::nullopt;
  }
  RuncState state;
  state.status = json["status"].get<std::string>();
  if (json.contains("pid") && json["pid"].is_number_integer()) state.pid = json["pid"].get<int>();
  return state;
}

std::optional<std::map<std::string, RuncState>> parse_runc_list(std::string_view text) {
  auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_null()) return std::map<std::string, RuncState>{};
  if (!json.is_array()) return std::nullopt;
  std::map<std::string, RuncState> out;
  for (const auto& entry : json) {
    if (!entry.is_object() || !entry.contains("id") || !entry["id"].is_string()) continue;
    if (auto state = parse_runc_state(entry.dump())) out[entry["id"].get<std::string>()] = *state;
  }
  return out;
}

MachineRunner::MachineRunner(RunnerOptions options) : options_(std::move(options)) {
  fs::create_directories(fs::path(options_.state_dir) / "machines");
  fs::permissions(options_.state_dir, fs::perms::owner_all);
}

std::string MachineRunner::runc_root() const {
  return options_.state_dir + "/runc";
}

std::string MachineRunner::machine_dir(const std::string& id) const {
  return options_.state_dir + "/machines/" + id;
}

std::string MachineRunner::log_path(const std::string& id) const {
  return machine_dir(id) + "/machine.log";
}

MachineLink MachineRunner::link(const std::string& id, const core::Ipv6& address) const {
  return machine_link(options_.netns_prefix, id, address);
}

void MachineRunner::start(const MachineSpec& spec) {
  if (auto problem = spec_problem(spec); !problem.empty()) throw std::invalid_argument(problem);
  const fs::path dir = machine_dir(spec.id);
  const fs::path bundle = dir / "bundle";
  fs::create_directories(bundle / "etc");
  fs::permissions(dir, fs::perms::owner_all);

  const MachineLink net_link = link(spec.id, spec.private_ip);
  if (!fs::exists(netns_path(net_link))) {
    try {
      for (const auto& argv : plan_machine_net_up(net_link)) net::run_checked(argv);
    } catch (const std::exception& e) {
      for (const auto& argv : plan_machine_net_down(net_link)) net::run_command(argv);
      throw std::runtime_error("machine " + spec.id + ": its network: " + e.what());
    }
  }

  BundleLayout layout{bundle.string(), netns_path(net_link), {}};
  for (const auto& d : host_image_dirs()) {
    if (fs::exists(d)) layout.host_dirs.push_back(d);
  }
  const BundleFiles files = plan_bundle(spec, layout);
  for (const auto& d : files.rootfs_dirs) fs::create_directories(bundle / "rootfs" / d.substr(1));
  const auto readable = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                        fs::perms::others_read;
  write_file(bundle / "config.json", files.config_json,
             fs::perms::owner_read | fs::perms::owner_write);
  write_file(bundle / "etc/hosts", files.hosts, readable);
  write_file(bundle / "etc/resolv.conf", files.resolv_conf, readable);
  write_file(bundle / "etc/hostname", files.hostname, readable);

  const std::string exit_path = (dir / "exit").string();
  fs::remove(exit_path);
  auto argv = options_.shim_command;
  argv.insert(argv.end(), {"--runc-root", runc_root(), "--bundle", bundle.string(), "--id", spec.id,
                           "--log", log_path(spec.id), "--exit-file", exit_path, "--log-max-bytes",
                           std::to_string(options_.log_max_bytes), "--detach"});
  try {
    net::run_checked(argv);  // returns once the shim has detached
  } catch (const std::exception& e) {
    throw std::runtime_error("machine " + spec.id + ": cannot start its shim: " + e.what());
  }
  for (auto deadline = Clock::now() + kStartWait; Clock::now() < deadline;) {
    if (status(spec.id).kind != MachineStatus::Kind::Absent) return;
    std::this_thread::sleep_for(kPollEvery);
  }
  throw std::runtime_error("machine " + spec.id + " did not start within 10 s");
}

MachineStatus MachineRunner::status_from(const std::string& id,
                                         const std::optional<RuncState>& runc) const {
  MachineStatus out;
  if (auto code = read_exit_code(machine_dir(id) + "/exit")) {
    out.kind = MachineStatus::Kind::Exited;
    out.exit_code = *code;
    return out;
  }
  if (!runc) return out;
  // "stopped": the process has ended and the shim is about to record how; until it has, the
  // machine still counts as running, so nothing treats it as gone too early.
  out.kind = MachineStatus::Kind::Running;
  out.pid = runc->pid;
  return out;
}

MachineStatus MachineRunner::status(const std::string& id) const {
  if (read_exit_code(machine_dir(id) + "/exit")) return status_from(id, std::nullopt);
  auto result = net::run_command({"runc", "--root", runc_root(), "state", id});
  return status_from(id, result.exit_code == 0 ? parse_runc_state(result.out) : std::nullopt);
}

std::map<std::string, MachineStatus> MachineRunner::statuses() const {
  // Listed before the exit files are read, so a machine ending in between counts as ended.
  auto result = net::run_command({"runc", "--root", runc_root(), "list", "--format", "json"});
  auto listed = result.exit_code == 0 ? parse_runc_list(result.out) : std::nullopt;
  std::map<std::string, MachineStatus> out;
  for (const auto& id : machines()) {
    if (!listed) {
      out[id] = status(id);  // runc's list did not parse: ask for each, as before
      continue;
    }
    auto it = listed->find(id);
    out[id] = status_from(id, it == listed->end() ? std::nullopt : std::optional(it->second));
  }
  return out;
}

MachineStatus MachineRunner::stop(const std::string& id, int signal,
                                  std::chrono::milliseconds timeout) {
  auto wait_exited = [&](auto limit) {
    for (auto deadline = Clock::now() + limit; Clock::now() < deadline;) {
      if (status(id).kind != MachineStatus::Kind::Running) return true;
      std::this_thread::sleep_for(kPollEvery);
    }
    return false;
  };
  if (status(id).kind != MachineStatus::Kind::Running) return status(id);
  net::run_command({"runc", "--root", runc_root(), "kill", id, std::to_string(signal)});
  if (!wait_exited(timeout)) {
    net::run_command({"runc", "--root", runc_root(), "kill", id, std::to_string(SIGKILL)});
    wait_exited(kKillWait);
  }
  // Gone from runc but no exit code yet: the shim is about to write it (a shim that died
  // never will, hence the bound).
  for (auto deadline = Clock::now() + kExitRecordWait; Clock::now() < deadline;) {
    auto now = status(id);
    if (now.kind != MachineStatus::Kind::Absent) return now;
    std::this_thread::sleep_for(kPollEvery);
  }
  return status(id);
}

void MachineRunner::destroy(const std::string& id) {
  stop(id, SIGKILL, kKillWait);
  net::run_command({"runc", "--root", runc_root(), "delete", "--force", id});
  for (const auto& argv : plan_machine_net_down(link(id, core::Ipv6{}))) net::run_command(argv);
  // The shim may still be writing its last log record or the exit file for a moment after the
  // machine ended; a file it creates mid-removal makes remove_all fail with "not empty", so try
  // again briefly before giving up.
  for (int attempt = 0;; ++attempt) {
    std::error_code ec;
    fs::remove_all(machine_dir(id), ec);
    if (!ec) return;
    if (attempt == 50) throw fs::filesystem_error("cannot remove", machine_dir(id), ec);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::vector<std::string> MachineRunner::machines() const {
  std::vector<std::string> ids;
  for (const auto& entry : fs::directory_iterator(options_.state_dir + "/machines")) {
    if (entry.is_directory()) ids.push_back(entry.path().filename().string());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace sixpn::host
