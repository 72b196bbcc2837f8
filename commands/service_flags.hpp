#pragma once
// `machine run`'s service flags (flyctl's --port, --autostart, --autostop, and the concurrency
// and min-machines knobs) and fly.toml's services, turned into config.services. Plain values in
// and out; every mistake is a cli::UsageError naming the flag.
#include <optional>
#include <string>
#include <vector>

#include "api/machine_service.hpp"

namespace sixpn::commands {

struct ServiceFlags {
  std::vector<std::string> ports;  // "[PORT:]INTERNAL[/tcp]", repeatable
  std::optional<bool> autostart;
  std::string autostop;  // "", "off" or "stop"
  std::optional<int> soft_limit;
  std::optional<int> hard_limit;
  std::optional<int> min_machines_running;
  bool any() const {
    return !ports.empty() || autostart || !autostop.empty() || soft_limit || hard_limit ||
           min_machines_running;
  }
};

// One --port: the port on the Flycast address, the machine's port and the protocol.
struct PortFlag {
  int port = 0;
  int internal_port = 0;
  std::string protocol = "tcp";
  bool operator==(const PortFlag&) const = default;
};

// "5432/tcp" → 5432→5432 tcp; "80:8080/tcp" → 80→8080; "8080" → 8080→8080 tcp.
PortFlag parse_port_flag(const std::string& text);

// The services of the app's fly.toml, when `machine run` found one.
struct FileServices {
  std::string source;  // the file's path, for errors
  std::vector<api::MachineService> services;
  std::string force_https_at;  // the key that sets force_https = true; "" when none
};

// The machine's services: from --port when any is given (one service per internal port, as
// flyctl groups them), else the file's, which must not use force_https; the other flags then
// set their field on every service. A service flag with no service at all is a UsageError.
std::vector<api::MachineService> plan_services(const ServiceFlags& flags,
                                               const FileServices& file = {});

}  // namespace sixpn::commands
