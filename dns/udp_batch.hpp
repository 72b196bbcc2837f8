#pragma once
// Datagrams in and replies out by the batch: one recvmmsg() takes every query waiting on a UDP
// socket (up to the batch's capacity), one sendmmsg() sends the replies to them, instead of a
// recvfrom() and a sendto() per query. Under load most of a DNS server's time is these system
// calls, not the answers. Within a batch, replies of one size to one client (a busy resolver's
// socket, say) leave as one UDP_SEGMENT message that the kernel cuts into datagrams.
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "core/dns/endpoint.hpp"

namespace sixpn::dns {

class UdpBatch {
 public:
  explicit UdpBatch(std::size_t capacity);
  ~UdpBatch();
  UdpBatch(const UdpBatch&) = delete;
  UdpBatch& operator=(const UdpBatch&) = delete;

  // Takes what is waiting on `fd` without blocking; returns how many datagrams (0: none). The
  // replies of the previous batch are forgotten.
  std::size_t receive(int fd);

  std::span<const std::uint8_t> datagram(std::size_t i) const;
  const core::dns::Endpoint& source(std::size_t i) const { return sources_[i]; }
  // Datagram i's reply, empty until set; send() skips the empty ones.
  std::vector<std::uint8_t>& reply(std::size_t i) { return replies_[i]; }

  // Sends every reply of this batch to its datagram's source. UDP is lossy by contract: a reply
  // the socket refuses (its buffer full) is dropped, and the client retries.
  void send(int fd);

 private:
  struct Headers;
  std::size_t capacity_;
  std::size_t count_ = 0;
  bool gso_ = true;                     // false once a route refused UDP_SEGMENT
  std::unique_ptr<std::uint8_t[]> in_;  // capacity_ slots of kMaxMessage bytes, touched as used
  std::vector<core::dns::Endpoint> sources_;
  std::vector<std::vector<std::uint8_t>> replies_;
  std::unique_ptr<Headers> headers_;
};

}  // namespace sixpn::dns
