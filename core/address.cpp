#include "core/address.hpp"

#include <arpa/inet.h>

#include <stdexcept>

namespace sixpn::core {

std::optional<Ipv6> Ipv6::parse(std::string_view text) {
  // inet_pton needs a NUL-terminated string; an embedded NUL must not cut the input short.
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN ||
      text.find('\0') != std::string_view::npos) {
    return std::nullopt;
  }
  std::string copy(text);
  Ipv6 out;
  if (inet_pton(AF_INET6, copy.c_str(), out.bytes.data()) != 1) return std::nullopt;
  return out;
}

std::string Ipv6::str() const {
  char buf[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf) == nullptr) {
    throw std::runtime_error("inet_ntop failed");
  }
  return buf;
}

namespace {
std::uint32_t read32(const Ipv6& a, int at) {
  return std::uint32_t{a.bytes[at]} << 24 | std::uint32_t{a.bytes[at + 1]} << 16 |
         std::uint32_t{a.bytes[at + 2]} << 8 | std::uint32_t{a.bytes[at + 3]};
}
void write32(Ipv6& a, int at, std::uint32_t v) {
  a.bytes[at] = static_cast<std::uint8_t>(v >> 24);
  a.bytes[at + 1] = static_cast<std::uint8_t>(v >> 16);
  a.bytes[at + 2] = static_cast<std::uint8_t>(v >> 8);
  a.bytes[at + 3] = static_cast<std::uint8_t>(v);
}
}  // namespace

bool is_sixpn(const Ipv6& address) {
  return address.bytes[0] == (kUlaPrefix >> 8) && address.bytes[1] == (kUlaPrefix & 0xff);
}

SixpnFields split(const Ipv6& a) {
  return SixpnFields{read32(a, 2), read32(a, 6), read32(a, 10),
                     static_cast<std::uint16_t>(a.bytes[14] << 8 | a.bytes[15])};
}

Ipv6 compose(const SixpnFields& f) {
  Ipv6 a;
  a.bytes[0] = kUlaPrefix >> 8;
  a.bytes[1] = kUlaPrefix & 0xff;
  write32(a, 2, f.network);
  write32(a, 6, f.host);
  write32(a, 10, f.machine);
  a.bytes[14] = static_cast<std::uint8_t>(f.free >> 8);
  a.bytes[15] = static_cast<std::uint8_t>(f.free);
  return a;
}

Ipv6 network_of(const Ipv6& address, int bits) {
  if (bits < 0 || bits > 128) throw std::invalid_argument("prefix length out of range");
  Ipv6 out = address;
  for (int i = 0; i < 16; ++i) {
    int keep = bits - i * 8;
    if (keep >= 8) continue;
    out.bytes[i] &= keep <= 0 ? 0 : static_cast<std::uint8_t>(0xff << (8 - keep));
  }
  return out;
}

bool in_prefix(const Ipv6& address, const Ipv6& prefix, int bits) {
  return network_of(address, bits) == network_of(prefix, bits);
}

Ipv6 org_prefix(std::uint32_t network) {
  return compose({network, 0, 0, 0});
}

std::string org_prefix_cidr(std::uint32_t network) {
  return org_prefix(network).str() + "/48";
}

std::string host_prefix_cidr(std::uint32_t network, std::uint32_t host) {
  return compose({network, host, 0, 0}).str() + "/80";
}

Ipv6 org_dns_server(std::uint32_t network) {
  return compose({network, 0, 0, kDnsSuffix});
}

Ipv6 machine_address(std::uint32_t network, std::uint32_t host, std::uint64_t slot) {
  if (slot > kMaxMachineSlot) throw std::out_of_range("machine address space exhausted");
  return compose({network, host, static_cast<std::uint32_t>(slot + 1), 2});
}

Ipv6 peer_address(std::uint32_t network, std::uint32_t gateway_host, std::uint64_t slot) {
  if (slot > kMaxPeerSlot) throw std::out_of_range("peer address space exhausted");
  auto machine = static_cast<std::uint32_t>(kPeerMachineBase + slot / 256);
  auto free = static_cast<std::uint16_t>((slot % 256) << 8 | 2);
  return compose({network, gateway_host, machine, free});
}

Ipv6 flycast_address(std::uint32_t network, std::uint64_t slot) {
  if (slot > kMaxFlycastSlot) throw std::out_of_range("flycast address space exhausted");
  return compose({network, kFlycastHost, static_cast<std::uint32_t>(slot), 3});
}

Ipv6 proxy_address(std::uint32_t node_host) { return compose({kProxyNetwork, node_host, 0, 1}); }

std::string proxy_range_cidr() { return org_prefix_cidr(kProxyNetwork); }

}  // namespace sixpn::core
