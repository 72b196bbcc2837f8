#pragma once
// Typed errors that commands throw. commands/main.cpp is the one place that turns them into the
// "Error: …" line, the optional "hint: …" line and the process exit code.
#include <stdexcept>
#include <string>

namespace sixpn::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,
  kExitUsage = 2,
  kExitAuth = 3,
  kExitNotFound = 4,
  kExitConflict = 5,
  kExitInterrupted = 130,
};

class CliError : public std::runtime_error {
 public:
  CliError(int exit_code, const std::string& message, std::string hint = {})
      : std::runtime_error(message), exit_code_(exit_code), hint_(std::move(hint)) {}
  int exit_code() const { return exit_code_; }
  const std::string& hint() const { return hint_; }

 private:
  int exit_code_;
  std::string hint_;
};

struct Failure : CliError {
  explicit Failure(const std::string& m, std::string h = {})
      : CliError(kExitFailure, m, std::move(h)) {}
};
struct UsageError : CliError {
  explicit UsageError(const std::string& m, std::string h = {})
      : CliError(kExitUsage, m, std::move(h)) {}
};
struct AuthError : CliError {
  explicit AuthError(const std::string& m, std::string h = {})
      : CliError(kExitAuth, m, std::move(h)) {}
};
struct NotFound : CliError {
  explicit NotFound(const std::string& m, std::string h = {})
      : CliError(kExitNotFound, m, std::move(h)) {}
};
struct Conflict : CliError {
  explicit Conflict(const std::string& m, std::string h = {})
      : CliError(kExitConflict, m, std::move(h)) {}
};
struct Interrupted : CliError {
  Interrupted() : CliError(kExitInterrupted, "interrupted") {}
};

}  // namespace sixpn::cli
