#pragma once
// Turning `machine create|run` flags into the API's MachineCreate, refusing bad input before
// anything is sent. Plain values in and out, so unit tests check every rule.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/types.hpp"
#include "commands/service_flags.hpp"

namespace sixpn::commands {

// "--metadata role=db --metadata tier=1" → {role: db, tier: 1}. A pair without '=' or with an
// empty key is a UsageError; a repeated key keeps the last value, as flyctl does.
std::map<std::string, std::string> parse_metadata(const std::vector<std::string>& pairs);

// "--env K=V" pairs, the same way; the key must also be a shell-style name
// ([A-Za-z_][A-Za-z0-9_]*) and not one of the platform's FLY_* variables.
std::map<std::string, std::string> parse_env(const std::vector<std::string>& pairs);

// A duration as flyctl and the Machines API write them: "5s", "1500ms", "2m", "1h", "1m30s", or
// a plain number of seconds. Whole seconds, rounded up; nullopt when the text is not one.
std::optional<int> parse_duration_seconds(const std::string& text);

// parse_duration_seconds for flag `flag`, which takes min_seconds to max_seconds; a
// cli::UsageError naming the flag otherwise.
int duration_flag(const std::string& text, const std::string& flag, int max_seconds,
                  int min_seconds = 1);

// "SIGTERM", "sigterm" or "TERM" → "SIGTERM", for the signals stop_config takes; "" otherwise.
std::string normalize_stop_signal(const std::string& text);

// `machine stop --signal SIG --timeout D` (either may be ""): the stop request's body, empty
// when neither is given. Throws cli::UsageError naming the flag at fault.
api::MachineStop plan_machine_stop(const std::string& signal, const std::string& timeout);

// What `sixpn machine run` was given, as typed.
struct RunFlags {
  std::string region;
  std::string name;
  std::string process_group;
  std::vector<std::string> env;
  std::vector<std::string> metadata;
  std::string image = "host";
  std::string restart;                // "": the API's default (on-failure)
  std::optional<int> max_retries;     // on-failure only
  std::string stop_signal;            // "": SIGINT
  std::string stop_timeout;           // "": 5s
  std::optional<double> cpus;
  std::optional<std::int64_t> memory_mb;
  bool detach = false;
  std::string wait_timeout = "60s";
  std::vector<std::string> command;   // after "--"
  ServiceFlags services;
};

// What to send and how long to wait for the start.
struct RunPlan {
  api::MachineCreate body;
  bool wait = true;
  int wait_timeout_seconds = 60;
};

// Throws cli::UsageError naming the flag at fault. `file` holds fly.toml's services, which
// --port replaces (see plan_services).
RunPlan plan_machine_run(const RunFlags& flags, const FileServices& file = {});

}  // namespace sixpn::commands
