#pragma once
// Moving a connection's bytes. The first ones of each direction (a request, a greeting, an
// answer: most short connections carry nothing else) are copied through a buffer of the loop's
// with recv and send, which for a few hundred bytes costs less than two splices and needs no
// pipe. Once a read fills that buffer the direction is a stream: from then on its bytes go
// socket → pipe → socket with splice(2) and stay in the kernel. A pipe is taken only then, or
// when the destination cannot take what was read (the rest waits in the pipe), and goes back
// to a pool when the connection ends, so the next one costs no pipe2() call.
#include <array>
#include <cstddef>
#include <optional>
#include <vector>

#include "net/fd.hpp"

namespace sixpn::proxy {

struct Pipe {
  net::Fd read;
  net::Fd write;
  std::size_t bytes = 0;  // spliced in and not yet out
};

// Pipes of finished connections, for the next ones; an empty pipe holds no data pages.
class PipePool {
 public:
  explicit PipePool(std::size_t keep = 256) : keep_(keep) {}
  // A pipe from the pool or a new one (non-blocking, close-on-exec); nullopt when the
  // process is out of descriptors.
  std::optional<Pipe> acquire();
  // Keeps `pipe` if it is empty and the pool has room; closes it otherwise.
  void release(Pipe pipe);
  std::size_t size() const { return pipes_.size(); }

 private:
  std::size_t keep_;
  std::vector<Pipe> pipes_;
};

// What a loop lends the connections it relays: the copy buffer and the pool of pipes.
struct RelayContext {
  static constexpr std::size_t kCopyBytes = 16 * 1024;  // at most a pipe's capacity
  std::array<char, kCopyBytes> buffer;
  PipePool pipes;
};

// One direction of a relayed connection.
struct Direction {
  Pipe pipe;                 // none (closed descriptors) until it needs one
  bool stream = false;       // a read filled the copy buffer: splice from now on
  bool source_done = false;  // the source sent its FIN (or both sides are gone)
  bool shut = false;         // the FIN went on to the destination
  std::size_t total = 0;     // bytes delivered to the destination
};

enum class PumpResult {
  Blocked,  // nothing more can move now; wait for the sockets
  Done,     // the source finished and everything reached the destination, FIN passed on
  Failed,   // a socket failed (reset, broken pipe); errno says which
};

// Moves everything that can move now from `from` to `to` without blocking (both sockets are
// non-blocking), then passes the FIN on once the source finished and the pipe is empty.
// Failed also when a pipe was needed and the process is out of descriptors.
// `close_follows`: the caller closes both sockets as soon as this direction is Done (the other
// one is over), so the FIN goes with the close instead of a shutdown of its own.
// Safe to call again after Done (it stays Done).
PumpResult pump(int from, int to, Direction& d, RelayContext& context, bool close_follows = false);

}  // namespace sixpn::proxy
