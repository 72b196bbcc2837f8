#include "net/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "net/fd.hpp"

extern char** environ;

namespace sixpn::net {

namespace {

using Clock = std::chrono::steady_clock;

struct Pipe {
  Fd read;
  Fd write;
};

// Close-on-exec, so a child started by another thread at the same moment cannot inherit it.
Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw CommandError(std::string("cannot create a pipe: ") + std::strerror(errno));
  }
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

class FileActions {
 public:
  FileActions() { posix_spawn_file_actions_init(&fa_); }
  ~FileActions() { posix_spawn_file_actions_destroy(&fa_); }
  FileActions(const FileActions&) = delete;
  FileActions& operator=(const FileActions&) = delete;
  posix_spawn_file_actions_t* get() { return &fa_; }

 private:
  posix_spawn_file_actions_t fa_;
};

std::vector<char*> c_argv(const Argv& argv) {
  std::vector<char*> out;
  for (const auto& a : argv) out.push_back(const_cast<char*>(a.c_str()));
  out.push_back(nullptr);
  return out;
}

// Starts argv with the given descriptors as its 0, 1 and 2 (-1 keeps ours) and nothing else
// open: the HTTP and DNS sockets must not leak into a daemon that outlives a request.
pid_t spawn(const Argv& argv, int in, int out, int err,
            const std::vector<std::string>& extra_env = {}) {
  if (argv.empty()) throw CommandError("empty command");
  FileActions fa;
  if (in >= 0) posix_spawn_file_actions_adddup2(fa.get(), in, 0);
  if (out >= 0) posix_spawn_file_actions_adddup2(fa.get(), out, 1);
  if (err >= 0) posix_spawn_file_actions_adddup2(fa.get(), err, 2);
  posix_spawn_file_actions_addclosefrom_np(fa.get(), 3);
  auto args = c_argv(argv);
  std::vector<char*> env;
  for (char** e = environ; *e != nullptr; ++e) env.push_back(*e);
  for (const auto& e : extra_env) env.push_back(const_cast<char*>(e.c_str()));
  env.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, args[0], fa.get(), nullptr, args.data(), env.data());
  if (rc != 0) {
    throw CommandError("cannot run " + argv[0] + ": " + std::strerror(rc));
  }
  return pid;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

int wait_for(pid_t pid) {
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return decode_status(status);
}

// Writing to a command that already exited would raise SIGPIPE and end sixpnd; block it on
// this thread while writing and swallow the one we caused.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &set_, &old_);
  }
  ~SigpipeGuard() {
    sigset_t pending;
    sigpending(&pending);
    if (sigismember(&pending, SIGPIPE)) {
      timespec zero{0, 0};
      sigtimedwait(&set_, nullptr, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t set_;
  sigset_t old_;
};

}  // namespace

pid_t spawn_with_stdio(const Argv& argv, int in, int out, int err) {
  return spawn(argv, in, out, err);
}

int wait_exit_code(pid_t pid) {
  return wait_for(pid);
}

std::string describe(const Argv& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += a.find(' ') == std::string::npos && !a.empty() ? a : "'" + a + "'";
  }
  return out;
}

CommandResult run_command(const Argv& argv, const CommandOptions& options) {
  Pipe in = make_pipe(), out = make_pipe(), err = make_pipe();
  pid_t pid = spawn(argv, in.read.get(), out.write.get(), err.write.get());
  in.read.reset();
  out.write.reset();
  err.write.reset();
  if (options.input.empty()) {
    in.write.reset();
  } else {
    // Non-blocking, so a command that writes a lot before it reads cannot deadlock with us.
    ::fcntl(in.write.get(), F_SETFL, O_NONBLOCK);
  }

  SigpipeGuard guard;
  CommandResult result;
  std::size_t written = 0;
  auto deadline = Clock::now() + options.timeout;
  char buf[4096];
  while (out.read.get() >= 0 || err.read.get() >= 0) {
    pollfd fds[3];
    nfds_t n = 0;
    Fd* owners[3];
    for (Fd* fd : {&in.write, &out.read, &err.read}) {
      if (fd->get() < 0) continue;
      fds[n] = pollfd{fd->get(), static_cast<short>(fd == &in.write ? POLLOUT : POLLIN), 0};
      owners[n++] = fd;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    int ready = left.count() > 0 ? ::poll(fds, n, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ::kill(pid, SIGKILL);
      wait_for(pid);
      throw CommandError(describe(argv) + " did not finish within " +
                         std::to_string(options.timeout.count()) + " ms");
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      Fd* fd = owners[i];
      if (fd == &in.write) {
        ssize_t w =
            ::write(fd->get(), options.input.data() + written, options.input.size() - written);
        if (w > 0) written += static_cast<std::size_t>(w);
        if ((w < 0 && errno != EAGAIN) || written == options.input.size()) fd->reset();
        continue;
      }
      ssize_t r = ::read(fd->get(), buf, sizeof buf);
      if (r > 0) {
        (fd == &out.read ? result.out : result.err).append(buf, static_cast<std::size_t>(r));
      } else if (r == 0 || errno != EINTR) {
        fd->reset();
      }
    }
  }
  in.write.reset();
  result.exit_code = wait_for(pid);
  return result;
}

std::string run_checked(const Argv& argv, const CommandOptions& options) {
  auto result = run_command(argv, options);
  if (result.exit_code != 0) {
    std::string why = result.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    for (auto& c : why) {
      if (c == '\n') c = ' ';
    }
    throw CommandError(describe(argv) + " failed (exit " + std::to_string(result.exit_code) + ")" +
                       (why.empty() ? "" : ": " + why));
  }
  return result.out;
}

ChildProcess::ChildProcess(const Argv& argv, const std::vector<std::string>& extra_env)
    : pid_(spawn(argv, -1, -1, -1, extra_env)) {}

ChildProcess::~ChildProcess() {
  stop();
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), exit_code_(other.exit_code_) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    stop();
    pid_ = std::exchange(other.pid_, -1);
    exit_code_ = other.exit_code_;
  }
  return *this;
}

bool ChildProcess::running() {
  if (pid_ < 0) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == 0) return true;
  exit_code_ = r == pid_ ? decode_status(status) : -1;
  pid_ = -1;
  return false;
}

void ChildProcess::stop(std::chrono::milliseconds grace) {
  if (!running()) return;
  ::kill(pid_, SIGTERM);
  auto deadline = Clock::now() + grace;
  while (Clock::now() < deadline) {
    if (!running()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ::kill(pid_, SIGKILL);
  exit_code_ = wait_for(pid_);
  pid_ = -1;
}

}  // namespace sixpn::net
