#include "proxy/flycast_proxy.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "net/fd.hpp"
#include "proxy/balance.hpp"
#include "proxy/relay.hpp"
#include "proxy/start_requests.hpp"

namespace sixpn::proxy {

namespace {

using Clock = std::chrono::steady_clock;
using ServiceKey = std::pair<core::Ipv6, std::uint16_t>;

// What an epoll event is about: the low two bits of its data, the rest an id.
enum Tag : std::uint64_t { kWake = 0, kListener = 1, kClient = 2, kBackend = 3 };
std::uint64_t tagged(std::uint64_t id, Tag tag) { return id << 2 | tag; }

// A pass over waiting and connecting connections at least this often while there are any.
constexpr auto kPendingTick = std::chrono::milliseconds(100);
// A started machine that refuses while the proxy waits for it is asked again this often.
constexpr auto kStartingRetry = std::chrono::milliseconds(200);
constexpr int kMaxBackoffDoublings = 4;  // 16 times refused_backoff at most

sockaddr_in6 socket_address(const core::Ipv6& address, std::uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, address.bytes.data(), 16);
  return sa;
}

std::string endpoint_text(const core::Ipv6& address, std::uint16_t port) {
  return "[" + address.str() + "]:" + std::to_string(port);
}

void set_int_option(int fd, int level, int name, int value) {
  ::setsockopt(fd, level, name, &value, sizeof value);
}

// Closing with a zero linger sends a reset: a client whose machine reset mid-stream sees a
// reset too, not a clean end of data it never fully got.
void close_with_reset(net::Fd& fd) {
  if (!fd) return;
  linger l{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.reset();
}

struct BackendState {
  std::atomic<int> active{0};
  std::atomic<std::uint64_t> connections{0};
  std::atomic<std::uint64_t> refusals{0};
  Clock::time_point refused_until{};
  int doublings = 0;
  std::optional<Clock::time_point> start_asked;  // cleared by its first accepted connection
};

struct ServiceState {
  Service service;
  std::map<std::string, std::unique_ptr<BackendState>> backends;  // by machine id, kept
  std::atomic<std::uint64_t> connections{0};
  std::atomic<int> active{0};
  std::atomic<std::uint64_t> refused{0};
  std::atomic<std::uint64_t> autostarts{0};
  std::size_t rotation = 0;
  bool listening = false;
  std::string listen_problem;

  // Every machine the service ever listed has its entry (made under the services mutex when
  // the configuration arrives), so the loop only ever finds one here.
  BackendState& backend(const std::string& machine_id) {
    auto& slot = backends[machine_id];
    if (!slot) slot = std::make_unique<BackendState>();
    return *slot;
  }
};

struct Conn {
  enum class Phase { Waiting, Connecting, Relaying };
  std::uint64_t id = 0;
  Phase phase = Phase::Waiting;
  net::Fd client;
  net::Fd backend;
  std::shared_ptr<ServiceState> service;
  std::string region;                // the client's, for "closest first"
  std::string machine_id;            // the backend it is counted on, while connecting or relaying
  std::uint64_t backend_token = 0;   // its epoll id: each attempt has its own, so a late event
                                     // about an attempt that failed is not taken for the next
  std::set<std::string> refused_by;  // machines that refused it (not asked again)
  Clock::time_point wait_until;      // overall bound while it has no machine
  Clock::time_point connect_until;
  Direction up;    // client → machine
  Direction down;  // machine → client
};

struct Listener {
  std::uint64_t id = 0;
  net::Fd fd;
  std::shared_ptr<ServiceState> service;
};

}  // namespace

struct FlycastProxy::Loop {
  ProxyOptions options;
  net::Fd epoll;
  net::Fd wake;
  std::thread thread;
  std::atomic<bool> stopping{false};

  // Handed over by update(), taken by the loop.
  std::mutex pending_mutex;
  std::optional<ProxyConfig> pending_config;

  // The services and their counters; the loop changes the map only under this mutex, so
  // counters() may read it from another thread.
  mutable std::mutex services_mutex;
  std::map<ServiceKey, std::shared_ptr<ServiceState>> services;

