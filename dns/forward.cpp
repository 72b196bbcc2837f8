#include "dns/forward.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace sixpn::dns {

namespace w = core::dns;

namespace {

bool would_block() {
  return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
}

// Only our query's answer counts: a response with our id and the same question.
bool answers(const w::Message& reply, std::uint16_t id, const w::Message& query) {
  return reply.header.qr && reply.header.id == id && reply.questions.size() == 1 &&
         reply.questions[0].name.equals(query.questions[0].name) &&
         reply.questions[0].qtype == query.questions[0].qtype;
}

}  // namespace

Forwarder::Forwarder(ForwardOptions options, Deliver deliver)
    : options_(std::move(options)), deliver_(std::move(deliver)) {}

void Forwarder::start(ForwardTarget target, const w::Message& query,
                      std::span<const std::uint8_t> wire, Transport client) {
  if (!enabled() || pending_.size() >= options_.max_pending) {
    deliver_(target, error_reply(query, w::rcode::SERVFAIL, true));
    return;
  }
  Pending p;
  p.target = std::move(target);
  p.query = query;
  p.wire.assign(wire.begin(), wire.end());
  p.client = client;
  p.upstream = preferred_ % options_.upstreams.size();
  auto it = pending_.emplace(next_key_++, std::move(p)).first;
  send_udp(it);
}

void Forwarder::send_udp(Iter it) {
  Pending& p = it->second;
  const w::Endpoint& to = options_.upstreams[p.upstream];
  p.stage = Pending::Stage::udp;
  try {
    p.fd = connect_udp(to);
  } catch (const std::system_error& e) {
    if (options_.log) options_.log(std::string("dns: cannot reach upstream: ") + e.what());
    return next_upstream(it);
  }
  // A fresh random id and source port per query, so an off-path forger has to guess both.
  p.id = static_cast<std::uint16_t>(random_());
  p.wire[0] = static_cast<std::uint8_t>(p.id >> 8);
  p.wire[1] = static_cast<std::uint8_t>(p.id);
  if (::send(p.fd.get(), p.wire.data(), p.wire.size(), MSG_DONTWAIT) < 0) {
    return next_upstream(it);
  }
  p.deadline = Clock::now() + options_.timeout;
}

void Forwarder::send_tcp(Iter it) {
  Pending& p = it->second;
  try {
    p.fd = connect_tcp(options_.upstreams[p.upstream]);
  } catch (const std::system_error&) {
    return next_upstream(it);
  }
  p.stage = Pending::Stage::tcp_connecting;
  p.out.clear();
  p.out.push_back(static_cast<std::uint8_t>(p.wire.size() >> 8));
  p.out.push_back(static_cast<std::uint8_t>(p.wire.size()));
  p.out.insert(p.out.end(), p.wire.begin(), p.wire.end());
  p.sent = 0;
  p.in.clear();
  p.deadline = Clock::now() + options_.timeout;
}

void Forwarder::next_upstream(Iter it) {
  Pending& p = it->second;
  if (p.tried >= options_.upstreams.size()) return fail(it);
  p.tried++;
  p.upstream = (p.upstream + 1) % options_.upstreams.size();
  send_udp(it);
}

void Forwarder::watches(std::vector<Watch>& out) const {
  for (const auto& [key, p] : pending_) {
    short events = POLLIN;
    if (p.stage == Pending::Stage::tcp_connecting) events = POLLOUT;
    if (p.stage == Pending::Stage::tcp && p.sent < p.out.size()) events = POLLOUT;
    out.push_back(Watch{p.fd.get(), events, key});
  }
}

void Forwarder::on_ready(std::uint64_t key) {
  auto it = pending_.find(key);
  if (it == pending_.end()) return;
  if (it->second.stage == Pending::Stage::udp) {
    on_udp(it);
  } else {
    on_tcp(it);
  }
}

void Forwarder::on_udp(Iter it) {
  Pending& p = it->second;
  for (;;) {
    ssize_t n = ::recv(p.fd.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (would_block()) return;  // nothing (more) yet; the deadline still holds
      return next_upstream(it);   // ECONNREFUSED: nothing listens there
    }
    auto decoded = w::decode(std::span<const std::uint8_t>(buffer_.data(), std::size_t(n)));
    if (!decoded.message || !answers(*decoded.message, p.id, p.query)) continue;
    return on_reply(it, std::move(*decoded.message), false);
  }
}

void Forwarder::on_tcp(Iter it) {
  Pending& p = it->second;
  if (p.stage == Pending::Stage::tcp_connecting) {
    int error = 0;
    socklen_t len = sizeof error;
    if (::getsockopt(p.fd.get(), SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
      return next_upstream(it);
    }
    p.stage = Pending::Stage::tcp;
  }
  while (p.sent < p.out.size()) {
    ssize_t n = ::send(p.fd.get(), p.out.data() + p.sent, p.out.size() - p.sent,
                       MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n < 0) {
      if (would_block()) return;
      return next_upstream(it);
    }
    p.sent += static_cast<std::size_t>(n);
  }
  ssize_t n = ::recv(p.fd.get(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
  if (n < 0 && would_block()) return;
  if (n <= 0) return next_upstream(it);  // closed or reset before the whole answer came
  p.in.insert(p.in.end(), buffer_.begin(), buffer_.begin() + n);
  if (p.in.size() < 2) return;
  const std::size_t len = std::size_t{p.in[0]} << 8 | p.in[1];
  if (p.in.size() - 2 < len) return;
  auto decoded = w::decode(std::span<const std::uint8_t>(p.in.data() + 2, len));
  // On a stream of our own nothing else may come first: anything else is a broken upstream.
  if (!decoded.message || !answers(*decoded.message, p.id, p.query)) return next_upstream(it);
  on_reply(it, std::move(*decoded.message), true);
}

void Forwarder::on_reply(Iter it, w::Message reply, bool over_tcp) {
  Pending& p = it->second;
  if (reply.header.tc && !over_tcp) return send_tcp(it);
  const bool refused =
      reply.header.rcode == w::rcode::SERVFAIL || reply.header.rcode == w::rcode::REFUSED;
  // As a stub resolver does: a server that cannot or will not answer is not the last word
  // while another one is left.
  if (refused && p.tried < options_.upstreams.size()) return next_upstream(it);
  if (!refused) preferred_ = p.upstream;
  reply.header.id = p.query.header.id;
  finish(it, w::encode(reply, reply_limit(p.query, p.client)));
}

void Forwarder::fail(Iter it) {
  finish(it, error_reply(it->second.query, w::rcode::SERVFAIL, true));
}

void Forwarder::finish(Iter it, const std::vector<std::uint8_t>& reply) {
  ForwardTarget target = std::move(it->second.target);
  pending_.erase(it);
  deliver_(target, reply);
}

void Forwarder::expire(Clock::time_point now) {
  for (auto it = pending_.begin(); it != pending_.end();) {
    auto next = std::next(it);
    if (now >= it->second.deadline) next_upstream(it);
    it = next;
  }
}

Forwarder::Clock::time_point Forwarder::next_deadline(Clock::time_point cap) const {
  for (const auto& [key, p] : pending_) cap = std::min(cap, p.deadline);
  return cap;
}

}  // namespace sixpn::dns
