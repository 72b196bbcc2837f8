#pragma once
// `sixpnd host`: its flags (CLI11) and the run that follows them, wiring the agent to the
// network side of this host and to SIGINT/SIGTERM.
#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "host/agent.hpp"

namespace sixpn::host {

struct HostCommandOptions {
  AgentOptions agent;
  std::string interface;  // WireGuard; "" : machines only, no mesh and no DNS
  std::vector<std::string> dns_upstreams;
  double resync_seconds = 30;
  std::string userspace_binary = "wireguard-go";
};

// Adds the `host` subcommand to `app`, filling `options` when it is parsed.
CLI::App* add_host_command(CLI::App& app, HostCommandOptions& options);

// Runs the agent until SIGINT/SIGTERM; returns sixpnd's exit code.
int run_host_command(HostCommandOptions& options);

}  // namespace sixpn::host
