#include "proxy/relay.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <string>
#include <utility>

#include "tcp_fixture.hpp"

namespace sixpn::proxy {
namespace {

using namespace testing;

// Two connected TCP sockets on loopback, non-blocking on the proxy's side.
struct Link {
  net::Fd outer;  // the test's end
  net::Fd inner;  // the proxy's end
};

Link make_link() {
  std::uint16_t port = 0;
  auto listener = listen_loopback(port);
  Link link;
  link.outer = connect_loopback(port);
  link.inner = net::Fd(::accept4(listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
  return link;
}

// Reads what is there now without waiting, for the test's ends.
std::string read_available(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
  }
}

void set_buffer(int fd, int option, int bytes) {
  ::setsockopt(fd, SOL_SOCKET, option, &bytes, sizeof bytes);
}

// Pumps until the direction moves nothing more (both ends of loopback answer at once).
PumpResult pump_settled(Link& from, Link& to, Direction& d, RelayContext& context) {
  PumpResult r = PumpResult::Blocked;
  for (int i = 0; i < 4; ++i) {
    ::poll(nullptr, 0, 1);
    r = pump(from.inner.get(), to.inner.get(), d, context);
  }
  return r;
}

TEST(Relay, FirstBytesAreCopiedWithoutTakingAPipe) {
  auto client = make_link(), machine = make_link();
  RelayContext context;
  Direction up;
  ASSERT_TRUE(send_all(client.outer.get(), "GET / HTTP/1.1\r\n\r\n"));
  EXPECT_EQ(pump_settled(client, machine, up, context), PumpResult::Blocked);
  EXPECT_EQ(read_available(machine.outer.get()), "GET / HTTP/1.1\r\n\r\n");
  EXPECT_FALSE(up.pipe.read);
  EXPECT_FALSE(up.stream);
  EXPECT_EQ(up.total, 18u);
  ::shutdown(client.outer.get(), SHUT_WR);
  EXPECT_EQ(pump_settled(client, machine, up, context), PumpResult::Done);
  EXPECT_EQ(read_all(machine.outer.get()), "");  // the FIN passed on
  EXPECT_EQ(context.pipes.size(), 0u);           // none was ever made
}

TEST(Relay, WhatTheDestinationCannotTakeYetWaitsInAPipeAndArrivesIntact) {
  auto client = make_link(), machine = make_link();
  set_buffer(machine.inner.get(), SO_SNDBUF, 4096);
  set_buffer(machine.outer.get(), SO_RCVBUF, 4096);
  RelayContext context;
  Direction up;
  std::string sent;
  for (int i = 0; i < 400 && !up.pipe.read; ++i) {  // small writes: the copy path each time
    std::string piece(1000, static_cast<char>('a' + i % 26));
    ASSERT_TRUE(send_all(client.outer.get(), piece));
    sent += piece;
    ASSERT_EQ(pump_settled(client, machine, up, context), PumpResult::Blocked);
  }
  ASSERT_TRUE(up.pipe.read) << "the machine's side never filled up";
  EXPECT_FALSE(up.stream);
  EXPECT_GT(up.pipe.bytes, 0u);
  ::shutdown(client.outer.get(), SHUT_WR);
  std::string got;
  PumpResult r = PumpResult::Blocked;
  for (int i = 0; i < 10000 && r != PumpResult::Done; ++i) {
    got += read_available(machine.outer.get());
    r = pump_settled(client, machine, up, context);
  }
  ASSERT_EQ(r, PumpResult::Done);
  got += read_all(machine.outer.get());
  EXPECT_EQ(got.size(), sent.size());
  EXPECT_TRUE(got == sent);
  EXPECT_EQ(up.total, sent.size());
}

TEST(Relay, AReadThatFillsTheCopyBufferTurnsTheDirectionIntoAStream) {
  auto client = make_link(), machine = make_link();
  RelayContext context;
  Direction up;
  std::string data(RelayContext::kCopyBytes * 3, '\0');
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 13 + i / 97);
  ASSERT_TRUE(send_all(client.outer.get(), data));
  ::shutdown(client.outer.get(), SHUT_WR);
  std::string got;
  PumpResult r = PumpResult::Blocked;
  for (int i = 0; i < 10000 && r != PumpResult::Done; ++i) {
    r = pump_settled(client, machine, up, context);
    got += read_available(machine.outer.get());
  }
  ASSERT_EQ(r, PumpResult::Done);
  got += read_all(machine.outer.get());
  EXPECT_TRUE(up.stream);
  EXPECT_TRUE(got == data);
}

TEST(Relay, AResetSourceFailsTheDirection) {
  auto client = make_link(), machine = make_link();
  RelayContext context;
  Direction up;
  linger l{1, 0};
  ::setsockopt(client.outer.get(), SOL_SOCKET, SO_LINGER, &l, sizeof l);
  client.outer.reset();
  pollfd p{client.inner.get(), POLLIN, 0};
  ASSERT_EQ(::poll(&p, 1, 10000), 1);
  EXPECT_EQ(pump(client.inner.get(), machine.inner.get(), up, context), PumpResult::Failed);
  EXPECT_EQ(errno, ECONNRESET);
}

}  // namespace
}  // namespace sixpn::proxy
