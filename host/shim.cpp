#include "host/shim.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "host/machine_log.hpp"
#include "net/command.hpp"
#include "net/fd.hpp"

namespace sixpn::host {

namespace {
using Clock = std::chrono::system_clock;

struct Pipe {
  net::Fd read, write;
};

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot create a pipe");
  }
  return {net::Fd(fds[0]), net::Fd(fds[1])};
}

void write_exit_code(const std::string& path, int code) {
  const std::string tmp = path + ".tmp";
  {
    net::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd.get() < 0)
      throw std::system_error(errno, std::generic_category(), "cannot write " + tmp);
    std::string text = std::to_string(code) + "\n";
    if (::write(fd.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      throw std::system_error(errno, std::generic_category(), "cannot write " + tmp);
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    throw std::system_error(errno, std::generic_category(), "cannot write " + path);
  }
}

// Copies both streams into the log until the child has closed both.
void pump(net::Fd& out, net::Fd& err, RotatingLog& log) {
  LineStamper out_lines(Stream::Stdout), err_lines(Stream::Stderr);
  char buf[8192];
  while (out.get() >= 0 || err.get() >= 0) {
    pollfd fds[2];
    nfds_t n = 0;
    net::Fd* owners[2];
    for (net::Fd* fd : {&out, &err}) {
      if (fd->get() < 0) continue;
      fds[n] = pollfd{fd->get(), POLLIN, 0};
      owners[n++] = fd;
    }
    if (::poll(fds, n, -1) < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "poll");
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      net::Fd* fd = owners[i];
      LineStamper& lines = fd == &out ? out_lines : err_lines;
      ssize_t r = ::read(fd->get(), buf, sizeof buf);
      if (r > 0) {
        for (const auto& record : lines.feed({buf, static_cast<std::size_t>(r)}, Clock::now())) {
          log.append(record);
        }
      } else if (r == 0 || errno != EINTR) {
        fd->reset();
        if (auto rest = lines.finish(Clock::now())) log.append(*rest);
      }
    }
  }
}
}  // namespace

std::vector<std::string> runc_run_argv(const ShimOptions& options) {
  return {"runc", "--root", options.runc_root, "run", "--bundle", options.bundle, options.id};
}

int run_shim(const ShimOptions& options) {
  RotatingLog log(options.log_path, options.log_max_bytes);
  int code = kShimCannotRun;
  pid_t pid = -1;
  try {
    net::Fd null(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    Pipe out = make_pipe(), err = make_pipe();
    pid =
        net::spawn_with_stdio(runc_run_argv(options), null.get(), out.write.get(), err.write.get());
    out.write.reset();
    err.write.reset();
    pump(out.read, err.read, log);
  } catch (const std::exception& e) {
    LineStamper lines(Stream::Stderr);
    for (const auto& record : lines.feed(std::string("sixpnd: ") + e.what() + "\n", Clock::now())) {
      log.append(record);
    }
  }
  if (pid > 0) code = net::wait_exit_code(pid);
  write_exit_code(options.exit_path, code);
  return code;
}

int run_shim_detached(const ShimOptions& options) {
  pid_t pid = ::fork();
  if (pid < 0) return 1;
  if (pid > 0) return 0;
  ::setsid();
  int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd <= 2; ++fd) ::dup2(null, fd);
  if (null > 2) ::close(null);
  int code = kShimCannotRun;
  try {
    code = run_shim(options);
  } catch (...) {
    // Nowhere left to say it: the log could not be opened. The missing exit file says it.
  }
  ::_exit(code);
}

std::optional<int> read_exit_code(const std::string& exit_path) {
  std::ifstream in(exit_path);
  int code = 0;
  if (!(in >> code) || code < 0 || code > 255) return std::nullopt;
  return code;
}

}  // namespace sixpn::host
