#pragma once
// A DnsServer on a loopback port answering from the shared fixture snapshot, and the client side
// of UDP and TCP to talk to it, for the tests that go through real sockets.
#include <poll.h>
#include <sys/socket.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/dns/message.hpp"
#include "dns/feed.hpp"
#include "dns/server.hpp"
#include "dns/socket.hpp"
#include "tests/unit/dns/fixture.hpp"

namespace sixpn::dns::testing {

namespace w = core::dns;
using Bytes = std::vector<std::uint8_t>;

inline Bytes query(const std::string& name, std::uint16_t qtype, std::uint16_t id = 7) {
  w::Message q;
  q.header.id = id;
  q.header.rd = true;
  q.questions.push_back({*w::Name::parse(name), qtype, w::klass::IN});
  return w::encode(q);
}

// Waits up to `ms` for `fd` to be readable.
inline bool readable(int fd, int ms) {
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, ms) == 1;
}

inline std::optional<w::Message> udp_ask(const w::Endpoint& to, const Bytes& wire, int ms = 2000) {
  Fd fd = connect_udp(to);
  if (::send(fd.get(), wire.data(), wire.size(), 0) < 0) return std::nullopt;
  if (!readable(fd.get(), ms)) return std::nullopt;
  Bytes buf(65535);
  auto n = ::recv(fd.get(), buf.data(), buf.size(), 0);
  if (n <= 0) return std::nullopt;
  buf.resize(static_cast<std::size_t>(n));
  return w::decode(buf).message;
}

inline Fd tcp_connect(const w::Endpoint& to) {
  Fd fd(::socket(to.family(), SOCK_STREAM | SOCK_CLOEXEC, 0));
  EXPECT_EQ(::connect(fd.get(), to.addr(), to.length), 0);
  return fd;
}

inline Bytes framed(const Bytes& wire) {
  Bytes out(2 + wire.size());  // not insert(): GCC 12 warns falsely on it here
  out[0] = static_cast<std::uint8_t>(wire.size() >> 8);
  out[1] = static_cast<std::uint8_t>(wire.size());
  std::copy(wire.begin(), wire.end(), out.begin() + 2);
  return out;
}

inline bool read_exact(int fd, std::uint8_t* out, std::size_t n) {
  while (n > 0) {
    if (!readable(fd, 2000)) return false;
    auto got = ::recv(fd, out, n, 0);
    if (got <= 0) return false;
    out += got;
    n -= static_cast<std::size_t>(got);
  }
  return true;
}

inline std::optional<w::Message> tcp_read(int fd) {
  std::uint8_t len[2];
  if (!read_exact(fd, len, 2)) return std::nullopt;
  Bytes body(std::size_t{len[0]} << 8 | len[1]);
  if (!read_exact(fd, body.data(), body.size())) return std::nullopt;
  return w::decode(body).message;
}

// True when the server closed the connection (EOF within the wait).
inline bool closed_by_server(int fd, int ms) {
  if (!readable(fd, ms)) return false;
  std::uint8_t b;
  return ::recv(fd, &b, 1, 0) == 0;
}

struct Running {
  SnapshotFeed feed;
  std::unique_ptr<DnsServer> server;
  w::Endpoint at;

  explicit Running(const std::string& spec = "127.0.0.1:0=acme", ServerOptions options = {},
                   Snapshot snap = fixture()) {
    feed.publish(std::make_shared<const Snapshot>(std::move(snap)));
    std::string problem;
    auto parsed = parse_listen_spec(spec, problem);
    EXPECT_TRUE(parsed) << problem;
    options.listen = {*parsed};
    server = std::make_unique<DnsServer>(std::move(options), [this] { return feed.current(); });
    server->start();
    at = server->bound().at(0);
  }
};

}  // namespace sixpn::dns::testing
