#include "proxy/relay.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace sixpn::proxy {

namespace {
// As much as a default pipe holds; one splice call moves at most this.
constexpr std::size_t kSpliceChunk = 1 << 16;
}  // namespace

std::optional<Pipe> PipePool::acquire() {
  if (!pipes_.empty()) {
    Pipe p = std::move(pipes_.back());
    pipes_.pop_back();
    return p;
  }
  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0) return std::nullopt;
  Pipe p;
  p.read = net::Fd(fds[0]);
  p.write = net::Fd(fds[1]);
  return p;
}

void PipePool::release(Pipe pipe) {
  if (pipe.bytes != 0 || !pipe.read || pipes_.size() >= keep_) return;  // closed with it
  pipes_.push_back(std::move(pipe));
}

namespace {

// Reads what `from` has into the copy buffer and sends it on; what `to` cannot take now goes
// into the direction's pipe (taken from the pool) and leaves by splice. Returns what recv did:
// > 0 bytes read, 0 the source's FIN, < 0 with errno.
ssize_t copy_once(int from, int to, Direction& d, RelayContext& context) {
  ssize_t n = ::recv(from, context.buffer.data(), context.buffer.size(), 0);
  if (n <= 0) return n;
  const auto read = static_cast<std::size_t>(n);
  if (read == context.buffer.size()) d.stream = true;
  ssize_t sent = ::send(to, context.buffer.data(), read, MSG_NOSIGNAL);
  if (sent < 0) {
    if (errno != EAGAIN) return -1;
    sent = 0;
  }
  d.total += static_cast<std::size_t>(sent);
  const std::size_t rest = read - static_cast<std::size_t>(sent);
  if (rest == 0) return n;
  if (!d.pipe.read) {
    auto pipe = context.pipes.acquire();
    if (!pipe) return -1;  // EMFILE: errno says so
    d.pipe = std::move(*pipe);
  }
  // The pipe is empty here (reads happen only then) and holds more than the buffer, so the
  // write takes everything.
  ssize_t queued = ::write(d.pipe.write.get(), context.buffer.data() + sent, rest);
  if (queued != static_cast<ssize_t>(rest)) return -1;
  d.pipe.bytes = rest;
  return n;
}

// Splices what `from` has into the direction's pipe (taken from the pool if it has none).
ssize_t splice_in(int from, Direction& d, RelayContext& context) {
  if (!d.pipe.read) {
    auto pipe = context.pipes.acquire();
    if (!pipe) return -1;
    d.pipe = std::move(*pipe);
  }
  ssize_t n = ::splice(from, nullptr, d.pipe.write.get(), nullptr, kSpliceChunk,
                       SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
  if (n > 0) d.pipe.bytes = static_cast<std::size_t>(n);
  return n;
}

}  // namespace

PumpResult pump(int from, int to, Direction& d, RelayContext& context, bool close_follows) {
  if (d.shut) return PumpResult::Done;
  for (;;) {
    bool moved = false;
    if (d.pipe.bytes > 0) {
      ssize_t n = ::splice(d.pipe.read.get(), nullptr, to, nullptr, d.pipe.bytes,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.pipe.bytes -= static_cast<std::size_t>(n);
        d.total += static_cast<std::size_t>(n);
        moved = true;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return PumpResult::Failed;
      }
    }
    // Read only into an empty pipe: then a read that finds the pipe full cannot be mistaken
    // for a source with nothing to say, and the pipe never holds more than one chunk.
    if (!d.source_done && d.pipe.bytes == 0) {
      ssize_t n = d.stream ? splice_in(from, d, context) : copy_once(from, to, d, context);
      if (n > 0) {
        moved = true;
      } else if (n == 0) {
        d.source_done = true;
      } else if (errno == EAGAIN) {
        break;  // the pipe is empty, so nothing is left to write either: asking again is waste
      } else if (errno != EINTR) {
        return PumpResult::Failed;
      }
    }
    if (!moved) break;
  }
  if (d.source_done && d.pipe.bytes == 0) {
    // The destination may already be gone (ENOTCONN): the direction is over either way. A
    // close that follows sends the FIN by itself (both receive queues were read to their end).
    if (!close_follows) ::shutdown(to, SHUT_WR);
    d.shut = true;
    return PumpResult::Done;
  }
  return PumpResult::Blocked;
}

}  // namespace sixpn::proxy
