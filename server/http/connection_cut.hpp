#pragma once
// Lets go of the API's connections when sixpnd stops. httplib 0.11.4's stop() closes only the
// listening socket: a connection idle in its keep-alive wait holds its thread until that wait
// ends (5 s), and one whose client trickles a header line every few seconds holds it for ever,
// so a stop could last as long as a client pleased. httplib does not hand out the sockets it
// accepted, so they are found among the process's descriptors: TCP sockets, connected, whose
// local port is the API's.
//
// Only the reading side is shut: whatever a client had already sent is still read, and replies
// being written go out whole; the next read sees the end of the stream, and httplib closes the
// connection. Nothing else of the process has a connected TCP socket on that port (sixpnd's
// own outgoing connections use ephemeral ports).
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <set>
#include <string>

namespace sixpn::server::http {

// A connection's peer as httplib's Request names it (remote_addr, remote_port): the numeric
// host of getnameinfo(3) and the port.
struct Peer {
  std::string address;
  int port = 0;
  bool operator<(const Peer& o) const {
    return port != o.port ? port < o.port : address < o.address;
  }
};

// The peers of the requests being handled, from the moment their headers have been read to the
// moment their reply has been written: a stop spares their connections for a while, so a
// request whose body is still arriving is finished.
class RequestsInFlight {
 public:
  // On the thread that handles the request; a request the thread began before and never ended
  // (its reply could not be written) is forgotten.
  void begin(Peer peer);
  void end();
  bool contains(const Peer& peer) const;

 private:
  mutable std::mutex mu_;
  std::multiset<Peer> peers_;
};

// The local port of a socket (IPv4 or IPv6); 0 when it has none.
std::uint16_t local_port_of(int fd);

// Shuts the reading side of every connected TCP socket of this process whose local port is
// `port`, except those `spare` says to keep; returns how many were shut.
std::size_t stop_reading_connections_on_port(std::uint16_t port,
                                             const std::function<bool(const Peer&)>& spare);

}  // namespace sixpn::server::http
