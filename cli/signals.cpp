#include "cli/signals.hpp"

#include <csignal>

#include "cli/errors.hpp"

namespace sixpn::cli {

namespace {
volatile std::sig_atomic_t g_interrupted = 0;

extern "C" void on_sigint(int) {
  if (g_interrupted) {
    std::signal(SIGINT, SIG_DFL);
    std::raise(SIGINT);
    return;
  }
  g_interrupted = 1;
}
}  // namespace

void install_interrupt_handler() {
  // A shell without job control starts background commands with SIGINT ignored, so that
  // Ctrl-C reaches only the foreground; keep that promise.
  struct sigaction current = {};
  if (sigaction(SIGINT, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) {
    std::signal(SIGPIPE, SIG_IGN);
    return;
  }
  struct sigaction sa = {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  // No SA_RESTART: a prompt blocked in read() must wake up and see the flag.
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
  // A closed pipe on stdout must be an error we report, not a silent death.
  std::signal(SIGPIPE, SIG_IGN);
}

bool interrupted() {
  return g_interrupted != 0;
}

void throw_if_interrupted() {
  if (interrupted()) throw Interrupted();
}

}  // namespace sixpn::cli
