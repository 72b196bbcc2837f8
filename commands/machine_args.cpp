#include "commands/machine_args.hpp"

#include <cctype>
#include <climits>

#include "api/machine_config.hpp"
#include "cli/errors.hpp"
#include "cli/output.hpp"

namespace sixpn::commands {

namespace {

// One pair of "--flag KEY=VALUE"; `what` names the flag in the error.
std::pair<std::string, std::string> split_pair(const std::string& pair, const std::string& flag,
                                               const std::string& what) {
  auto eq = pair.find('=');
  if (eq == std::string::npos || eq == 0) {
    throw cli::UsageError(what + " \"" + cli::one_line(pair.substr(0, 80)) + "\" is not " +
                              (flag == "--env" ? "KEY=VALUE" : "key=value"),
                          "write it as " + flag + (flag == "--env" ? " KEY=VALUE" : " key=value"));
  }
  return {pair.substr(0, eq), pair.substr(eq + 1)};
}

bool is_env_name(const std::string& key) {
  if (key.empty() || std::isdigit(static_cast<unsigned char>(key.front()))) return false;
  for (unsigned char c : key) {
    if (!std::isalnum(c) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::map<std::string, std::string> parse_metadata(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> out;
  for (const auto& pair : pairs) {
    auto [key, value] = split_pair(pair, "--metadata", "metadata");
    out[key] = value;
  }
  return out;
}

std::map<std::string, std::string> parse_env(const std::vector<std::string>& pairs) {
  std::map<std::string, std::string> out;
  for (const auto& pair : pairs) {
    auto [key, value] = split_pair(pair, "--env", "--env");
    if (!is_env_name(key)) {
      throw cli::UsageError("--env name \"" + cli::one_line(key.substr(0, 40)) +
                                "\" is not a variable name",
                            "use letters, digits and _, not starting with a digit");
    }
    if (key.rfind("FLY_", 0) == 0) {
      throw cli::UsageError("--env cannot set " + key +
                            ": the FLY_* variables are set by the platform");
    }
    out[key] = value;
  }
  return out;
}

int duration_flag(const std::string& text, const std::string& flag, int max_seconds,
                  int min_seconds) {
  auto seconds = parse_duration_seconds(text);
  if (!seconds) {
    throw cli::UsageError(flag + " \"" + cli::one_line(text.substr(0, 40)) +
                              "\" is not a duration",
                          "write it as 5s, 1500ms, 2m or 1m30s");
  }
  if (*seconds < min_seconds || *seconds > max_seconds) {
    throw cli::UsageError(flag + " must be from " + std::to_string(min_seconds) + "s to " +
                          std::to_string(max_seconds) + "s");
  }
  return *seconds;
}

std::optional<int> parse_duration_seconds(const std::string& text) {
  if (text.empty() || text.size() > 32) return std::nullopt;
  std::size_t i = 0;
  bool plain = true;
  for (unsigned char c : text) plain = plain && std::isdigit(c);
  if (plain) {
    if (text.size() > 9) return std::nullopt;
    return std::stoi(text);
  }
  long long millis = 0;
  while (i < text.size()) {
    std::size_t start = i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
    if (i == start || i - start > 9) return std::nullopt;
    long long n = std::stoll(text.substr(start, i - start));
    std::size_t unit_start = i;
    while (i < text.size() && std::isalpha(static_cast<unsigned char>(text[i]))) ++i;
    std::string unit = text.substr(unit_start, i - unit_start);
    if (unit == "ms") {
      millis += n;
    } else if (unit == "s") {
      millis += n * 1000;
    } else if (unit == "m") {
      millis += n * 60'000;
    } else if (unit == "h") {
      millis += n * 3'600'000;
    } else {
      return std::nullopt;
    }
    if (millis > static_cast<long long>(INT_MAX) * 1000) return std::nullopt;
  }
  return static_cast<int>((millis + 999) / 1000);
}

api::MachineStop plan_machine_stop(const std::string& signal, const std::string& timeout) {
  api::MachineStop stop;
  if (!signal.empty()) {
    stop.signal = normalize_stop_signal(signal);
    if (stop.signal->empty()) {
      throw cli::UsageError(
          "--signal \"" + cli::one_line(signal.substr(0, 20)) + "\" is not one the platform sends",
          "use SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 or SIGKILL");
    }
  }
  if (!timeout.empty()) stop.timeout_seconds = duration_flag(timeout, "--timeout", 3600, 0);
  return stop;
}

std::string normalize_stop_signal(const std::string& text) {
  std::string upper;
  for (unsigned char c : text) upper += static_cast<char>(std::toupper(c));
  if (upper.rfind("SIG", 0) != 0) upper = "SIG" + upper;
  return api::stop_signal_number(upper) ? upper : "";
}

RunPlan plan_machine_run(const RunFlags& f, const FileServices& file) {
  RunPlan plan;
  auto& body = plan.body;
  auto& config = body.config;
  if (f.region.empty()) throw cli::UsageError("--region is required");
  body.region = f.region;
  if (!f.name.empty()) body.name = f.name;
  if (!f.process_group.empty()) body.process_group = f.process_group;
  body.metadata = parse_metadata(f.metadata);
  config.env = parse_env(f.env);

  config.image = f.image;
  if (f.image != "host" && (f.image.empty() || f.image.front() != '/')) {
    throw cli::UsageError("--image must be host or an absolute path on the host, not \"" +
                          cli::one_line(f.image.substr(0, 60)) + "\"");
  }
  config.init_cmd = f.command;
  if (!f.command.empty() && f.command.front().empty()) {
    throw cli::UsageError("the command after -- must start with a program name");
  }

  if (!f.restart.empty()) {
    if (f.restart != "no" && f.restart != "always" && f.restart != "on-failure") {
      throw cli::UsageError("--restart must be no, always or on-failure, not \"" +
                            cli::one_line(f.restart.substr(0, 20)) + "\"");
    }
    config.restart.policy = f.restart;
  }
  if (f.max_retries) {
    if (config.restart.policy != "on-failure") {
      throw cli::UsageError("--max-retries applies only to --restart on-failure");
    }
    if (*f.max_retries < 0 || *f.max_retries > 1000) {
      throw cli::UsageError("--max-retries must be from 0 to 1000");
    }
    config.restart.max_retries = *f.max_retries;
  }
  if (!f.stop_signal.empty()) {
    config.stop_config.signal = normalize_stop_signal(f.stop_signal);
    if (config.stop_config.signal.empty()) {
      throw cli::UsageError("--stop-signal \"" + cli::one_line(f.stop_signal.substr(0, 20)) +
                                "\" is not one the platform sends",
                            "use SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2 or SIGKILL");
    }
  }
  if (!f.stop_timeout.empty()) {
    config.stop_config.timeout_seconds = duration_flag(f.stop_timeout, "--stop-timeout", 3600);
  }
  if (f.cpus) {
    if (!(*f.cpus > 0) || *f.cpus > 1024) {
      throw cli::UsageError("--cpus must be more than 0 and at most 1024");
    }
    config.guest.cpus = f.cpus;
  }
  if (f.memory_mb) {
    if (*f.memory_mb < 16 || *f.memory_mb > 1048576) {
      throw cli::UsageError("--memory must be from 16 to 1048576 (MB)");
    }
    config.guest.memory_mb = f.memory_mb;
  }
  config.services = plan_services(f.services, file);
  plan.wait = !f.detach;
  plan.wait_timeout_seconds = duration_flag(f.wait_timeout, "--wait-timeout", 3600);
  // The flags above name what is wrong; this is the contract's own rule, in case it has one
  // they do not (the server checks it again).
  if (auto problem = api::machine_config_problem(config); !problem.empty()) {
    throw cli::UsageError(problem);
  }
  return plan;
}

}  // namespace sixpn::commands
