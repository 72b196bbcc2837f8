#include "host/agent_command.hpp"

#include <signal.h>

#include <atomic>
#include <cstdio>

#include "host/agent_network.hpp"
#include "net/gateway.hpp"

namespace sixpn::host {

namespace {
std::atomic<bool> g_stop{false};

extern "C" void on_stop_signal(int) {
  g_stop = true;
}

// "" when `endpoint` is IPv4:PORT or [IPv6]:PORT with a port, else why not.
std::string endpoint_problem(const std::string& endpoint) {
  auto colon = endpoint.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == endpoint.size()) {
    return "--endpoint must be IP:PORT (e.g. 10.0.0.2:51821)";
  }
  try {
    std::size_t used = 0;
    long port = std::stol(endpoint.substr(colon + 1), &used);
    if (used != endpoint.size() - colon - 1 || port < 1 || port > 65535)
      throw std::out_of_range("");
  } catch (const std::exception&) {
    return "--endpoint's port must be a number from 1 to 65535";
  }
  return "";
}

std::uint16_t port_of(const std::string& endpoint) {
  return static_cast<std::uint16_t>(std::stoi(endpoint.substr(endpoint.rfind(':') + 1)));
}
}  // namespace

CLI::App* add_host_command(CLI::App& app, HostCommandOptions& o) {
  auto* cmd = app.add_subcommand("host", "Run this server's host agent: machines, mesh, DNS");
  cmd->add_option("--control-plane,--api-url", o.agent.client.base_url,
                  "URL of sixpnd serve (http:// or https://)")
      ->required();
  cmd->add_option("--join-token", o.agent.join_token,
                  "Token from 'sixpnd hosts create'; used once, to register (ignored later)");
  cmd->add_option("--endpoint", o.agent.endpoint,
                  "IP:PORT the other hosts dial for the mesh; the WireGuard listen port is its "
                  "port")
      ->check([](const std::string& v) { return endpoint_problem(v); });
  cmd->add_option("--interface", o.interface,
                  "WireGuard interface of the mesh (unique per host on one kernel); without it "
                  "the host runs machines only: no mesh, no DNS")
      ->check([](const std::string& name) { return net::interface_name_problem(name); });
  cmd->add_option("--state-dir", o.agent.state_dir,
                  "Directory (0700) for the key, the credential and the machines")
      ->required();
  cmd->add_option("--name", o.agent.name, "Name to register with (default: host-<id>)");
  cmd->add_option("--netns-prefix", o.agent.netns_prefix,
                  "Machine namespaces are <prefix><machine id>")
      ->capture_default_str();
  cmd->add_option("--resync", o.resync_seconds,
                  "Seconds between full passes that undo drift, besides every new state")
      ->check(CLI::Range(1.0, 3600.0))
      ->capture_default_str();
  cmd->add_option("--dns-upstream", o.dns_upstreams,
                  "HOST[:PORT] the DNS at fdaa::3 forwards other names to (repeatable)")
      ->delimiter(',');
  cmd->add_option("--ca-file", o.agent.client.ca_file,
                  "PEM file of CA certificates to trust for the control plane");
  cmd->add_option("--fingerprint", o.agent.client.fingerprint,
                  "sha256:… key pin of a self-signed control plane");
  cmd->add_flag("--stop-machines-on-exit", o.agent.stop_machines_on_exit,
                "On SIGINT/SIGTERM also stop the machines (default: they keep running and the "
                "next start adopts them)");
  cmd->footer(
      "Needs root (network namespaces, runc). The first start registers with --join-token and\n"
      "keeps the WireGuard key and the host credential in --state-dir; later starts use them.\n\n"
      "Example:\n"
      "  JOIN=$(sixpnd hosts create --region ams)\n"
      "  sudo sixpnd host --control-plane https://cp.example:8080 --join-token \"$JOIN\" \\\n"
      "      --endpoint 10.0.0.2:51821 --interface sixpn0 --state-dir /var/lib/sixpn-host");
  return cmd;
}

int run_host_command(HostCommandOptions& o) {
  o.agent.resync = std::chrono::milliseconds(static_cast<long long>(o.resync_seconds * 1000));
  if (!o.agent.client.fingerprint.empty() && api::curl_pin_of(o.agent.client.fingerprint).empty()) {
    std::fprintf(stderr, "Error: --fingerprint must be sha256: followed by 64 hex digits\n");
    return 2;
  }
  if (!o.interface.empty()) {
    if (o.agent.endpoint.empty()) {
      std::fprintf(stderr, "Error: --interface needs --endpoint (its port is the listen port)\n");
      return 2;
    }
    o.agent.network = make_network_side(o.interface, port_of(o.agent.endpoint), o.userspace_binary,
                                        o.dns_upstreams, o.agent.log);
  } else {
    std::fprintf(stderr, "sixpnd host: no --interface: machines only, no mesh and no DNS\n");
  }
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  return run_agent(o.agent, g_stop);
}

}  // namespace sixpn::host
