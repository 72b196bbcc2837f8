#include "dns/server.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <map>
#include <stdexcept>
#include <system_error>
#include <thread>

#include "dns/answer_cache.hpp"
#include "dns/forward.hpp"
#include "dns/resolver.hpp"
#include "dns/socket.hpp"
#include "dns/udp_batch.hpp"

namespace sixpn::dns {

namespace w = core::dns;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kUdpBatch = 64;               // datagrams per wake-up, so TCP is not starved
constexpr std::size_t kMaxTcpBacklog = 256 * 1024;  // stop reading a client that does not read

std::optional<core::Ipv6> ipv6_of(const sockaddr_storage& ss) {
  if (ss.ss_family != AF_INET6) return std::nullopt;
  core::Ipv6 a;
  std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, 16);
  return a;
}

}  // namespace

struct DnsServer::Impl {
  struct Listener {
    ListenSpec spec;
    w::Endpoint bound;
    Fd udp, tcp;
    unsigned device_index = 0;  // of spec.device when bound
  };
  struct Connection {
    Fd fd;
    std::size_t listener = 0;
    std::optional<core::Ipv6> source;
    std::vector<std::uint8_t> in, out;
    std::size_t sent = 0;
    Clock::time_point last;
    std::size_t forwards = 0;
    bool eof = false;
  };
  ServerOptions options;
  SnapshotSource snapshot;
  std::vector<Listener> listeners;
  std::map<std::uint64_t, Connection> connections;
  std::optional<Forwarder> forwarder;
  Clock::time_point next_device_check;
  std::uint64_t next_key = 1;
  Fd wake;
  std::thread thread;
  std::vector<std::uint8_t> buffer = std::vector<std::uint8_t>(w::kMaxMessage);
  std::vector<std::uint8_t> reply;  // a TCP query's, before it is framed
  AnswerCache cache;
  UdpBatch udp{kUdpBatch};

  void log(const std::string& line) const {
    if (options.log) options.log(line);
  }

  QueryContext context(std::size_t listener, std::optional<core::Ipv6> source, Transport t) const {
    return QueryContext{source, listeners[listener].spec.org, t, !options.upstreams.empty()};
  }

  void bind_all() {
    for (const auto& spec : options.listen) {
      Listener l{spec, spec.endpoint, {}, {}};
      // Port 0 asks for any free port; TCP must then get the port UDP got, which another
      // program may hold already: try a few times.
      for (int attempt = 0;; ++attempt) {
        l.udp = bind_udp(spec.endpoint, spec.device, spec.share_port);
        l.bound = local_endpoint(l.udp.get());
        try {
          l.tcp = listen_tcp(l.bound, 128, spec.device, spec.share_port);
          break;
        } catch (const std::system_error& e) {
          if (spec.endpoint.port() != 0 || attempt == 20) throw;
        }
      }
      if (!spec.device.empty()) l.device_index = if_nametoindex(spec.device.c_str());
      listeners.push_back(std::move(l));
    }
  }

  // SO_BINDTODEVICE holds an interface index: once the gateway interface is deleted and made
  // again (the gateway brings it back), the old sockets hear nothing, so bind new ones.
  void follow_devices(Clock::time_point now) {
    if (now < next_device_check) return;
    next_device_check = now + std::chrono::seconds(1);
    for (auto& l : listeners) {
      if (l.spec.device.empty()) continue;
      unsigned index = if_nametoindex(l.spec.device.c_str());
      if (index == 0 || index == l.device_index) continue;
      l.device_index = index;  // one try per incarnation of the interface, one log line
      try {
        Fd udp = bind_udp(l.bound, l.spec.device);
        Fd tcp = listen_tcp(l.bound, 128, l.spec.device);
        l.udp = std::move(udp);
        l.tcp = std::move(tcp);
        log("dns: " + l.spec.device + " is back; serving udp+tcp on " + l.bound.str() + " of it");
      } catch (const std::system_error& e) {
        log(std::string("dns: cannot listen on ") + l.spec.device + " again: " + e.what());
      }
    }
  }

  void send_udp(std::size_t listener, const w::Endpoint& to, const std::vector<std::uint8_t>& b) {
    // UDP is lossy by contract: a full socket buffer drops the reply and the client retries.
    (void)::sendto(listeners[listener].udp.get(), b.data(), b.size(), MSG_DONTWAIT, to.addr(),
                   to.length);
  }

  void queue_tcp(Connection& c, const std::vector<std::uint8_t>& b) {
    c.out.push_back(static_cast<std::uint8_t>(b.size() >> 8));
    c.out.push_back(static_cast<std::uint8_t>(b.size()));
    c.out.insert(c.out.end(), b.begin(), b.end());
  }

