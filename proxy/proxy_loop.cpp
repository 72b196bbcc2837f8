// A loop's thread, its listeners and accepting; connections are in proxy_connections.cpp.
#include "proxy/proxy_loop.hpp"

#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <system_error>
#include <vector>

namespace sixpn::proxy {

namespace {
// A pass over waiting and connecting connections at least this often while there are any.
constexpr auto kPendingTick = std::chrono::milliseconds(100);
constexpr auto kListenRetry = std::chrono::seconds(2);
// Out of descriptors, the listeners rest this long before accepting again.
constexpr auto kAcceptPause = std::chrono::milliseconds(100);
}  // namespace

sockaddr_in6 socket_address(const core::Ipv6& address, std::uint16_t port) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(&sa.sin6_addr, address.bytes.data(), 16);
  return sa;
}

void set_int_option(int fd, int level, int name, int value) {
  ::setsockopt(fd, level, name, &value, sizeof value);
}

ProxyLoop::ProxyLoop(ProxyShared& shared)
    : shared_(shared),
      options_(shared.options),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  if (!epoll_ || !wake_) throw std::system_error(errno, std::generic_category(), "flycast proxy");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tagged(0, kWake);
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev);
  thread_ = std::thread([this] { run(); });
}

ProxyLoop::~ProxyLoop() {
  stopping_ = true;
  notify();
  thread_.join();
  for (auto& [key, listener] : listeners_) listener.service->loops_listening--;
  conns_.clear();
  listeners_.clear();
}

void ProxyLoop::notify() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_.get(), &one, sizeof one);
}

void ProxyLoop::run() {
  // splice(2) into a socket whose peer has gone raises SIGPIPE (it has no MSG_NOSIGNAL), which
  // would end the whole process; blocked on this thread, the call fails with EPIPE instead and
  // the connection ends as any failed one does.
  sigset_t pipe_signal;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, nullptr);
  take_config();
  std::vector<epoll_event> events(256);
  while (!stopping_.load()) {
    int timeout = pending_.empty() ? 1000 : static_cast<int>(kPendingTick.count());
    int n = ::epoll_wait(epoll_.get(), events.data(), static_cast<int>(events.size()), timeout);
    if (n < 0 && errno != EINTR) {
      shared_.log("epoll_wait failed: " + std::string(std::strerror(errno)));
      return;
    }
    for (int i = 0; i < n; ++i) dispatch(events[static_cast<std::size_t>(i)]);
    const auto now = Clock::now();
    if (now >= next_pending_visit_) {
      next_pending_visit_ = now + kPendingTick;
      visit_pending();
    }
    if (accepting_paused_until_ && now >= *accepting_paused_until_) set_accepting(true);
    if (now >= next_listen_retry_) retry_listeners();
  }
}

void ProxyLoop::dispatch(const epoll_event& ev) {
  const std::uint64_t id = ev.data.u64 >> 2;
  switch (static_cast<Tag>(ev.data.u64 & 3)) {
    case kWake: {
      std::uint64_t value;
      [[maybe_unused]] auto r = ::read(wake_.get(), &value, sizeof value);
      take_config();
      break;
    }
    case kListener:
      accept_from(id);
      break;
    case kClient:
      if (auto it = conns_.find(id); it != conns_.end()) on_conn_event(*it->second, ev, false);
      break;
    case kBackend:
      if (auto token = backend_tokens_.find(id); token != backend_tokens_.end()) {
        if (auto it = conns_.find(token->second); it != conns_.end()) {
          on_conn_event(*it->second, ev, true);
        }
      }
      break;
  }
}

// --- configuration ---------------------------------------------------------------------------

void ProxyLoop::take_config() {
  config_ = shared_.current_config();
  services_ = shared_.current_services();
  // A listener goes with its service. One whose service was replaced (removed, then given again
  // before this loop saw it go) carries on for the new one, unless another loop already opened
  // a socket for that.
  for (auto it = listeners_.begin(); it != listeners_.end();) {
    auto service = services_.find(it->first);
    if (service != services_.end() && service->second == it->second.service) {
      ++it;
      continue;
    }
    it->second.service->loops_listening--;
    if (service != services_.end()) {
      std::lock_guard lock(service->second->mutex);
      if (service->second->listener.expired()) service->second->listener = it->second.fd;
      if (service->second->listener.lock() == it->second.fd) {
        it->second.service = service->second;
        service->second->loops_listening++;
        ++it;
        continue;
      }
    }
    drop_listener(it->second);
    it = listeners_.erase(it);
  }
  retry_listeners();
  // A machine that just started may be what waiting connections need.
  for (auto id : std::set<std::uint64_t>(pending_)) {
    auto it = conns_.find(id);
    if (it != conns_.end() && it->second->phase == Conn::Phase::Waiting) choose(*it->second);
  }
}

