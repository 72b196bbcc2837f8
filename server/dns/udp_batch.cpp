#include "server/dns/udp_batch.hpp"

#include <sys/uio.h>

#include <cerrno>

#include "core/dns/message.hpp"

namespace sixpn::server::dns {

namespace w = core::dns;

struct UdpBatch::Headers {
  std::vector<mmsghdr> in, out;
  std::vector<iovec> in_iov, out_iov;
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

void UdpBatch::send(int fd) {
  auto& h = *headers_;
  std::size_t n = 0;
  for (std::size_t i = 0; i < count_; ++i) {
    if (replies_[i].empty()) continue;
    h.out_iov[n] = iovec{replies_[i].data(), replies_[i].size()};
    h.out[n] = mmsghdr{};
    h.out[n].msg_hdr.msg_name = &sources_[i].storage;
    h.out[n].msg_hdr.msg_namelen = sources_[i].length;
    h.out[n].msg_hdr.msg_iov = &h.out_iov[n];
    h.out[n].msg_hdr.msg_iovlen = 1;
    ++n;
  }
  // sendmmsg() stops at the first datagram it cannot send: drop that one, go on with the rest.
  for (std::size_t at = 0; at < n;) {
    int sent = ::sendmmsg(fd, h.out.data() + at, static_cast<unsigned>(n - at), MSG_DONTWAIT);
    if (sent < 0 && errno == EINTR) continue;
    at += sent > 0 ? static_cast<std::size_t>(sent) : 1;
  }
  count_ = 0;
}

}  // namespace sixpn::server::dns