  void deliver(const ForwardTarget& f, const std::vector<std::uint8_t>& reply) {
    if (f.udp_client) {
      send_udp(f.listener, *f.udp_client, reply);
    } else if (auto it = connections.find(f.connection); it != connections.end()) {
      queue_tcp(it->second, reply);
    }
  }

  // The forwarder's answer, or its SERVFAIL: the connection it was for may close once drained.
  void deliver_forwarded(const ForwardTarget& f, const std::vector<std::uint8_t>& reply) {
    deliver(f, reply);
    if (f.udp_client) return;
    if (auto it = connections.find(f.connection); it != connections.end()) it->second.forwards--;
  }

  // One query from either transport. True with `out` set when the reply is to be sent now;
  // false when the query is dropped or went upstream (its answer is delivered when it comes).
  // The cache answers most queries, resolve() the rest.
  bool handle(std::span<const std::uint8_t> wire, const SnapshotPtr& snap, std::size_t listener,
              const QueryContext& ctx, const w::Endpoint* udp_client, std::uint64_t connection,
              std::vector<std::uint8_t>& out) {
    if (cache.answer(wire, snap, ctx, out)) return true;
    Outcome o = resolve(wire, *snap, ctx);
    if (o.action == Outcome::Action::drop) return false;
    if (o.action == Outcome::Action::forward) {
      ForwardTarget f{listener, udp_client ? std::optional<w::Endpoint>(*udp_client) : std::nullopt,
                      connection};
      if (!udp_client) connections[connection].forwards++;
      forwarder->start(std::move(f), o.query, wire, ctx.transport);
      return false;
    }
    out = std::move(o.reply);
    return true;
  }

  // One batch in, its replies out together (udp_batch.hpp).
  void on_udp(std::size_t listener, const SnapshotPtr& snap) {
    const int fd = listeners[listener].udp.get();
    const std::size_t n = udp.receive(fd);
    for (std::size_t i = 0; i < n; ++i) {
      const w::Endpoint& client = udp.source(i);
      auto ctx = context(listener, ipv6_of(client.storage), Transport::udp);
      if (!handle(udp.datagram(i), snap, listener, ctx, &client, 0, udp.reply(i))) {
        udp.reply(i).clear();
      }
    }
    udp.send(fd);
  }

  void on_accept(std::size_t listener) {
    for (;;) {
      sockaddr_storage ss{};
      socklen_t len = sizeof ss;
      Fd fd(::accept4(listeners[listener].tcp.get(), reinterpret_cast<sockaddr*>(&ss), &len,
                      SOCK_NONBLOCK | SOCK_CLOEXEC));
      if (!fd) return;
      if (connections.size() >= options.max_tcp_connections) continue;  // closed at once
      Connection c;
      c.fd = std::move(fd);
      c.listener = listener;
      c.source = ipv6_of(ss);
      c.last = Clock::now();
      connections.emplace(next_key++, std::move(c));
    }
  }

