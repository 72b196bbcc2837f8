#include "commands/doctor_probe.hpp"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <utility>

namespace sixpn::commands::doctor {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kPeerPrefixLength = 120;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) ::close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

int prefix_length(const sockaddr* netmask) {
  if (netmask == nullptr || netmask->sa_family != AF_INET6) return 0;
  const auto* mask = reinterpret_cast<const sockaddr_in6*>(netmask);
  int bits = 0;
  for (std::uint8_t byte : mask->sin6_addr.s6_addr) {
    for (int i = 7; i >= 0 && (byte >> i & 1); --i) ++bits;
  }
  return bits;
}

// Kernel WireGuard says so in sysfs; wireguard-go (and other userspace implementations) keep
// their control socket under /var/run/wireguard.
std::string tunnel_kind(const std::string& interface) {
  std::ifstream uevent("/sys/class/net/" + interface + "/uevent");
  std::string line;
  while (std::getline(uevent, line)) {
    if (line == "DEVTYPE=wireguard") return "kernel WireGuard";
  }
  std::error_code ec;
  if (std::filesystem::exists("/var/run/wireguard/" + interface + ".sock", ec)) {
    return "userspace WireGuard";
  }
  return "";
}

sockaddr_in6 to_sockaddr(const core::Ipv6& address) {
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  std::memcpy(sa.sin6_addr.s6_addr, address.bytes.data(), 16);
  return sa;
}

}  // namespace

std::vector<Tunnel> find_tunnels() {
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return {};
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
  std::vector<Tunnel> tunnels;
  for (auto* ifa = raw; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || ifa->ifa_addr->sa_family != AF_INET6) continue;
    core::Ipv6 address;
    std::memcpy(address.bytes.data(),
                reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr)->sin6_addr.s6_addr, 16);
    int bits = prefix_length(ifa->ifa_netmask);
    if (!core::is_sixpn(address) || bits != kPeerPrefixLength) continue;
    Tunnel t;
    t.interface = ifa->ifa_name;
    t.address = address;
    t.prefix_length = bits;
    t.up = (ifa->ifa_flags & IFF_UP) && (ifa->ifa_flags & IFF_RUNNING);
    t.kind = tunnel_kind(t.interface);
    tunnels.push_back(std::move(t));
  }
  return tunnels;
}

std::optional<Tunnel> choose_tunnel(const std::vector<Tunnel>& tunnels,
                                    const std::string& interface,
                                    std::optional<std::uint32_t> network) {
  if (!interface.empty()) {
    for (const auto& t : tunnels) {
      if (t.interface == interface) return t;
    }
    return std::nullopt;
  }
  for (bool only_up : {true, false}) {
    const Tunnel* first = nullptr;
    for (const auto& t : tunnels) {
      if (only_up && !t.up) continue;
      if (network && t.network() == *network) return t;
      if (first == nullptr) first = &t;
    }
    if (first != nullptr) return *first;
  }
  return std::nullopt;
}

PingResult ping6(const core::Ipv6& target, const std::optional<core::Ipv6>& source,
                 std::chrono::milliseconds timeout) {
  PingResult result;
  bool raw = false;
  int fd = ::socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, IPPROTO_ICMPV6);
  if (fd < 0 && (errno == EACCES || errno == EPERM)) {
    fd = ::socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMPV6);
    raw = true;
  }
  if (fd < 0) {
    result.error = std::string("cannot open an ICMPv6 socket: ") + std::strerror(errno) +
                   " (allow unprivileged ping with net.ipv4.ping_group_range, or run as root)";
    return result;
  }
  Socket sock(fd);
  if (raw) {
    icmp6_filter filter;
    ICMP6_FILTER_SETBLOCKALL(&filter);
    ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &filter);
    ::setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter);
  }
  if (source) {
    auto sa = to_sockaddr(*source);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) != 0) {
      result.error = "cannot send from " + source->str() + ": " + std::strerror(errno);
      return result;
    }
  }

  std::random_device rd;
  const auto id = static_cast<std::uint16_t>(rd());
  const auto seq = static_cast<std::uint16_t>(rd());
  unsigned char packet[sizeof(icmp6_hdr) + 16] = {};
  auto* hdr = reinterpret_cast<icmp6_hdr*>(packet);
  hdr->icmp6_type = ICMP6_ECHO_REQUEST;
  hdr->icmp6_id = htons(id);  // an unprivileged socket replaces it with its own
  hdr->icmp6_seq = htons(seq);
  std::memcpy(packet + sizeof(icmp6_hdr), "sixpn doctor....", 16);

  auto to = to_sockaddr(target);
  auto start = Clock::now();
  if (::sendto(fd, packet, sizeof packet, 0, reinterpret_cast<sockaddr*>(&to), sizeof to) < 0) {
    result.error = std::string("cannot send: ") + std::strerror(errno);
    return result;
  }
  auto deadline = start + timeout;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) break;
    pollfd p{fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    unsigned char reply[1500];
    sockaddr_in6 from{};
    socklen_t from_len = sizeof from;
    auto n = ::recvfrom(fd, reply, sizeof reply, 0, reinterpret_cast<sockaddr*>(&from), &from_len);
    if (n < static_cast<ssize_t>(sizeof(icmp6_hdr))) continue;
    const auto* got = reinterpret_cast<const icmp6_hdr*>(reply);
    bool same_peer = std::memcmp(from.sin6_addr.s6_addr, target.bytes.data(), 16) == 0;
    if (got->icmp6_type != ICMP6_ECHO_REPLY || !same_peer || ntohs(got->icmp6_seq) != seq) continue;
    if (raw && ntohs(got->icmp6_id) != id) continue;
    result.ok = true;
    result.rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    return result;
  }
  result.error = "no reply within " + std::to_string(timeout.count()) + " ms";
  return result;
}

}  // namespace sixpn::commands::doctor
