#include "commands/dns_client.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "cli/errors.hpp"

namespace sixpn::commands {

namespace w = core::dns;
using Clock = std::chrono::steady_clock;

namespace {

class Socket {
 public:
  Socket(int family, int type) : fd_(::socket(family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)) {
    if (fd_ < 0) throw cli::Failure(std::string("cannot open a socket: ") + std::strerror(errno));
  }
  ~Socket() { ::close(fd_); }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Waits for `events` until `deadline`; false on timeout.
bool wait_for(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return false;
    pollfd p{fd, events, 0};
    int n = ::poll(&p, 1, static_cast<int>(left.count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
}

[[noreturn]] void timed_out(const w::Endpoint& server, const char* how) {
  throw cli::Failure("no answer from " + server.str() + " over " + how,
                     "is a DNS server listening there? check --server and the port");
}

// The reply to our query: same id, a response, the same question.
bool matches(const w::Message& reply, const w::Message& query) {
  return reply.header.qr && reply.header.id == query.header.id && reply.questions.size() == 1 &&
         reply.questions[0].name.equals(query.questions[0].name) &&
         reply.questions[0].qtype == query.questions[0].qtype;
}

std::optional<DnsExchange> over_udp(const w::Endpoint& server, const std::vector<std::uint8_t>& q,
                                    const w::Message& query, Clock::time_point deadline) {
  Socket s(server.family(), SOCK_DGRAM);
  if (::connect(s.get(), server.addr(), server.length) != 0 ||
      ::send(s.get(), q.data(), q.size(), 0) < 0) {
    throw cli::Failure("cannot send to " + server.str() + ": " + std::strerror(errno));
  }
  std::vector<std::uint8_t> buf(w::kMaxMessage);
  while (wait_for(s.get(), POLLIN, deadline)) {
    ssize_t n = ::recv(s.get(), buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == ECONNREFUSED) {
        throw cli::Failure("nothing listens on " + server.str() + " (UDP)",
                           "check --server and the port");
      }
      continue;
    }
    auto decoded = w::decode(std::span(buf.data(), static_cast<std::size_t>(n)));
    if (!decoded.message || !matches(*decoded.message, query)) continue;  // stray datagram
    DnsExchange ex;
    ex.reply = std::move(*decoded.message);
    ex.reply_size = static_cast<std::size_t>(n);
    return ex;
  }
  return std::nullopt;
}

bool send_all(int fd, const std::vector<std::uint8_t>& b, Clock::time_point deadline) {
  std::size_t sent = 0;
  while (sent < b.size()) {
    if (!wait_for(fd, POLLOUT, deadline)) return false;
    ssize_t n = ::send(fd, b.data() + sent, b.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (n > 0) sent += static_cast<std::size_t>(n);
  }
  return true;
}

bool recv_all(int fd, std::uint8_t* out, std::size_t len, Clock::time_point deadline) {
  while (len > 0) {
    if (!wait_for(fd, POLLIN, deadline)) return false;
    ssize_t n = ::recv(fd, out, len, 0);
    if (n == 0) return false;
    if (n < 0 && errno != EAGAIN && errno != EINTR) return false;
    if (n > 0) {
      out += n;
      len -= static_cast<std::size_t>(n);
    }
  }
  return true;
}

DnsExchange over_tcp(const w::Endpoint& server, const std::vector<std::uint8_t>& q,
                     const w::Message& query, Clock::time_point deadline) {
  Socket s(server.family(), SOCK_STREAM);
  if (::connect(s.get(), server.addr(), server.length) != 0 && errno != EINPROGRESS) {
    throw cli::Failure("cannot connect to " + server.str() + " (TCP): " + std::strerror(errno));
  }
  if (!wait_for(s.get(), POLLOUT, deadline)) timed_out(server, "TCP");
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  if (err != 0) {
    throw cli::Failure("cannot connect to " + server.str() + " (TCP): " + std::strerror(err),
                       "check --server and the port");
  }
  std::vector<std::uint8_t> framed(2 + q.size());
  framed[0] = static_cast<std::uint8_t>(q.size() >> 8);
  framed[1] = static_cast<std::uint8_t>(q.size());
  std::copy(q.begin(), q.end(), framed.begin() + 2);
  if (!send_all(s.get(), framed, deadline)) timed_out(server, "TCP");
  std::uint8_t prefix[2];
  if (!recv_all(s.get(), prefix, 2, deadline)) timed_out(server, "TCP");
  std::vector<std::uint8_t> body(std::size_t{prefix[0]} << 8 | prefix[1]);
  if (!recv_all(s.get(), body.data(), body.size(), deadline)) timed_out(server, "TCP");
  auto decoded = w::decode(body);
  if (!decoded.message) {
    throw cli::Failure("the reply from " + server.str() +
                       " is not a valid DNS message: " + w::describe(decoded.error));
  }
  if (!matches(*decoded.message, query)) {
    throw cli::Failure("the reply from " + server.str() + " does not answer the question asked");
  }
  DnsExchange ex;
  ex.reply = std::move(*decoded.message);
  ex.tcp = true;
  ex.reply_size = body.size();
  return ex;
}

}  // namespace

DnsExchange dns_exchange(const w::Endpoint& server, const w::Message& query, bool tcp_only,
                         std::chrono::milliseconds timeout, int udp_tries) {
  const auto wire = w::encode(query);
  const auto started = Clock::now();
  auto finish = [&](DnsExchange ex) {
    ex.elapsed = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - started);
    return ex;
  };
  if (tcp_only) return finish(over_tcp(server, wire, query, Clock::now() + timeout));
  for (int attempt = 0; attempt < udp_tries; ++attempt) {
    auto ex = over_udp(server, wire, query, Clock::now() + timeout);
    if (!ex) continue;
    if (!ex->reply.header.tc) return finish(std::move(*ex));
    auto full = over_tcp(server, wire, query, Clock::now() + timeout);
    full.retried_tcp = true;
    return finish(std::move(full));
  }
  timed_out(server, "UDP");
}

w::Endpoint org_dns_endpoint(const std::vector<api::Org>& orgs, const std::string& slug) {
  constexpr std::uint16_t kDnsPort = 53;
  for (const auto& org : orgs) {
    if (org.slug != slug) continue;
    auto endpoint = w::parse_endpoint(org.dns_server, kDnsPort);
    if (!endpoint) {
      throw cli::Failure("the API gave org " + slug + " the DNS server \"" + org.dns_server +
                         "\", which is not an address");
    }
    return *endpoint;
  }
  throw cli::NotFound("org " + slug + " is not one the API token can see",
                      "run 'sixpn orgs list', or pass --server ADDR[:PORT]");
}

DnsValues ask_values(const core::Ipv6& server, const std::string& name, std::uint16_t type,
                     std::chrono::milliseconds wait) {
  w::Message query;
  query.header.id = static_cast<std::uint16_t>(std::random_device{}());
  query.header.rd = true;
  auto parsed = w::Name::parse(name);
  if (!parsed) throw cli::UsageError("\"" + name + "\" is not a DNS name");
  query.questions.push_back({*parsed, type, w::klass::IN});
  auto endpoint = *w::parse_endpoint("[" + server.str() + "]:53");
  auto reply = dns_exchange(endpoint, query, false, wait, 2).reply;
  DnsValues out;
  out.rcode = reply.header.rcode;
  for (const auto& r : reply.answers) {
    if (r.type != type) continue;
    if (const auto* txt = std::get_if<w::Txt>(&r.data)) {
      std::string joined;
      for (const auto& part : *txt) joined += part;
      out.values.push_back(joined);
    } else if (const auto* ip = std::get_if<core::Ipv6>(&r.data)) {
      out.values.push_back(ip->str());
    }
  }
  return out;
}

}  // namespace sixpn::commands
