#pragma once
// One of a FlycastProxy's loops (internal to proxy/): a thread around epoll that watches every
// service's listening socket (each loop's epoll has it, with EPOLLEXCLUSIVE: the kernel wakes
// one loop that waits) and carries the connections it accepted, from the first byte to the
// close. What the loops
// share is in proxy_state.hpp. proxy_loop.cpp has the loop, its listeners and accepting;
// proxy_connections.cpp the choice of a machine, connecting and relaying.
#include <netinet/in.h>

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "net/fd.hpp"
#include "proxy/proxy_state.hpp"
#include "proxy/relay.hpp"

struct epoll_event;

namespace sixpn::proxy {

// What an epoll event is about: the low two bits of its data, the rest an id.
enum Tag : std::uint64_t { kWake = 0, kListener = 1, kClient = 2, kBackend = 3 };
inline std::uint64_t tagged(std::uint64_t id, Tag tag) {
  return id << 2 | tag;
}

sockaddr_in6 socket_address(const core::Ipv6& address, std::uint16_t port);
void set_int_option(int fd, int level, int name, int value);

struct Conn {
  enum class Phase { Waiting, Connecting, Relaying };
  std::uint64_t id = 0;
  Phase phase = Phase::Waiting;
  net::Fd client;
  net::Fd backend;
  std::shared_ptr<ServiceState> service;
  std::string region;                  // the client's, for "closest first"
  std::string machine_id;              // the machine it is connecting or relaying to
  BackendState* counted_on = nullptr;  // that machine's state, its `active` counting this one
  std::uint64_t backend_token = 0;     // its epoll id: each attempt has its own, so a late event
                                       // about an attempt that failed is not taken for the next
  std::set<std::string> refused_by;    // machines that refused it (not asked again)
  Clock::time_point wait_until;        // overall bound while it has no machine
  Clock::time_point connect_until;
  Direction up;    // client → machine
  Direction down;  // machine → client
};

struct Listener {
  std::uint64_t id = 0;
  std::shared_ptr<net::Fd> fd;  // the service's one listening socket, shared by the loops
  std::shared_ptr<ServiceState> service;
};

class ProxyLoop {
 public:
  explicit ProxyLoop(ProxyShared& shared);
  ~ProxyLoop();  // stops the thread; closes its listeners and connections
  ProxyLoop(const ProxyLoop&) = delete;
  ProxyLoop& operator=(const ProxyLoop&) = delete;

  // The shared configuration changed: the loop takes it at its next turn.
  void notify();

 private:
  void run();
  void dispatch(const epoll_event& ev);

  // Listeners and accepting (proxy_loop.cpp).
  void take_config();
  void retry_listeners();
  std::string open_listener(const ServiceKey& key, std::shared_ptr<net::Fd>& out);
  void drop_listener(const Listener& listener);
  void watch_listener(int fd, std::uint64_t id, int op);
  void set_accepting(bool on);
  void accept_from(std::uint64_t listener_id);
  void watch(const net::Fd& fd, std::uint64_t data);

  // Connections (proxy_connections.cpp).
  void choose(Conn& conn);
  void ask_start(ServiceState& state, const Backend& backend);
  bool connect_to(Conn& conn, const Backend& backend, BackendState& counted);
  void refused(Conn& conn, const std::string& machine_id);
  void backend_failed(Conn& conn);
  void connected(Conn& conn);
  void on_conn_event(Conn& conn, const epoll_event& ev, bool is_backend);
  void relay_after(Conn& conn, const epoll_event& ev, bool is_backend);
  void relay(Conn& conn, bool up_may_move, bool down_may_move);
  void finish(Conn& conn);
  void visit_pending();

  ProxyShared& shared_;
  const ProxyOptions& options_;
  net::Fd epoll_;
  net::Fd wake_;
  std::atomic<bool> stopping_{false};

  std::shared_ptr<const ProxyConfig> config_;
  std::map<ServiceKey, std::shared_ptr<ServiceState>> services_;
  std::map<ServiceKey, Listener> listeners_;
  std::unordered_map<std::uint64_t, ServiceKey> listener_ids_;
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns_;
  std::unordered_map<std::uint64_t, std::uint64_t> backend_tokens_;  // → conn id
  std::set<std::uint64_t> pending_;                                  // conns waiting or connecting
  std::uint64_t next_id_ = 1;
  RelayContext relay_context_;
  Clock::time_point next_listen_retry_{};
  Clock::time_point next_pending_visit_{};
  std::optional<Clock::time_point> accepting_paused_until_;

  std::thread thread_;  // last: it starts once everything above is made
};

}  // namespace sixpn::proxy