// The socket stays open while another loop listens on it, and epoll would keep reporting it
// here: it leaves this loop's epoll first.
void ProxyLoop::drop_listener(const Listener& listener) {
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener.fd->get(), nullptr);
  listener_ids_.erase(listener.id);
}

void ProxyLoop::retry_listeners() {
  next_listen_retry_ = Clock::now() + kListenRetry;
  for (auto& [key, state] : services_) {
    if (listeners_.count(key)) continue;
    std::lock_guard lock(state->mutex);
    auto fd = state->listener.lock();
    if (!fd) {
      std::string problem = open_listener(key, fd);
      if (!problem.empty()) {
        if (problem != state->listen_problem) shared_.log(problem);
        state->listen_problem = problem;
        continue;
      }
      state->listener = fd;
    }
    const auto id = next_id_++;
    if (!accepting_paused_until_) watch_listener(fd->get(), id, EPOLL_CTL_ADD);
    listener_ids_[id] = key;
    listeners_[key] = Listener{id, fd, state};
    if (static_cast<std::size_t>(++state->loops_listening) == shared_.loop_count) {
      state->listen_problem.clear();
    }
  }
}

// One listening socket per service, in every loop's epoll: EPOLLEXCLUSIVE wakes one loop that
// waits, so a new connection goes to a loop with nothing else to do rather than to whichever
// a hash of its addresses would pick (SO_REUSEPORT), which made the slowest connections slower.
std::string ProxyLoop::open_listener(const ServiceKey& key, std::shared_ptr<net::Fd>& out) {
  const auto where = endpoint_text(key.first, key.second);
  net::Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
  if (!fd) return "cannot listen on " + where + ": " + std::strerror(errno);
  set_int_option(fd.get(), SOL_SOCKET, SO_REUSEADDR, 1);
  set_int_option(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, 1);
  // The address may reach lo a moment after the service reaches the proxy.
  set_int_option(fd.get(), SOL_IP, IP_FREEBIND, 1);
  // Accepted sockets inherit these, which saves two calls on every connection.
  set_int_option(fd.get(), IPPROTO_TCP, TCP_NODELAY, 1);
  set_int_option(fd.get(), SOL_SOCKET, SO_KEEPALIVE, 1);
  auto sa = socket_address(key.first, key.second);
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0 ||
      ::listen(fd.get(), 1024) != 0) {
    return "cannot listen on " + where + ": " + std::strerror(errno);
  }
  out = std::make_shared<net::Fd>(std::move(fd));
  return "";
}

// --- accepting -------------------------------------------------------------------------------

void ProxyLoop::watch_listener(int fd, std::uint64_t id, int op) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLEXCLUSIVE;
  ev.data.u64 = tagged(id, kListener);
  ::epoll_ctl(epoll_.get(), op, fd, &ev);
}

// Out of descriptors, a listener stays readable and would wake the loop without end: the
// listeners rest a moment while connections finish and give descriptors back.
void ProxyLoop::set_accepting(bool on) {
  for (auto& [key, listener] : listeners_) {
    watch_listener(listener.fd->get(), listener.id, on ? EPOLL_CTL_ADD : EPOLL_CTL_DEL);
  }
  if (on) {
    accepting_paused_until_.reset();
  } else {
    accepting_paused_until_ = Clock::now() + kAcceptPause;
  }
}

void ProxyLoop::accept_from(std::uint64_t listener_id) {
  auto key = listener_ids_.find(listener_id);
  if (key == listener_ids_.end()) return;
  auto& listener = listeners_.at(key->second);
  for (int burst = 0; burst < 64; ++burst) {
    sockaddr_in6 peer{};
    socklen_t len = sizeof peer;
    int fd = ::accept4(listener.fd->get(), reinterpret_cast<sockaddr*>(&peer), &len,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if ((errno == EMFILE || errno == ENFILE) && !accepting_paused_until_) {
        shared_.log("out of descriptors: new connections wait in the listen queue");
        set_accepting(false);
      }
      return;  // EAGAIN, or a connection that went away before accept
    }
    auto& service = *listener.service;
    service.connections++;
    if (shared_.open_connections.fetch_add(1) >= options_.max_connections) {
      shared_.open_connections--;
      ::close(fd);
      service.refused++;
      continue;
    }
    auto conn = std::make_unique<Conn>();
    conn->id = next_id_++;
    conn->client = net::Fd(fd);
    conn->service = listener.service;
    core::Ipv6 source;
    std::memcpy(source.bytes.data(), &peer.sin6_addr, 16);
    conn->region = client_region(*config_, source);
    conn->wait_until = Clock::now() + options_.start_timeout;
    watch(conn->client, tagged(conn->id, kClient));
    service.active++;
    auto& ref = *conn;
    conns_[conn->id] = std::move(conn);
    choose(ref);
  }
}

void ProxyLoop::watch(const net::Fd& fd, std::uint64_t data) {
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
  ev.data.u64 = data;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd.get(), &ev);
}

}  // namespace sixpn::proxy