  // Reads what is there and answers every complete length-prefixed message in order.
  void on_readable(std::uint64_t key, const SnapshotPtr& snap) {
    Connection& c = connections[key];
    ssize_t n = ::recv(c.fd.get(), buffer.data(), buffer.size(), MSG_DONTWAIT);
    if (n == 0) c.eof = true;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) c.eof = true;
    if (n > 0) {
      c.in.insert(c.in.end(), buffer.begin(), buffer.begin() + n);
      c.last = Clock::now();
    }
    std::size_t at = 0;
    while (c.in.size() - at >= 2) {
      std::size_t len = std::size_t{c.in[at]} << 8 | c.in[at + 1];
      if (len == 0) {  // no DNS message is empty: the stream is out of step, give up on it
        c.eof = true;
        c.in.clear();
        return;
      }
      if (c.in.size() - at - 2 < len) break;
      std::span<const std::uint8_t> wire(c.in.data() + at + 2, len);
      at += 2 + len;
      if (handle(wire, snap, c.listener, context(c.listener, c.source, Transport::tcp), nullptr,
                 key, reply)) {
        queue_tcp(c, reply);
      }
    }
    c.in.erase(c.in.begin(), c.in.begin() + static_cast<std::ptrdiff_t>(at));
  }

  void on_writable(Connection& c) {
    ssize_t n = ::send(c.fd.get(), c.out.data() + c.sent, c.out.size() - c.sent,
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        c.eof = true;
        c.out.clear();
        c.sent = 0;
      }
      return;
    }
    c.sent += static_cast<std::size_t>(n);
    c.last = Clock::now();
    if (c.sent == c.out.size()) {
      c.out.clear();
      c.sent = 0;
    }
  }

  void expire(Clock::time_point now) {
    forwarder->expire(now);
    follow_devices(now);
    std::erase_if(connections, [&](const auto& kv) {
      const Connection& c = kv.second;
      bool drained = c.out.empty() && c.forwards == 0;
      return (c.eof && drained) || now - c.last > options.tcp_idle_timeout;
    });
  }

  int poll_timeout_ms(Clock::time_point now) const {
    auto soonest = forwarder->next_deadline(now + std::chrono::seconds(1));
    for (const auto& [key, c] : connections) {
      soonest = std::min(soonest, c.last + options.tcp_idle_timeout);
    }
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(soonest - now).count();
    return static_cast<int>(std::clamp<long long>(ms + 1, 0, 1000));
  }

  void run() {
    enum class Kind { wake, udp, accept, connection, upstream };
    std::vector<pollfd> fds;
    std::vector<std::pair<Kind, std::uint64_t>> what;
    std::vector<Forwarder::Watch> watches;
    for (;;) {
      fds.clear();
      what.clear();
      auto add = [&](int fd, short events, Kind k, std::uint64_t key) {
        fds.push_back(pollfd{fd, events, 0});
        what.emplace_back(k, key);
      };
      add(wake.get(), POLLIN, Kind::wake, 0);
      for (std::size_t i = 0; i < listeners.size(); ++i) {
        add(listeners[i].udp.get(), POLLIN, Kind::udp, i);
        add(listeners[i].tcp.get(), POLLIN, Kind::accept, i);
      }
      for (const auto& [key, c] : connections) {
        short events = 0;
        if (!c.eof && c.out.size() < kMaxTcpBacklog) events |= POLLIN;
        if (!c.out.empty()) events |= POLLOUT;
        if (events == 0) continue;  // only waiting for an upstream; a hang-up would spin poll
        add(c.fd.get(), events, Kind::connection, key);
      }
      watches.clear();
      forwarder->watches(watches);
      for (const auto& u : watches) add(u.fd, u.events, Kind::upstream, u.key);

      int ready = ::poll(fds.data(), fds.size(), poll_timeout_ms(Clock::now()));
      if (ready < 0 && errno != EINTR) {
        log(std::string("dns: poll failed: ") + std::strerror(errno));
        return;
      }
      SnapshotPtr snap = snapshot();
      for (std::size_t i = 0; ready > 0 && i < fds.size(); ++i) {
        if (fds[i].revents == 0) continue;
        auto [kind, key] = what[i];
        switch (kind) {
          case Kind::wake:
            return;
          case Kind::udp:
            on_udp(key, snap);
            break;
          case Kind::accept:
            on_accept(key);
            break;
          case Kind::upstream:
            forwarder->on_ready(key);
            break;
          case Kind::connection: {
            auto it = connections.find(key);
            if (it == connections.end()) break;
            if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) on_readable(key, snap);
            if (!it->second.out.empty()) on_writable(it->second);
            break;
          }
        }
      }
      expire(Clock::now());
    }
  }
};

DnsServer::DnsServer(ServerOptions options, SnapshotSource snapshot)
    : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->snapshot = std::move(snapshot);
  const auto& o = impl_->options;
  impl_->forwarder.emplace(
      ForwardOptions{o.upstreams, o.upstream_timeout, o.max_pending_forwards, o.log},
      [impl = impl_.get()](const ForwardTarget& f, const std::vector<std::uint8_t>& reply) {
        impl->deliver_forwarded(f, reply);
      });
}

DnsServer::~DnsServer() {
  stop();
}

void DnsServer::start() {
  if (impl_->thread.joinable()) return;
  impl_->bind_all();
  impl_->wake = make_eventfd();
  auto snap = impl_->snapshot();
  for (const auto& l : impl_->listeners) {
    std::string line = "dns: serving udp+tcp on " + l.bound.str();
    if (!l.spec.device.empty()) line += " of interface " + l.spec.device;
    if (l.spec.org) {
      line += " for org " + *l.spec.org;
      bool known = std::any_of(snap->by_network.begin(), snap->by_network.end(),
                               [&](const auto& kv) { return kv.second.slug == *l.spec.org; });
      if (!known) line += " (no such org yet: refused until it exists)";
    }
    impl_->log(line);
  }
  impl_->thread = std::thread([this] { impl_->run(); });
}

void DnsServer::stop() {
  if (!impl_->thread.joinable()) return;
  std::uint64_t one = 1;
  if (::write(impl_->wake.get(), &one, sizeof one) < 0) {
    // An eventfd write fails only when the counter would overflow: it is set already.
  }
  impl_->thread.join();
  impl_->forwarder->clear();
  impl_->connections.clear();
  impl_->listeners.clear();
}

std::vector<w::Endpoint> DnsServer::bound() const {
  std::vector<w::Endpoint> out;
  for (const auto& l : impl_->listeners) out.push_back(l.bound);
  return out;
}

}  // namespace sixpn::dns