  // Only the loop thread touches these.
  ProxyConfig config;
  std::map<ServiceKey, Listener> listeners;
  std::unordered_map<std::uint64_t, ServiceKey> listener_ids;
  std::unordered_map<std::uint64_t, std::unique_ptr<Conn>> conns;
  std::unordered_map<std::uint64_t, std::uint64_t> backend_tokens;  // → conn id
  std::set<std::uint64_t> pending;  // conns waiting or connecting
  std::uint64_t next_id = 1;
  PipePool pipes;
  std::optional<StartRequests> starts;
  Clock::time_point next_listen_retry{};
  Clock::time_point next_pending_visit{};
  std::optional<Clock::time_point> accepting_paused_until;

  explicit Loop(ProxyOptions o) : options(std::move(o)) {
    if (options.max_connections == 0) {
      rlimit limit{};
      ::getrlimit(RLIMIT_NOFILE, &limit);
      options.max_connections = limit.rlim_cur > 512 ? (limit.rlim_cur - 256) / 6 : 32;
    }
    epoll = net::Fd(::epoll_create1(EPOLL_CLOEXEC));
    wake = net::Fd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!epoll || !wake) throw std::system_error(errno, std::generic_category(), "flycast proxy");
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tagged(0, kWake);
    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, wake.get(), &ev);
    if (options.start_machine) starts.emplace(options.start_machine);
  }

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  void notify() {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(wake.get(), &one, sizeof one);
  }

  void run() {
    std::vector<epoll_event> events(256);
    while (!stopping.load()) {
      int timeout = pending.empty() ? 1000 : static_cast<int>(kPendingTick.count());
      int n = ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), timeout);
      if (n < 0 && errno != EINTR) {
        log("epoll_wait failed: " + std::string(std::strerror(errno)));
        return;
      }
      for (int i = 0; i < n; ++i) dispatch(events[static_cast<std::size_t>(i)]);
      const auto now = Clock::now();
      if (now >= next_pending_visit) {
        next_pending_visit = now + kPendingTick;
        visit_pending();
      }
      if (accepting_paused_until && now >= *accepting_paused_until) set_accepting(true);
      if (now >= next_listen_retry) retry_listeners();
    }
  }

  void dispatch(const epoll_event& ev) {
    const std::uint64_t id = ev.data.u64 >> 2;
    switch (static_cast<Tag>(ev.data.u64 & 3)) {
      case kWake: {
        std::uint64_t value;
        [[maybe_unused]] auto r = ::read(wake.get(), &value, sizeof value);
        take_config();
        break;
      }
      case kListener:
        accept_from(id);
        break;
      case kClient:
        if (auto it = conns.find(id); it != conns.end()) on_conn_event(*it->second, ev, false);
        break;
      case kBackend:
        if (auto token = backend_tokens.find(id); token != backend_tokens.end()) {
          if (auto it = conns.find(token->second); it != conns.end()) {
            on_conn_event(*it->second, ev, true);
          }
        }
        break;
    }
  }

  // --- configuration -------------------------------------------------------------------

  void take_config() {
    std::optional<ProxyConfig> next;
    {
      std::lock_guard lock(pending_mutex);
      next.swap(pending_config);
    }
    if (!next) return;
    config = std::move(*next);
    {
      std::lock_guard lock(services_mutex);
      std::map<ServiceKey, std::shared_ptr<ServiceState>> updated;
      for (const auto& service : config.services) {
        ServiceKey key{service.address, service.port};
        auto it = services.find(key);
        auto state = it != services.end() ? it->second : std::make_shared<ServiceState>();
        state->service = service;
        for (const auto& b : service.backends) state->backend(b.machine_id);
        updated[key] = state;
      }
      services = std::move(updated);
    }
    for (auto it = listeners.begin(); it != listeners.end();) {
      if (services.count(it->first)) {
        ++it;
        continue;
      }
      listener_ids.erase(it->second.id);
      it = listeners.erase(it);
    }
    retry_listeners();
    // A machine that just started may be what waiting connections need.
    for (auto id : std::set<std::uint64_t>(pending)) {
      auto it = conns.find(id);
      if (it != conns.end() && it->second->phase == Conn::Phase::Waiting) choose(*it->second);
    }
  }

  void retry_listeners() {
    next_listen_retry = Clock::now() + std::chrono::seconds(2);
    std::lock_guard lock(services_mutex);
    for (auto& [key, state] : services) {
      if (listeners.count(key)) continue;
      std::string problem = open_listener(key, state);
      if (problem != state->listen_problem && !problem.empty()) log(problem);
      state->listen_problem = problem;
      state->listening = problem.empty();
    }
  }

  std::string open_listener(const ServiceKey& key, const std::shared_ptr<ServiceState>& state) {
    const auto where = endpoint_text(key.first, key.second);
    net::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) return "cannot listen on " + where + ": " + std::strerror(errno);
    set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
    set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
    // The address may reach lo a moment after the service reaches the proxy.
    set_int_option(fd.get(), SOL_IP, IP_FREEBIND, 1);
    auto sa = socket_address(key.first, key.second);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
        ::listen(fd.get(), 1024) != 0) {
      return "cannot listen on " + where + ": " + std::strerror(errno);
    }
    const auto id = next_id++;
    if (!accepting_paused_until) watch_listener(fd.get(), id, EPOLL_CTL_ADD);
    listener_ids[id] = key;
    listeners[key] = Listener{id, std::move(fd), state};
    return "";
  }

  // --- accepting -------------------------------------------------------------------------

  void watch_listener(int fd, std::uint64_t id, int op) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = tagged(id, kListener);
    ::epoll_ctl(epoll.get(), op, fd, &ev);
  }

  // Out of descriptors, a listener stays readable and would wake the loop without end: the
  // listeners rest a moment while connections finish and give descriptors back.
  void set_accepting(bool on) {
    for (auto& [key, listener] : listeners) {
      watch_listener(listener.fd.get(), listener.id, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL);
    }
    if (on) {
      accepting_paused_until.reset();
    } else {
      accepting_paused_until = Clock::now() + std::chrono::milliseconds(100);
    }
  }

  void accept_from(std::uint64_t listener_id) {
    auto key = listener_ids.find(listener_id);
    if (key == listener_ids.end()) return;
    auto& listener = listeners.at(key->second);
    for (int burst = 0; burst < 64; ++burst) {
      sockaddr_in6 peer{};
      socklen_t len = sizeof peer;
      int fd = ::accept4(listener.fd.get(), reinterpret_cast<sockaddr*>(&peer), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if ((errno == EMFILE || errno == ENFILE) && !accepting_paused_until) {
          log("out of descriptors: new connections wait in the listen queue");
          set_accepting(false);
        }
        return;  // EAGAIN, or a connection that went away before accept
      }
      auto& service = *listener.service;
      service.connections++;
      if (conns.size() >= options.max_connections) {
        ::close(fd);
        service.refused++;
        continue;
      }
      auto conn = std::make_unique<Conn>();
      conn->id = next_id++;
      conn->client = net::Fd(fd);
      conn->service = listener.service;
      core::Ipv6 source;
      std::memcpy(source.bytes.data(), &peer.sin6_addr, 16);
      conn->region = client_region(config, source);
      conn->wait_until = Clock::now() + options.start_timeout;
      set_int_option(fd, IPPROTO_TCP, TCP_NODELAY, 1);
      set_int_option(fd, SOL_SOCKET, SO_KEEPALIVE, 1);
      watch(conn->client, tagged(conn->id, kClient));
      service.active++;
      auto& ref = *conn;
      conns[conn->id] = std::move(conn);
      choose(ref);
    }
  }

  void watch(const net::Fd& fd, std::uint64_t data) {
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u64 = data;
    ::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd.get(), &ev);
  }

  // --- choosing and connecting -------------------------------------------------------------

  void choose(Conn& conn) {
    auto& state = *conn.service;
    const auto& service = state.service;
    const auto now = Clock::now();
    for (;;) {
      std::vector<BackendLoad> loads;
      loads.reserve(service.backends.size());
      for (const auto& b : service.backends) {
        auto& bs = state.backend(b.machine_id);
        BackendLoad load;
        load.active = bs.active.load();
        load.starting = bs.start_asked && now < *bs.start_asked + options.start_timeout;
        load.usable = !conn.refused_by.count(b.machine_id) && now >= bs.refused_until;
        loads.push_back(load);
      }
      auto choice = choose_backend(service, loads, backend_distances(service, conn.region, config),
                                   state.rotation++);
      // A connection that has waited its time gives up rather than asking once more.
      if (choice.start && now < conn.wait_until) ask_start(state, service.backends[*choice.start]);
      if (choice.backend) {
        if (connect_to(conn, service.backends[*choice.backend])) return;
        continue;  // refused at once; it is in refused_by now
      }
      if (choice.wait && now < conn.wait_until) {
        conn.phase = Conn::Phase::Waiting;
        pending.insert(conn.id);
        return;
      }
      if (choice.wait) {
        log("no machine of " + service.app + " accepted on " +
            endpoint_text(service.address, service.port) + " within " +
            std::to_string(options.start_timeout.count()) + " ms of its start; closing");
      }
      state.refused++;
      finish(conn);
      return;
    }
  }

  void ask_start(ServiceState& state, const Backend& backend) {
    if (!starts) return;
    auto& bs = state.backend(backend.machine_id);
    bs.start_asked = Clock::now();
    state.autostarts++;
    log("starting machine " + backend.machine_id + " of " + state.service.app +
        " for a connection to " + endpoint_text(state.service.address, state.service.port));
    starts->push(state.service.app, backend.machine_id);
  }

  // Starts connecting; false when it failed at once (the machine is marked as refusing).
  bool connect_to(Conn& conn, const Backend& backend) {
    net::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd) {
      conn.refused_by.insert(backend.machine_id);  // out of descriptors: try no further
      return false;
    }
    set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
    set_int_option(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 1);
    if (options.source) {
      // The port is chosen at connect(), per destination, so many connections from the one
      // source address do not run out of ports.
      set_int_option(fd.get(), SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1);
      set_int_option(fd.get(), SOL_IP, IP_FREEBIND, 1);
      auto src = socket_address(*options.source, 0);
      ::bind(fd.get(), reinterpret_cast<sockaddr*>(&src), sizeof src);
    }
    auto sa = socket_address(backend.address, backend.port);
    int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
    if (rc != 0 && errno != EINPROGRESS) {
      refused(conn, backend.machine_id);
      return false;
    }
    conn.backend = std::move(fd);
    conn.machine_id = backend.machine_id;
    conn.service->backend(backend.machine_id).active++;
    conn.backend_token = next_id++;
    backend_tokens[conn.backend_token] = conn.id;
    watch(conn.backend, tagged(conn.backend_token, kBackend));
    conn.phase = Conn::Phase::Connecting;
    conn.connect_until = Clock::now() + options.connect_timeout;
    pending.insert(conn.id);
    return true;
  }

  void refused(Conn& conn, const std::string& machine_id) {
    auto& bs = conn.service->backend(machine_id);
    bs.refusals++;
    const bool starting = bs.start_asked.has_value();
    auto backoff = starting ? std::chrono::duration_cast<std::chrono::milliseconds>(kStartingRetry)
                            : options.refused_backoff * (1 << bs.doublings);
    if (!starting && bs.doublings < kMaxBackoffDoublings) bs.doublings++;
    bs.refused_until = Clock::now() + backoff;
    // A machine on its way is asked again by the same connection; any other is not.
    if (!starting) conn.refused_by.insert(machine_id);
  }

  // The machine's side failed before relaying began: count it, and try the next one.
  void backend_failed(Conn& conn) {
    conn.service->backend(conn.machine_id).active--;
    refused(conn, conn.machine_id);
    conn.machine_id.clear();
    backend_tokens.erase(conn.backend_token);
    conn.backend.reset();
    conn.phase = Conn::Phase::Waiting;
    pending.erase(conn.id);
    choose(conn);
  }

  void connected(Conn& conn) {
    auto& bs = conn.service->backend(conn.machine_id);
    bs.doublings = 0;
    bs.refused_until = {};
    bs.start_asked.reset();
    bs.connections++;
    pending.erase(conn.id);
    auto up = pipes.acquire();
    auto down = up ? pipes.acquire() : std::nullopt;
    if (!up || !down) {
      if (up) pipes.release(std::move(*up));
      log("out of descriptors for a connection's pipes; closing it");
      conn.service->refused++;
      finish(conn);
      return;
    }
    conn.up.pipe = std::move(*up);
    conn.down.pipe = std::move(*down);
    conn.phase = Conn::Phase::Relaying;
    relay(conn);
  }

  // --- relaying -----------------------------------------------------------------------------

  void on_conn_event(Conn& conn, const epoll_event& ev, bool is_backend) {
    switch (conn.phase) {
      case Conn::Phase::Waiting:
      case Conn::Phase::Connecting:
        if (!is_backend) {
          // Bytes or a FIN from the client wait in its socket; only a client gone for good
          // ends the connection before a machine is there.
          if (ev.events & (EPOLLERR | EPOLLHUP)) finish(conn);
          return;
        }
        if (conn.phase == Conn::Phase::Connecting) {
          int error = 0;
          socklen_t len = sizeof error;
          ::getsockopt(conn.backend.get(), SOL_SOCKET, SO_ERROR, &error, &len);
          if (error != 0) {
            backend_failed(conn);
          } else if (ev.events & EPOLLOUT) {
            connected(conn);
          }
        }
        return;
      case Conn::Phase::Relaying:
        relay(conn);
        return;
    }
  }

  void relay(Conn& conn) {
    auto up = pump(conn.client.get(), conn.backend.get(), conn.up, conn.down.shut);
    auto down = up == PumpResult::Failed
                    ? PumpResult::Failed
                    : pump(conn.backend.get(), conn.client.get(), conn.down, conn.up.shut);
    if (up == PumpResult::Failed || down == PumpResult::Failed) {
      close_with_reset(conn.client);
      close_with_reset(conn.backend);
      finish(conn);
    } else if (up == PumpResult::Done && down == PumpResult::Done) {
      finish(conn);
    }
  }

  // --- the end --------------------------------------------------------------------------------

  void finish(Conn& conn) {
    auto& state = *conn.service;
    if (!conn.machine_id.empty()) state.backend(conn.machine_id).active--;
    state.active--;
    pending.erase(conn.id);
    backend_tokens.erase(conn.backend_token);
    pipes.release(std::move(conn.up.pipe));
    pipes.release(std::move(conn.down.pipe));
    conns.erase(conn.id);  // closes both sockets; epoll forgets them
  }

  void visit_pending() {
    if (pending.empty()) return;
    const auto now = Clock::now();
    for (auto id : std::set<std::uint64_t>(pending)) {
      auto it = conns.find(id);
      if (it == conns.end()) {
        pending.erase(id);
        continue;
      }
      auto& conn = *it->second;
      if (conn.phase == Conn::Phase::Connecting && now >= conn.connect_until) {
        backend_failed(conn);  // no answer at all: as good as a refusal
      } else if (conn.phase == Conn::Phase::Waiting) {
        pending.erase(id);
        choose(conn);
      }
    }
  }

  void close_everything() {
    conns.clear();
    listeners.clear();
  }
};

