#pragma once
// `sixpnd serve --host`: the control plane's own host, so one box runs real machines. It is the
// agent of `sixpnd host`, on a thread, talking to this server's API like any host; only its
// registration differs: it is made in-process (no join token leaves the process), for region
// "*" (placement uses it for every region without live hosts of its own), with the gateway's
// WireGuard key and endpoint. In the mesh it is the gateway's node (server/host_state.cpp):
// its machines sit beside the gateway, their /112s routed to their veths, covered by the
// gateway's isolation table (GatewayOptions::host_dns lets them ask fdaa::3), and the server's
// own DNS answers them at fdaa::3 (serve.cpp puts it on lo). So the agent runs without a
// network side of its own: machines only.
#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/client.hpp"
#include "server/hostport.hpp"
#include "server/store/store.hpp"

namespace sixpn::server {

struct EmbeddedHostOptions {
  std::string state_dir;  // the agent's state directory (sixpnd host's --state-dir)
  std::string name = "local";
  std::string netns_prefix = "sixpn-";
  double resync_seconds = 30;
};

// Makes sure `state_dir` holds a registration this store knows: none yet → registers the
// embedded host and keeps its credential there as `sixpnd host` would. Throws
// std::runtime_error, in one sentence saying what to do, when the directory's credential is
// unknown to the store (it belongs to another database) or when the store has an embedded host
// whose credential the directory does not hold (its directory was lost).
void ensure_embedded_registration(store::Store& store, const std::string& gateway_pubkey,
                                  const HostPort& gateway_endpoint,
                                  const EmbeddedHostOptions& options);

class EmbeddedHost {
 public:
  // `api`: how to reach this server (base URL and TLS pin); the credential is the agent's.
  EmbeddedHost(EmbeddedHostOptions options, api::ClientOptions api);
  ~EmbeddedHost();
  EmbeddedHost(const EmbeddedHost&) = delete;
  EmbeddedHost& operator=(const EmbeddedHost&) = delete;

  void start();
  // Stops the agent and waits for it; the machines keep running and the next start adopts
  // them. Idempotent.
  void stop();

 private:
  EmbeddedHostOptions options_;
  api::ClientOptions api_;
  std::atomic<bool> stop_{false};
  std::mutex joining_;  // stop() may come from the signal thread and from serve's end at once
  std::thread agent_;
};

// The URL a client on this machine reaches `listen` at: a wildcard becomes loopback.
std::string local_url(const char* scheme, const HostPort& listen);

}  // namespace sixpn::server
