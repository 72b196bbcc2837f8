#include "commands/machine_wait.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "cli/errors.hpp"
#include "cli/output.hpp"

namespace sixpn::commands {

namespace {

constexpr int kLongestWait = 60;  // what GET …/wait accepts

[[noreturn]] void throw_failed(const api::Machine& m) {
  std::string why = m.message.empty() ? "it did not start" : cli::one_line(m.message);
  if (m.exit_code) why += " (exit code " + std::to_string(*m.exit_code) + ")";
  throw cli::Failure("machine " + m.id + " failed: " + why,
                     "see its output with 'sixpn logs -a " + m.app + " --machine " + m.id + "'");
}

}  // namespace

api::Machine await_machine_state(api::Client& client, const std::string& app,
                                 const api::Machine& machine, const std::string& state,
                                 int timeout_seconds) {
  using Clock = std::chrono::steady_clock;
  const auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  api::Machine last = machine;
  if (last.app.empty()) last.app = app;
  for (;;) {
    const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
    if (left <= 0) break;
    const int slice = std::clamp(static_cast<int>(std::ceil(left)), 1, kLongestWait);
    try {
      client.wait_machine(app, machine.id, state, slice);
      if (state == "destroyed") {
        last.state = "destroyed";
        return last;
      }
      return client.machine(app, machine.id);
    } catch (const api::HttpError& e) {
      if (e.status == 408) continue;  // not yet; the loop decides whether to ask again
      if (e.status == 404 && state == "destroyed") {
        last.state = "destroyed";  // already cleaned up
        return last;
      }
      if (e.status == 409 && e.code == "machine_failed") {
        api::Machine failed = client.machine(app, machine.id);
        if (failed.message.empty()) failed.message = e.message;
        if (failed.app.empty()) failed.app = app;
        throw_failed(failed);
      }
      throw;
    }
  }
  try {
    last = client.machine(app, machine.id);
  } catch (const api::HttpError& e) {
    if (e.status != 404 || state != "destroyed") throw;
    last.state = "destroyed";  // gone between the last wait and now
    return last;
  }
  if (last.state == state) return last;
  if (last.state == "failed" && state == "started") throw_failed(last);
  throw cli::Failure("machine " + machine.id + " is " + last.state + ", not " + state +
                         ", after " + std::to_string(timeout_seconds) + " s",
                     "wait longer with --wait-timeout, or see 'sixpn machine status " +
                         machine.id + " -a " + app + "'");
}

}  // namespace sixpn::commands
