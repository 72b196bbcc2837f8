#pragma once
// `sixpnd host`: the agent on every server. It registers once (agent_state.hpp keeps what that
// gives it), then watches its desired state on the control plane and converges to it —
// machines (agent_machines.hpp), the mesh and DNS (the network side) — and reports what it
// sees: machine states and the lines machines wrote. It never takes orders; a control plane
// that is away changes nothing on the host (docs/host-protocol.md, "The host's side").
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api/client.hpp"
#include "api/host_types.hpp"
#include "core/keys.hpp"

namespace sixpn::host {

// The four requests of the host protocol. agent_client.cpp makes one over api::Client; the
// errors are api::Client's (HttpError with the status, TransportError, Cancelled).
class HostApi {
 public:
  virtual ~HostApi() = default;
  virtual api::HostRegistered register_host(const api::HostRegister& body) = 0;
  virtual api::HostState host_state(std::uint64_t after, int wait_seconds) = 0;
  virtual void report_machines(const api::HostReport& body) = 0;
  virtual void send_logs(const api::HostLogBatch& body) = 0;
  virtual void proxy_start_machine(const api::ProxyStart& body) = 0;
  virtual void report_proxy(const api::ProxyReport& body) = 0;
};
// `options.token` is the credential ("" for registration).
std::unique_ptr<HostApi> make_host_api(const api::ClientOptions& options);

// The WireGuard mesh, routes, isolation and DNS of the host: applied from every state.
class NetworkSide {
 public:
  virtual ~NetworkSide() = default;
  virtual void start() = 0;
  virtual void stop() = 0;
  // Idempotent; throws on failure. `check`: also look for drift on the system (a full pass);
  // without it, a network side may skip what the last apply already made.
  virtual void apply(const api::HostState& state, bool check) = 0;
  // What the node's Flycast proxy counted; none when this side runs no proxy.
  virtual std::optional<api::ProxyReport> proxy_report() const { return std::nullopt; }
  // How the proxy starts a stopped machine (through the control plane, on a thread of the
  // proxy's own). Called once, before start().
  virtual void set_machine_starter(std::function<void(const api::ProxyStart&)> start) {
    (void)start;
  }
};
using Log = std::function<void(const std::string&)>;
using NetworkSideFactory = std::function<std::unique_ptr<NetworkSide>(core::PrivateKey key)>;

struct AgentOptions {
  api::ClientOptions client;  // base_url, TLS settings; the token is the agent's business
  std::string state_dir;
  std::string join_token;  // used once, when the state directory holds no credential
  std::string endpoint;    // "IP:PORT" the mesh dials
  std::string name;
  // Embedded in `sixpnd serve --host`: the credential the server made; no registration.
  std::string credential;
  std::string netns_prefix = "sixpn-";
  std::chrono::milliseconds resync{std::chrono::seconds(30)};
  // The detached shim: the sixpnd binary and its subcommand (MachineRunner appends flags).
  std::vector<std::string> shim_command;
  bool stop_machines_on_exit = false;
  // Makes the network side from the host's key; none: machines only (no mesh, no DNS).
  NetworkSideFactory network;
  Log log;  // one line per event; default: stderr, "sixpnd host: …"
};

// Exit codes of run_agent.
inline constexpr int kAgentStopped = 0;  // asked to stop; machines keep running
inline constexpr int kAgentFailed = 1;   // could not start (a message said why)
inline constexpr int kAgentRemoved = 3;  // the control plane refused the credential (401)

// Runs until `stop` turns true (SIGINT/SIGTERM, or the embedding server shutting down) or the
// host is removed; returns one of the codes above. Blocking; run it on a thread to embed it.
int run_agent(const AgentOptions& options, std::atomic<bool>& stop);

}  // namespace sixpn::host
