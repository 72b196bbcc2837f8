#pragma once
// The Flycast proxy of a node (every `sixpnd host`, and the control plane's gateway): it
// accepts TCP connections on every Flycast address and port it is given, picks a machine
// (balance.hpp) and relays the bytes both ways (relay.hpp). A few threads around epoll, one
// per CPU, carry every connection (the kernel spreads new ones over them); none has a thread
// of its own. Connections to one machine count the same in every thread's choice. A machine
// that refuses or does not answer is skipped for a while and the connection goes to the next
// one; a connection that needs a stopped machine asks for its start
// (ProxyOptions::start_machine) and waits for it, bounded.
//
// Cost of a connection: 2 descriptors (its sockets) and under 400 bytes of the proxy's memory,
// plus the kernel's socket buffers. A direction that streams, or whose destination is slower
// than its source, takes a pipe (2 descriptors more), which holds data only while it moves (at
// most 64 KiB); an idle connection holds none. Connections past max_connections are closed on
// arrival and counted as refused.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/address.hpp"
#include "proxy/service.hpp"

namespace sixpn::proxy {

struct ProxyOptions {
  // The source address of connections to machines (the node's proxy address, on lo), so that
  // replies come back to this node through the mesh. None: the kernel picks one.
  std::optional<core::Ipv6> source;
  std::chrono::milliseconds connect_timeout{3000};
  // How long a connection waits for a machine the proxy started (and then for it to accept).
  std::chrono::milliseconds start_timeout{20000};
  // A refusing machine is skipped this long, doubling on every refusal up to 16 times this.
  std::chrono::milliseconds refused_backoff{500};
  std::size_t max_connections = 0;  // 0: what RLIMIT_NOFILE allows, 6 descriptors each
  std::size_t threads = 0;          // 0: one per CPU, at most 8
  // Asks the control plane to start a machine. Called on a thread of its own, never the
  // loop's; none: autostart is off on this node.
  std::function<void(const std::string& app, const std::string& machine_id)> start_machine;
  std::function<void(const std::string&)> log;  // trouble and autostarts; none: silent
};

struct BackendCounters {
  std::string machine_id;
  int active = 0;
  std::uint64_t connections = 0;  // relayed to it (connected)
  std::uint64_t refusals = 0;     // connection attempts it refused or left unanswered
};

// One service's counters since the proxy started (they survive configuration changes).
struct ServiceCounters {
  core::Ipv6 address;
  std::uint16_t port = 0;
  std::string app;
  std::uint64_t connections = 0;  // accepted from clients
  int active = 0;                 // open now, waiting ones included
  std::uint64_t refused = 0;      // closed without reaching a machine
  std::uint64_t autostarts = 0;   // machine starts asked for
  bool listening = false;
  std::string listen_problem;  // why it does not listen, one sentence; "" while it does
  std::vector<BackendCounters> backends;
};

struct ProxyShared;
class ProxyLoop;

class FlycastProxy {
 public:
  explicit FlycastProxy(ProxyOptions options);
  ~FlycastProxy();  // stops the threads; closes listeners and every connection
  FlycastProxy(const FlycastProxy&) = delete;
  FlycastProxy& operator=(const FlycastProxy&) = delete;

  // Replaces what the proxy serves (thread-safe; the loop applies it at once). Listeners come
  // and go with services; connections of a service that went away finish as they are.
  void update(ProxyConfig config);
  // Services currently configured, with their counters.
  std::vector<ServiceCounters> counters() const;

 private:
  std::unique_ptr<ProxyShared> shared_;
  std::vector<std::unique_ptr<ProxyLoop>> loops_;
};

}  // namespace sixpn::proxy
