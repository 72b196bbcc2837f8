// A loop's connections: the choice of a machine, connecting to it (and to the next one when it
// refuses), relaying, and the end.
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <vector>

#include "proxy/proxy_loop.hpp"

namespace sixpn::proxy {

namespace {

// A started machine that refuses while the proxy waits for it is asked again this often.
constexpr auto kStartingRetry = std::chrono::milliseconds(200);
constexpr int kMaxBackoffDoublings = 4;  // 16 times refused_backoff at most

// Closing with a zero linger sends a reset: a client whose machine reset mid-stream sees a
// reset too, not a clean end of data it never fully got.
void close_with_reset(net::Fd& fd) {
  if (!fd) return;
  linger l{1, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  fd.reset();
}

// The choice for `conn` now, made under the service's lock from what every loop knows of its
// machines; `start` and `target` get copies of the machines to start and to connect to.
struct Decision {
  Choice choice;
  std::optional<Backend> start;
  std::optional<Backend> target;
  BackendState* target_state = nullptr;
};

}  // namespace

void ProxyLoop::choose(Conn& conn) {
  auto& state = *conn.service;
  for (;;) {
    const auto now = Clock::now();
    Decision d;
    {
      std::lock_guard lock(state.mutex);
      const auto& service = state.service;
      std::vector<BackendLoad> loads;
      loads.reserve(service.backends.size());
      for (const auto& b : service.backends) {
        auto& bs = state.backend(b.machine_id);
        BackendLoad load;
        load.active = bs.active.load();
        load.starting = bs.start_asked && now < *bs.start_asked + options_.start_timeout;
        load.usable = !conn.refused_by.count(b.machine_id) && now >= bs.refused_until;
        loads.push_back(load);
      }
      d.choice = choose_backend(service, loads, backend_distances(service, conn.region, *config_),
                                state.rotation++);
      // A connection that has waited its time gives up rather than asking once more.
      if (d.choice.start && now < conn.wait_until && shared_.starts) {
        d.start = service.backends[*d.choice.start];
        state.backend(d.start->machine_id).start_asked = now;
      }
      if (d.choice.backend) {
        d.target = service.backends[*d.choice.backend];
        // Counted at once, so that the next choice (of any loop) sees the load.
        d.target_state = &state.backend(d.target->machine_id);
        d.target_state->active++;
      }
    }
    if (d.start) ask_start(state, *d.start);
    if (d.target) {
      if (connect_to(conn, *d.target, *d.target_state)) return;
      continue;  // refused at once; it is in refused_by now
    }
    if (d.choice.wait && now < conn.wait_until) {
      conn.phase = Conn::Phase::Waiting;
      pending_.insert(conn.id);
      return;
    }
    if (d.choice.wait) {
      std::lock_guard lock(state.mutex);
      shared_.log("no machine of " + state.service.app + " accepted on " +
                  endpoint_text(state.service.address, state.service.port) + " within " +
                  std::to_string(options_.start_timeout.count()) + " ms of its start; closing");
    }
    state.refused++;
    finish(conn);
    return;
  }
}

void ProxyLoop::ask_start(ServiceState& state, const Backend& backend) {
  state.autostarts++;
  std::string app, where;
  {
    std::lock_guard lock(state.mutex);
    app = state.service.app;
    where = endpoint_text(state.service.address, state.service.port);
  }
  shared_.log("starting machine " + backend.machine_id + " of " + app + " for a connection to " +
              where);
  shared_.starts->push(app, backend.machine_id);
}

// Starts connecting to `backend`, already counted on `counted` by choose(); false when it
// failed at once (the machine is marked as refusing and the count given back).
bool ProxyLoop::connect_to(Conn& conn, const Backend& backend, BackendState& counted) {
  net::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) {
    conn.refused_by.insert(backend.machine_id);  // out of descriptors: try no further
    counted.active--;
    return false;
  }
  set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
  set_int_option(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 1);
  if (options_.source) {
    // The port is chosen at connect(), per destination, so many connections from the one
    // source address do not run out of ports.
    set_int_option(fd.get(), SOL_IP, IP_BIND_ADDRESS_NO_PORT, 1);
    set_int_option(fd.get(), SOL_IP, IP_FREEBIND, 1);
    auto src = socket_address(*options_.source, 0);
    ::bind(fd.get(), reinterpret_cast<sockaddr*>(&src), sizeof src);
  }
  auto sa = socket_address(backend.address, backend.port);
  int rc = ::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa);
  if (rc != 0 && errno != EINPROGRESS) {
    counted.active--;
    refused(conn, backend.machine_id);
    return false;
  }
  conn.backend = std::move(fd);
  conn.machine_id = backend.machine_id;
  conn.counted_on = &counted;
  conn.backend_token = next_id_++;
  backend_tokens_[conn.backend_token] = conn.id;
  watch(conn.backend, tagged(conn.backend_token, kBackend));
  conn.phase = Conn::Phase::Connecting;
  conn.connect_until = Clock::now() + options_.connect_timeout;
  pending_.insert(conn.id);
  return true;
}

