#pragma once
// Runs machines on this host: the thin runner over the plans of machine_net.hpp and bundle.hpp
// and the shim of shim.hpp. Each machine has a directory of its own under the state directory,
//   <state>/machines/<id>/{bundle/, machine.log, exit}    (and <state>/images/, the image cache)
// and the machine's container and namespace are named by its id, so a runner started later
// (after a restart, or a kill -9 of the agent) finds every machine again from what is on disk
// and what runc reports, and adopts the running ones without touching them.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/machine_net.hpp"
#include "host/machine_spec.hpp"

namespace sixpn::host {

// What runc says of a container (`runc state ID`), reduced to what the runner needs.
struct RuncState {
  std::string status;  // "creating", "created", "running", "paused" or "stopped"
  int pid = 0;
};
// From `runc state`'s JSON; nullopt when the text is not that.
std::optional<RuncState> parse_runc_state(std::string_view json);
// From `runc list --format json`: every container by id (runc says `null` for none); nullopt
// when the text is not that.
std::optional<std::map<std::string, RuncState>> parse_runc_list(std::string_view json);

struct MachineStatus {
  enum class Kind { Absent, Running, Exited } kind = Kind::Absent;
  int pid = 0;        // Running: the machine's first process, as the host sees it
  int exit_code = 0;  // Exited: as the shim recorded it (128 + signal when killed)
};

struct RunnerOptions {
  std::string state_dir;     // absolute; the runner's own (runc's state lives in it too)
  std::string netns_prefix;  // machine namespaces are <prefix><id>
  // How to start a detached shim: the sixpnd binary and its subcommand, e.g.
  // {"/usr/bin/sixpnd", "machine-shim"}; the runner appends the shim's flags.
  std::vector<std::string> shim_command;
  std::uint64_t log_max_bytes = 1 << 20;
};

class MachineRunner {
 public:
  explicit MachineRunner(RunnerOptions options);

  // Wires the namespace (unless it is there already), writes the bundle and starts the shim;
  // returns once the machine runs or has already ended. Throws std::runtime_error (naming the
  // step) when it cannot, having undone what it made.
  void start(const MachineSpec& spec);
  MachineStatus status(const std::string& id) const;
  // Every machine on disk with its status, as status() says it, from one `runc list` for all
  // of them: a full pass asks this, and one runc call per machine cost ~25-35 ms each.
  std::map<std::string, MachineStatus> statuses() const;
  // Sends `signal`, waits up to `timeout` for the machine to end, then SIGKILL. Returns its
  // status afterwards; a machine that is not running is left as it is.
  MachineStatus stop(const std::string& id, int signal, std::chrono::milliseconds timeout);
  // Stops it (SIGKILL), removes its container, namespace and directory.
  void destroy(const std::string& id);
  // The ids of every machine this host has on disk.
  std::vector<std::string> machines() const;

  std::string machine_dir(const std::string& id) const;
  // Where unpacked OCI images are cached (image_cache.hpp): <state>/images.
  std::string images_dir() const { return options_.state_dir + "/images"; }
  std::string log_path(const std::string& id) const;
  MachineLink link(const std::string& id, const core::Ipv6& address) const;

 private:
  std::string runc_root() const;
  // The exit file first (the shim wrote it: the machine ended), then what runc knows.
  MachineStatus status_from(const std::string& id, const std::optional<RuncState>& runc) const;
  RunnerOptions options_;
};

}  // namespace sixpn::host
