#pragma once
// The machine shim: one small process per running machine, between the host agent and runc.
// It runs the machine with `runc run` in the foreground, turns its stdout and stderr into log
// records (machine_log.hpp), and when the machine ends writes its exit code to a file. The host
// agent starts it detached, so a restarted (even kill -9'd) agent finds the machine still
// running, its logs still kept, and later its exit code — as containerd's shims do.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace sixpn::host {

struct ShimOptions {
  std::string runc_root;  // runc's --root: the host's own state directory for containers
  std::string bundle;     // absolute path of the machine's bundle
  std::string id;         // the container id: the machine id
  std::string log_path;   // records go here, rotated to <log_path>.1 at log_max_bytes
  std::string exit_path;  // "<code>\n" is written here (atomically) when the machine ends
  std::uint64_t log_max_bytes = 1 << 20;
};

// The exit code when runc itself could not be started.
inline constexpr int kShimCannotRun = 127;

// The runc command the shim runs.
std::vector<std::string> runc_run_argv(const ShimOptions& options);

// Runs the machine to its end; returns and records its exit code (128 + signal when killed).
// A failure to start runc is a record on stderr in the log and kShimCannotRun.
int run_shim(const ShimOptions& options);

// As run_shim, in a child of its own session with its descriptors 0-2 on /dev/null, so that it
// outlives the caller and holds nothing of the caller's; the caller returns 0 at once (1, with
// errno set, when it could not fork).
int run_shim_detached(const ShimOptions& options);

// The code the shim recorded, or nullopt while the machine runs (or when the file is not one).
std::optional<int> read_exit_code(const std::string& exit_path);

}  // namespace sixpn::host
