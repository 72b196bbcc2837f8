#include "server/http/connection_cut.hpp"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <thread>
#include <vector>

#include "net/fd.hpp"

namespace sixpn::server::http {
namespace {

using net::Fd;

// A listener on 127.0.0.1 with an ephemeral port, and connections to it.
struct Loopback {
  Fd listener{socket(AF_INET, SOCK_STREAM, 0)};
  std::uint16_t port = 0;

  Loopback() {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(listener.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(listener.get(), 8), 0);
    socklen_t size = sizeof a;
    getsockname(listener.get(), reinterpret_cast<sockaddr*>(&a), &size);
    port = ntohs(a.sin_port);
  }
  Fd connect_client() const {
    Fd c(socket(AF_INET, SOCK_STREAM, 0));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    EXPECT_EQ(connect(c.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    return c;
  }
  Fd accept_one() const { return Fd(accept(listener.get(), nullptr, nullptr)); }
};

bool readable_now(int fd) {
  pollfd p{fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1;
}

// recv with a guard against a hang: -2 when nothing came within 30 s.
ssize_t recv_guarded(int fd, char* buf, std::size_t size) {
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, 30'000) != 1) return -2;
  return recv(fd, buf, size, 0);
}

TEST(ConnectionCut, AcceptedConnectionsSeeTheEndAfterWhatWasSent) {
  Loopback lo;
  auto client = lo.connect_client();
  auto accepted = lo.accept_one();
  ASSERT_EQ(send(client.get(), "GET", 3, 0), 3);
  // Wait until the bytes are there, so the order below is the one the test means.
  pollfd p{accepted.get(), POLLIN, 0};
  ASSERT_EQ(poll(&p, 1, 30'000), 1);

  EXPECT_EQ(stop_reading_connections_on_port(lo.port, [](const Peer&) { return false; }), 1u);

  char buf[16];
  ASSERT_EQ(recv_guarded(accepted.get(), buf, sizeof buf), 3) << "what was sent is still read";
  EXPECT_EQ(std::string(buf, 3), "GET");
  EXPECT_EQ(recv_guarded(accepted.get(), buf, sizeof buf), 0) << "then the end of the stream";
  EXPECT_EQ(send(accepted.get(), "ok", 2, MSG_NOSIGNAL), 2) << "replies still go out";
  EXPECT_EQ(recv_guarded(client.get(), buf, sizeof buf), 2);
}

TEST(ConnectionCut, LeavesTheListenerTheClientSideAndOtherPortsAlone) {
  Loopback api, other;
  auto client = api.connect_client();
  auto accepted = api.accept_one();
  auto other_client = other.connect_client();
  auto other_accepted = other.accept_one();

  EXPECT_EQ(stop_reading_connections_on_port(api.port, [](const Peer&) { return false; }), 1u);

  EXPECT_FALSE(readable_now(client.get())) << "the client's socket has the port as its peer's";
  EXPECT_FALSE(readable_now(other_accepted.get()));
  auto late = api.connect_client();
  auto late_accepted = api.accept_one();
  EXPECT_GE(late_accepted.get(), 0) << "the listener still accepts";
  EXPECT_FALSE(readable_now(late_accepted.get()));
}

TEST(ConnectionCut, SparesThePeersItIsToldToAndNamesThemAsHttplibDoes) {
  Loopback lo;
  auto spared_client = lo.connect_client();
  auto spared = lo.accept_one();
  auto cut_client = lo.connect_client();
  auto cut = lo.accept_one();
  sockaddr_in self{};
  socklen_t size = sizeof self;
  getsockname(spared_client.get(), reinterpret_cast<sockaddr*>(&self), &size);
  Peer wanted{"127.0.0.1", ntohs(self.sin_port)};

  std::vector<Peer> asked;
  EXPECT_EQ(stop_reading_connections_on_port(lo.port,
                                             [&](const Peer& p) {
                                               asked.push_back(p);
                                               return !(p < wanted) && !(wanted < p);
                                             }),
            1u);
  EXPECT_EQ(asked.size(), 2u);
  EXPECT_FALSE(readable_now(spared.get()));
  char buf[4];
  EXPECT_EQ(recv_guarded(cut.get(), buf, sizeof buf), 0);
}

TEST(RequestsInFlight, ARequestCountsFromBeginToEndOnItsThread) {
  RequestsInFlight in_flight;
  Peer a{"127.0.0.1", 1000}, b{"::1", 2000};
  in_flight.begin(a);
  EXPECT_TRUE(in_flight.contains(a));
  std::thread other([&] {
    in_flight.begin(b);
    in_flight.end();
  });
  other.join();
  EXPECT_FALSE(in_flight.contains(b));
  EXPECT_TRUE(in_flight.contains(a)) << "another thread's end is its own";
  in_flight.begin(b);  // a's reply was never written: the thread has moved on
  EXPECT_FALSE(in_flight.contains(a));
  EXPECT_TRUE(in_flight.contains(b));
  in_flight.end();
  EXPECT_FALSE(in_flight.contains(b));
}

}  // namespace
}  // namespace sixpn::server::http
