#pragma once
// A machine's configuration, in the shape of Fly's Machines API (`config` of POST
// /v1/apps/{app}/machines): what runs, with which environment, how it restarts and stops, and
// with what limits. The control plane stores it as given (after validation) and hands it to the
// host that runs the machine; the host turns it into a bundle and a supervision policy.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/machine_service.hpp"

namespace sixpn::api {

struct RestartPolicy {
  // "no": never restarted; "always": restarted whenever it ends; "on-failure": restarted when
  // it ends with a non-zero code, at most max_retries times in a row. Between restarts the host
  // waits 1 s, doubling up to 30 s; a run that lasted 60 s resets the count and the wait.
  std::string policy = "on-failure";
  int max_retries = 10;  // on-failure only
};

struct StopConfig {
  std::string signal = "SIGINT";  // SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL
  int timeout_seconds = 5;        // then SIGKILL; JSON "timeout": "5s" (also a number of seconds)
};

// The optional body of POST /v1/apps/{app}/machines/{id}/stop, in the shape of Fly's Machines
// API: the signal and timeout of this one stop, each defaulting to the machine's stop_config.
struct MachineStop {
  std::optional<std::string> signal;   // one of stop_config's signals
  std::optional<int> timeout_seconds;  // JSON "timeout": "10s" (or seconds); 0..3600
  bool empty() const { return !signal && !timeout_seconds; }
  bool operator==(const MachineStop&) const = default;
};

struct GuestConfig {
  std::optional<double> cpus;             // CPU quota in CPUs; none: no limit
  std::optional<std::int64_t> memory_mb;  // none: no limit
};

struct MachineConfig {
  // "host" (the host's own /usr, /bin, /lib, /etc, read-only; the default) or an absolute path
  // on the host to a root filesystem directory or an OCI image layout ("path[:tag]").
  std::string image = "host";
  std::vector<std::string> init_cmd;  // config.init.cmd; empty: the image's default (host: sleep)
  std::map<std::string, std::string> env;
  std::map<std::string, std::string> metadata;
  RestartPolicy restart;
  StopConfig stop_config;
  GuestConfig guest;
  std::vector<MachineService> services;  // what the Flycast proxy reaches on it
};

// Signal names stop_config takes, and their numbers.
std::optional<int> stop_signal_number(const std::string& name);

// "" when `config` is one the platform can run; else one sentence saying what is wrong
// (an unknown restart policy, a relative image path, a timeout out of 1..3600 s, a service
// port out of 1..65535, …).
std::string machine_config_problem(const MachineConfig& config);

// "" when `stop` is one the platform can carry out; else one sentence (an unknown signal, a
// timeout out of 0..3600 s).
std::string machine_stop_problem(const MachineStop& stop);

// What one stop uses: the request's signal and timeout where it gives them, else the config's.
StopConfig stop_config_for(const StopConfig& config, const MachineStop& stop);

void to_json(nlohmann::json& j, const MachineStop& v);
void from_json(const nlohmann::json& j, MachineStop& v);
void to_json(nlohmann::json& j, const StopConfig& v);
void from_json(const nlohmann::json& j, StopConfig& v);
void to_json(nlohmann::json& j, const MachineConfig& v);
void from_json(const nlohmann::json& j, MachineConfig& v);

}  // namespace sixpn::api
