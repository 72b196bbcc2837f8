#pragma once
// An IP address and port, as a socket address, parsed from the forms people type:
// "127.0.0.1:5353", "[::1]:5353", and, where a default port applies, "127.0.0.1", "::1",
// "[::1]". Literal addresses only: no name lookups, so a listen or server address never
// depends on a resolver (which may be the very server being configured).
#include <sys/socket.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sixpn::core::dns {

struct Endpoint {
  sockaddr_storage storage{};
  socklen_t length = 0;

  int family() const { return storage.ss_family; }
  const sockaddr* addr() const { return reinterpret_cast<const sockaddr*>(&storage); }
  std::uint16_t port() const;
  void set_port(std::uint16_t port);
  std::string host() const;  // "127.0.0.1", "::1"
  std::string str() const;   // "127.0.0.1:53", "[::1]:53"

  static Endpoint from(const sockaddr* sa, socklen_t len);
};

// nullopt when `text` is not one of the accepted forms; without a port, `default_port` is used
// when given, and the text is refused when not.
std::optional<Endpoint> parse_endpoint(std::string_view text,
                                       std::optional<std::uint16_t> default_port = std::nullopt);

}  // namespace sixpn::core::dns
