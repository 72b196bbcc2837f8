#include "dns/upstreams.hpp"

#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/address.hpp"

namespace sixpn::dns {

namespace w = core::dns;

namespace {

constexpr std::uint16_t kDnsPort = 53;

std::optional<w::Endpoint> nameserver_endpoint(const std::string& text, std::string& problem) {
  sockaddr_in v4{};
  if (inet_pton(AF_INET, text.c_str(), &v4.sin_addr) == 1) {
    v4.sin_family = AF_INET;
    v4.sin_port = htons(kDnsPort);
    return w::Endpoint::from(reinterpret_cast<const sockaddr*>(&v4), sizeof v4);
  }
  sockaddr_in6 v6{};
  std::string address = text;
  std::string scope;
  if (auto pct = text.find('%'); pct != std::string::npos) {
    address = text.substr(0, pct);
    scope = text.substr(pct + 1);
  }
  if (inet_pton(AF_INET6, address.c_str(), &v6.sin6_addr) != 1) {
    problem = "nameserver \"" + text + "\" is not an IPv4 or IPv6 address";
    return std::nullopt;
  }
  if (!scope.empty()) {
    unsigned index = if_nametoindex(scope.c_str());
    if (index == 0) {
      // RFC 4007 11.2: the zone may also be given as its number.
      auto [end, ec] = std::from_chars(scope.data(), scope.data() + scope.size(), index);
      if (ec != std::errc() || end != scope.data() + scope.size()) index = 0;
    }
    if (index == 0) {
      problem = "nameserver \"" + text + "\" names no interface of this host";
      return std::nullopt;
    }
    v6.sin6_scope_id = index;
  }
  v6.sin6_family = AF_INET6;
  v6.sin6_port = htons(kDnsPort);
  return w::Endpoint::from(reinterpret_cast<const sockaddr*>(&v6), sizeof v6);
}

bool unspecified(const w::Endpoint& e) {
  if (e.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(e.addr())->sin_addr.s_addr == htonl(INADDR_ANY);
  }
  return IN6_IS_ADDR_UNSPECIFIED(&reinterpret_cast<const sockaddr_in6*>(e.addr())->sin6_addr);
}

bool loopback(const w::Endpoint& e) {
  if (e.family() == AF_INET) {
    return (ntohl(reinterpret_cast<const sockaddr_in*>(e.addr())->sin_addr.s_addr) >> 24) == 127;
  }
  return IN6_IS_ADDR_LOOPBACK(&reinterpret_cast<const sockaddr_in6*>(e.addr())->sin6_addr);
}

bool same_address(const w::Endpoint& a, const w::Endpoint& b) {
  if (a.family() != b.family()) return false;
  if (a.family() == AF_INET) {
    return reinterpret_cast<const sockaddr_in*>(a.addr())->sin_addr.s_addr ==
           reinterpret_cast<const sockaddr_in*>(b.addr())->sin_addr.s_addr;
  }
  return std::memcmp(&reinterpret_cast<const sockaddr_in6*>(a.addr())->sin6_addr,
                     &reinterpret_cast<const sockaddr_in6*>(b.addr())->sin6_addr, 16) == 0;
}

// An org's DNS address: fdaa:NNNN:NNNN::3, nothing set between the prefix and the final 3.
bool org_dns_address(const w::Endpoint& e) {
  if (e.family() != AF_INET6) return false;
  core::Ipv6 a;
  std::memcpy(a.bytes.data(), &reinterpret_cast<const sockaddr_in6*>(e.addr())->sin6_addr, 16);
  return core::is_sixpn(a) && a == core::org_dns_server(core::split(a).network);
}

}  // namespace

ResolvConf parse_resolv_conf(std::string_view text) {
  ResolvConf out;
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (auto comment = line.find_first_of("#;"); comment != std::string::npos) {
      line.resize(comment);
    }
    std::istringstream words(line);
    std::string keyword, address;
    if (!(words >> keyword) || keyword != "nameserver") continue;
    if (!(words >> address)) {
      out.problems.push_back("a nameserver line names no address");
      continue;
    }
    if (out.nameservers.size() == kMaxResolvConfServers) {
      out.problems.push_back("nameserver " + address + " is beyond the first " +
                             std::to_string(kMaxResolvConfServers) + " (glibc reads no more)");
      continue;
    }
    std::string problem;
    if (auto e = nameserver_endpoint(address, problem)) {
      out.nameservers.push_back(*e);
    } else {
      out.problems.push_back(problem);
    }
  }
  return out;
}

ResolvConf read_resolv_conf(const std::string& path) {
  std::ifstream in(path);
  if (!in) {
    ResolvConf none;
    none.problems.push_back("cannot read " + path + ": " + std::strerror(errno));
    return none;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return parse_resolv_conf(text.str());
}

bool is_own_dns(const w::Endpoint& server, const std::vector<w::Endpoint>& listeners,
                bool serves_6pn) {
  if (serves_6pn && server.port() == kDnsPort && org_dns_address(server)) return true;
  for (const auto& l : listeners) {
    if (l.family() != server.family() || l.port() != server.port()) continue;
    if (same_address(l, server) || (unspecified(l) && loopback(server))) return true;
  }
  return false;
}

}  // namespace sixpn::dns