void ProxyLoop::refused(Conn& conn, const std::string& machine_id) {
  auto& state = *conn.service;
  std::lock_guard lock(state.mutex);
  auto& bs = state.backend(machine_id);
  bs.refusals++;
  const bool starting = bs.start_asked.has_value();
  auto backoff = starting ? std::chrono::duration_cast<std::chrono::milliseconds>(kStartingRetry)
                          : options_.refused_backoff * (1 << bs.doublings);
  if (!starting && bs.doublings < kMaxBackoffDoublings) bs.doublings++;
  bs.refused_until = Clock::now() + backoff;
  // A machine on its way is asked again by the same connection; any other is not.
  if (!starting) conn.refused_by.insert(machine_id);
}

// The machine's side failed before relaying began: count it, and try the next one.
void ProxyLoop::backend_failed(Conn& conn) {
  conn.counted_on->active--;
  conn.counted_on = nullptr;
  refused(conn, conn.machine_id);
  conn.machine_id.clear();
  backend_tokens_.erase(conn.backend_token);
  conn.backend.reset();
  conn.phase = Conn::Phase::Waiting;
  pending_.erase(conn.id);
  choose(conn);
}

void ProxyLoop::connected(Conn& conn) {
  {
    std::lock_guard lock(conn.service->mutex);
    auto& bs = *conn.counted_on;
    bs.doublings = 0;
    bs.refused_until = {};
    bs.start_asked.reset();
    bs.connections++;
  }
  pending_.erase(conn.id);
  conn.phase = Conn::Phase::Relaying;
  relay(conn, true, true);
}

void ProxyLoop::on_conn_event(Conn& conn, const epoll_event& ev, bool is_backend) {
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
      relay_after(conn, ev, is_backend);
      return;
  }
}

// Pumps the directions an event can have moved: the one whose source became readable (or
// failed), and the one whose destination became writable while bytes wait in its pipe. An
// edge-triggered event reports EPOLLOUT on any writable socket, so without that second test
// every event would cost a read that finds nothing.
void ProxyLoop::relay_after(Conn& conn, const epoll_event& ev, bool is_backend) {
  const bool readable = ev.events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR);
  const bool writable = ev.events & EPOLLOUT;
  const Direction& into = is_backend ? conn.up : conn.down;  // toward this socket
  const bool flush = writable && into.pipe.bytes > 0;
  relay(conn, is_backend ? flush : readable, is_backend ? readable : flush);
}

void ProxyLoop::relay(Conn& conn, bool up_may_move, bool down_may_move) {
  auto resting = [](const Direction& d) { return d.shut ? PumpResult::Done : PumpResult::Blocked; };
  auto up = up_may_move ? pump(conn.client.get(), conn.backend.get(), conn.up, relay_context_,
                               conn.down.shut)
                        : resting(conn.up);
  auto down = up == PumpResult::Failed ? PumpResult::Failed
              : down_may_move          ? pump(conn.backend.get(), conn.client.get(), conn.down,
                                              relay_context_, conn.up.shut)
                                       : resting(conn.down);
  if (up == PumpResult::Failed || down == PumpResult::Failed) {
    if (errno == EMFILE || errno == ENFILE) {
      shared_.log("out of descriptors for a connection's pipe; closing it");
    }
    close_with_reset(conn.client);
    close_with_reset(conn.backend);
    finish(conn);
  } else if (up == PumpResult::Done && down == PumpResult::Done) {
    finish(conn);
  }
}

void ProxyLoop::finish(Conn& conn) {
  auto& state = *conn.service;
  if (conn.counted_on) conn.counted_on->active--;
  state.active--;
  shared_.open_connections--;
  pending_.erase(conn.id);
  backend_tokens_.erase(conn.backend_token);
  relay_context_.pipes.release(std::move(conn.up.pipe));
  relay_context_.pipes.release(std::move(conn.down.pipe));
  conns_.erase(conn.id);  // closes both sockets; epoll forgets them
}

void ProxyLoop::visit_pending() {
  if (pending_.empty()) return;
  const auto now = Clock::now();
  for (auto id : std::set<std::uint64_t>(pending_)) {
    auto it = conns_.find(id);
    if (it == conns_.end()) {
      pending_.erase(id);
      continue;
    }
    auto& conn = *it->second;
    if (conn.phase == Conn::Phase::Connecting && now >= conn.connect_until) {
      backend_failed(conn);  // no answer at all: as good as a refusal
    } else if (conn.phase == Conn::Phase::Waiting) {
      pending_.erase(id);
      choose(conn);
    }
  }
}

}  // namespace sixpn::proxy
