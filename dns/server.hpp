#pragma once
// The DNS server's network side: UDP and TCP listeners (RFC 1035, RFC 7766: 2-byte length
// prefix, several queries per connection, idle timeout, a bounded number of connections),
// forwarding of names outside .internal/.flycast (forward.hpp), all on one thread around
// poll(). The answers themselves come from resolver.hpp.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/dns/endpoint.hpp"
#include "dns/snapshot.hpp"

namespace sixpn::dns {

// "HOST:PORT" or "HOST:PORT=ORG": 127.0.0.1:5353, [::1]:5353=my-org, [fdaa:0:18::3]:53=my-org.
struct ListenSpec {
  core::dns::Endpoint endpoint;
  std::optional<std::string> org;
  std::string device;  // set: only traffic that arrived on this interface (the gateway's)
  bool share_port = false;  // SO_REUSEPORT (socket.hpp): beside another listener of ours
};
// nullopt and `problem` set (one sentence) when the text is not of that form.
std::optional<ListenSpec> parse_listen_spec(std::string_view text, std::string& problem);

struct ServerOptions {
  std::vector<ListenSpec> listen;
  std::vector<core::dns::Endpoint> upstreams;        // none: other names are REFUSED
  std::chrono::milliseconds upstream_timeout{2000};  // per upstream asked
  std::chrono::milliseconds tcp_idle_timeout{10000};
  std::size_t max_tcp_connections = 256;
  std::size_t max_pending_forwards = 1024;
  std::function<void(const std::string&)> log;  // start-up and trouble; none: silent
};

class DnsServer {
 public:
  using SnapshotSource = std::function<SnapshotPtr()>;

  DnsServer(ServerOptions options, SnapshotSource snapshot);
  ~DnsServer();  // stops
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  // Binds every listener (UDP and TCP on the same port; port 0 picks one) and starts serving.
  // Throws std::runtime_error naming the listener that could not be bound.
  void start();
  // Returns once the serving thread has ended and every socket is closed. Idempotent.
  void stop();

  // The addresses actually bound, in the order of options.listen (port 0 resolved).
  std::vector<core::dns::Endpoint> bound() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sixpn::dns
