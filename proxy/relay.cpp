#include "proxy/relay.hpp"

#include <fcntl.h>
#include <sys/socket.h>

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

PumpResult pump(int from, int to, Direction& d, bool close_follows) {
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
      ssize_t n = ::splice(from, nullptr, d.pipe.write.get(), nullptr, kSpliceChunk,
                           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.pipe.bytes = static_cast<std::size_t>(n);
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
