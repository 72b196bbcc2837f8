#include "dns/udp_batch.hpp"

#include <netinet/udp.h>
#include <sys/uio.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

#include "core/dns/message.hpp"

namespace sixpn::dns {

namespace w = core::dns;

constexpr std::size_t kMaxSegments = 64;     // the kernel's UDP_MAX_SEGMENTS
constexpr std::size_t kMaxGsoBytes = 60000;  // one message's payload, under 64 KiB with headers
// Larger datagrams go one by one: a segment must fit the route's MTU, and 1232 bytes fit any
// IPv6 path (1280, less the headers).
constexpr std::size_t kMaxSegmentBytes = 1232;

struct UdpBatch::Headers {
  std::vector<mmsghdr> in, out;
  std::vector<iovec> in_iov, out_iov;
  std::vector<std::size_t> order;  // the replies to send, grouped by client and size
  std::vector<std::array<std::uint8_t, CMSG_SPACE(sizeof(std::uint16_t))>> control;
};

UdpBatch::UdpBatch(std::size_t capacity)
    : capacity_(capacity),
      // Not value-initialised: the pages of slots never written to are never touched.
      in_(new std::uint8_t[capacity * w::kMaxMessage]),
      sources_(capacity),
      replies_(capacity),
      headers_(std::make_unique<Headers>()) {
  headers_->in.resize(capacity);
  headers_->out.resize(capacity);
  headers_->in_iov.resize(capacity);
  headers_->out_iov.resize(capacity);
  headers_->control.resize(capacity);
  for (std::size_t i = 0; i < capacity; ++i) {
    headers_->in_iov[i] = iovec{in_.get() + i * w::kMaxMessage, w::kMaxMessage};
    headers_->in[i].msg_hdr.msg_name = &sources_[i].storage;
    headers_->in[i].msg_hdr.msg_iov = &headers_->in_iov[i];
    headers_->in[i].msg_hdr.msg_iovlen = 1;
    replies_[i].reserve(512);
  }
}

UdpBatch::~UdpBatch() = default;

std::size_t UdpBatch::receive(int fd) {
  count_ = 0;
  auto& h = *headers_;
  for (std::size_t i = 0; i < capacity_; ++i) {
    h.in[i].msg_hdr.msg_namelen = sizeof sources_[i].storage;  // the kernel writes it back
  }
  int n = ::recvmmsg(fd, h.in.data(), static_cast<unsigned>(capacity_), MSG_DONTWAIT, nullptr);
  if (n <= 0) return 0;
  count_ = static_cast<std::size_t>(n);
  for (std::size_t i = 0; i < count_; ++i) {
    sources_[i].length = h.in[i].msg_hdr.msg_namelen;
    replies_[i].clear();
  }
  return count_;
}

std::span<const std::uint8_t> UdpBatch::datagram(std::size_t i) const {
  return {in_.get() + i * w::kMaxMessage, headers_->in[i].msg_len};
}

namespace {

bool same_destination(const w::Endpoint& a, const w::Endpoint& b) {
  return a.length == b.length && std::memcmp(&a.storage, &b.storage, a.length) == 0;
}

}  // namespace

void UdpBatch::send(int fd) {
  auto& h = *headers_;
  // Replies of the same size to the same client go out as one message that the kernel cuts
  // into datagrams (UDP_SEGMENT, Linux 4.18): one trip down the stack instead of one each.
  h.order.clear();
  for (std::size_t i = 0; i < count_; ++i) {
    if (!replies_[i].empty()) h.order.push_back(i);
  }
  if (gso_) {
    std::sort(h.order.begin(), h.order.end(), [&](std::size_t a, std::size_t b) {
      const auto& x = sources_[a];
      const auto& y = sources_[b];
      if (x.length != y.length) return x.length < y.length;
      if (int c = std::memcmp(&x.storage, &y.storage, x.length); c != 0) return c < 0;
      return replies_[a].size() < replies_[b].size();
    });
  }
  std::size_t n = 0;
  for (std::size_t k = 0; k < h.order.size();) {
    const std::size_t first = h.order[k];
    const std::size_t size = replies_[first].size();
    std::size_t run = 1;
    while (gso_ && size <= kMaxSegmentBytes && k + run < h.order.size() && run < kMaxSegments &&
           (run + 1) * size <= kMaxGsoBytes && replies_[h.order[k + run]].size() == size &&
           same_destination(sources_[h.order[k + run]], sources_[first])) {
      ++run;
    }
    for (std::size_t j = 0; j < run; ++j) {
      auto& r = replies_[h.order[k + j]];
      h.out_iov[k + j] = iovec{r.data(), r.size()};
    }
    h.out[n] = mmsghdr{};
    h.out[n].msg_hdr.msg_name = &sources_[first].storage;
    h.out[n].msg_hdr.msg_namelen = sources_[first].length;
    h.out[n].msg_hdr.msg_iov = &h.out_iov[k];
    h.out[n].msg_hdr.msg_iovlen = run;
    if (run > 1) {
      auto* c = reinterpret_cast<cmsghdr*>(h.control[n].data());
      c->cmsg_level = SOL_UDP;
      c->cmsg_type = UDP_SEGMENT;
      c->cmsg_len = CMSG_LEN(sizeof(std::uint16_t));
      const auto segment = static_cast<std::uint16_t>(size);
      std::memcpy(CMSG_DATA(c), &segment, sizeof segment);
      h.out[n].msg_hdr.msg_control = c;
      h.out[n].msg_hdr.msg_controllen = CMSG_SPACE(sizeof(std::uint16_t));
    }
    ++n;
    k += run;
  }
  // sendmmsg() stops at the first message it cannot send: drop that one, go on with the rest.
  // A route whose device cannot cut datagrams refuses UDP_SEGMENT: send those one by one, and
  // no longer try on this socket.
  for (std::size_t at = 0; at < n;) {
    int sent = ::sendmmsg(fd, h.out.data() + at, static_cast<unsigned>(n - at), MSG_DONTWAIT);
    if (sent < 0 && errno == EINTR) continue;
    if (sent < 0 && h.out[at].msg_hdr.msg_iovlen > 1 && errno != EAGAIN && errno != ENOBUFS) {
      gso_ = false;
      msghdr one = h.out[at].msg_hdr;
      one.msg_control = nullptr;
      one.msg_controllen = 0;
      for (std::size_t j = 0; j < h.out[at].msg_hdr.msg_iovlen; ++j) {
        one.msg_iov = h.out[at].msg_hdr.msg_iov + j;
        one.msg_iovlen = 1;
        (void)::sendmsg(fd, &one, MSG_DONTWAIT);
      }
    }
    at += sent > 0 ? static_cast<std::size_t>(sent) : 1;
  }
  count_ = 0;
}

}  // namespace sixpn::dns