FlycastProxy::FlycastProxy(ProxyOptions options)
    : loop_(std::make_unique<Loop>(std::move(options))) {
  loop_->thread = std::thread([this] { loop_->run(); });
}

FlycastProxy::~FlycastProxy() {
  loop_->stopping = true;
  loop_->notify();
  loop_->thread.join();
  loop_->close_everything();
}

void FlycastProxy::update(ProxyConfig config) {
  {
    std::lock_guard lock(loop_->pending_mutex);
    loop_->pending_config = std::move(config);
  }
  loop_->notify();
}

std::vector<ServiceCounters> FlycastProxy::counters() const {
  std::vector<ServiceCounters> out;
  std::lock_guard lock(loop_->services_mutex);
  for (const auto& [key, state] : loop_->services) {
    ServiceCounters c;
    c.address = key.first;
    c.port = key.second;
    c.app = state->service.app;
    c.connections = state->connections.load();
    c.active = state->active.load();
    c.refused = state->refused.load();
    c.autostarts = state->autostarts.load();
    c.listening = state->listening;
    c.listen_problem = state->listen_problem;
    for (const auto& b : state->service.backends) {
      auto it = state->backends.find(b.machine_id);
      BackendCounters bc;
      bc.machine_id = b.machine_id;
      if (it != state->backends.end()) {
        bc.active = it->second->active.load();
        bc.connections = it->second->connections.load();
        bc.refusals = it->second->refusals.load();
      }
      c.backends.push_back(std::move(bc));
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace sixpn::proxy
