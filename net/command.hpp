#pragma once
// Running the system's network tools (ip, wg, nft, wireguard-go) from sixpnd. Every command is
// an argv array handed to posix_spawn, never a shell string, so no peer name or key can ever be
// read as shell syntax. Secrets go in through stdin, never through argv (which any local user
// can read in /proc).
#include <sys/types.h>
#include <chrono>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sixpn::net {

using Argv = std::vector<std::string>;

struct CommandResult {
  int exit_code = -1;  // 128 + signal number when the command was killed
  std::string out;
  std::string err;
};

// A tool failed or could not be started. The message names the command and quotes its stderr.
class CommandError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct CommandOptions {
  std::string input;  // written to the command's stdin, which is then closed
  std::chrono::milliseconds timeout{10000};
};

// Runs argv[0] (looked up in PATH), waits for it, and collects stdout and stderr. Throws
// CommandError only when the command cannot be started or outlives its timeout (it is then
// killed); a non-zero exit is reported in the result.
CommandResult run_command(const Argv& argv, const CommandOptions& options = {});

// As run_command, but a non-zero exit is a CommandError quoting the command's stderr.
std::string run_checked(const Argv& argv, const CommandOptions& options = {});

// Starts argv with `in`, `out` and `err` as its descriptors 0, 1 and 2 (-1 keeps ours) and
// none of ours beyond them, for a caller that reads the child's output itself. Throws
// CommandError when it cannot be started.
pid_t spawn_with_stdio(const Argv& argv, int in, int out, int err);
// Waits for such a child; its exit code as in CommandResult (128 + signal when killed).
int wait_exit_code(pid_t pid);

// "ip -6 route replace …" for messages; arguments with spaces are quoted.
std::string describe(const Argv& argv);

// A long-running child (wireguard-go in the foreground) that is stopped with SIGTERM, then
// SIGKILL, when this object goes away — so a daemon never outlives the sixpnd that started it.
// Its stdout and stderr are sixpnd's own.
class ChildProcess {
 public:
  ChildProcess() = default;
  // `extra_env` ("NAME=value" entries) is added to sixpnd's own environment for the child.
  explicit ChildProcess(const Argv& argv, const std::vector<std::string>& extra_env = {});
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;

  // False once the child has exited (reaping it if so).
  bool running();
  pid_t pid() const { return pid_; }
  // Exit status once it stopped running (as CommandResult::exit_code).
  int exit_code() const { return exit_code_; }
  // SIGTERM, wait up to `grace`, then SIGKILL.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(3000));

 private:
  pid_t pid_ = -1;
  int exit_code_ = -1;
};

}  // namespace sixpn::net
