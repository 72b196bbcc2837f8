#include "net/wg_peers.hpp"

#include <algorithm>
#include <charconv>
#include <sstream>
#include <stdexcept>

#include "core/dns/endpoint.hpp"
#include "core/keys.hpp"

namespace sixpn::net {

namespace {

constexpr int kPeerPrefixBits = 120;
constexpr int kWidestMeshPrefixBits = 80;

struct Cidr {
  core::Ipv6 address;
  int bits = 0;
};

std::optional<Cidr> parse_cidr(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto address = core::Ipv6::parse(text.substr(0, slash));
  auto digits = text.substr(slash + 1);
  int bits = -1;
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), bits);
  if (!address || error != std::errc{} || end != digits.data() + digits.size() || bits < 0 ||
      bits > 128) {
    return std::nullopt;
  }
  return Cidr{*address, bits};
}

// The interface prints "10.0.0.2:51820" and "[fd00::2]:51820"; a desired endpoint spelled
// another way ("[FD00:0::2]:51820") must still compare equal.
std::string canonical_endpoint(std::string_view text) {
  auto endpoint = core::dns::parse_endpoint(text);
  return endpoint ? endpoint->str() : std::string(text);
}

std::vector<std::string> canonical_set(const std::vector<std::string>& cidrs) {
  std::vector<std::string> out;
  for (const auto& cidr : cidrs) out.push_back(canonical_cidr(cidr));
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// Each "<key>\t<value>" line of a `wg show NAME <field>` listing.
template <typename Each>
void for_each_peer_line(std::string_view text, const char* field, Each each) {
  std::istringstream lines{std::string(text)};
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto tab = line.find('\t');
    if (tab == std::string::npos || !core::parse_public_key(line.substr(0, tab))) {
      throw std::runtime_error(std::string("unexpected line from wg show ") + field + ": " + line);
    }
    each(line.substr(0, tab), line.substr(tab + 1));
  }
}

std::string join(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : separator) + item;
  return out;
}

}  // namespace

std::string canonical_cidr(std::string_view cidr) {
  auto parsed = parse_cidr(cidr);
  if (!parsed) return std::string(cidr);
  return core::network_of(parsed->address, parsed->bits).str() + "/" + std::to_string(parsed->bits);
}

std::string peer_allowed_ip(const core::Ipv6& address) {
  return core::network_of(address, kPeerPrefixBits).str() + "/" + std::to_string(kPeerPrefixBits);
}

DesiredPeer laptop_peer(std::string public_key, const core::Ipv6& address) {
  return DesiredPeer{std::move(public_key), {peer_allowed_ip(address)}, "", 0};
}

DesiredPeer mesh_peer(std::string public_key, std::string endpoint,
                      std::vector<std::string> allowed_ips) {
  return DesiredPeer{std::move(public_key), std::move(allowed_ips), std::move(endpoint),
                     kMeshKeepaliveSeconds};
}

std::string mesh_peer_problem(const DesiredPeer& peer) {
  if (!core::parse_public_key(peer.public_key)) {
    return "the public key \"" + peer.public_key + "\" is not a WireGuard key";
  }
  if (!core::dns::parse_endpoint(peer.endpoint)) {
    return "the endpoint \"" + peer.endpoint + "\" is not IPv4:PORT or [IPv6]:PORT";
  }
  for (const auto& text : peer.allowed_ips) {
    auto cidr = parse_cidr(text);
    if (!cidr || !core::is_sixpn(cidr->address) || cidr->bits < kWidestMeshPrefixBits) {
      return "the allowed IP \"" + text + "\" is not a 6PN prefix of /80 or narrower";
    }
  }
  return {};
}

PeerTable parse_allowed_ips(std::string_view text) {
  PeerTable table;
  for_each_peer_line(text, "allowed-ips", [&](const std::string& key, const std::string& rest) {
    auto& ips = table[key].allowed_ips;
    std::istringstream words(rest);
    std::string word;
    while (words >> word) {
      if (word != "(none)") ips.push_back(canonical_cidr(word));
    }
  });
  return table;
}

void merge_endpoints(PeerTable& table, std::string_view text) {
  for_each_peer_line(text, "endpoints", [&](const std::string& key, const std::string& rest) {
    table[key].endpoint = rest == "(none)" ? "" : canonical_endpoint(rest);
  });
}

void merge_keepalives(PeerTable& table, std::string_view text) {
  for_each_peer_line(
      text, "persistent-keepalive", [&](const std::string& key, const std::string& rest) {
        std::uint16_t seconds = 0;
        if (rest != "off") {
          auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), seconds);
          if (error != std::errc{} || end != rest.data() + rest.size()) {
            throw std::runtime_error("unexpected keepalive from wg show persistent-keepalive: " +
                                     rest);
          }
        }
        table[key].persistent_keepalive = seconds;
      });
}

PeerPlan plan_peers(const PeerTable& current, const std::vector<DesiredPeer>& desired) {
  PeerPlan plan;
  std::map<std::string, const DesiredPeer*> want;
  for (const auto& peer : desired) want[peer.public_key] = &peer;
  for (const auto& [key, state] : current) {
    if (!want.count(key)) plan.remove.push_back(key);
  }
  for (const auto& [key, peer] : want) {
    PeerChange change{canonical_set(peer->allowed_ips), "", std::nullopt};
    std::string endpoint = peer->endpoint.empty() ? "" : canonical_endpoint(peer->endpoint);
    auto it = current.find(key);
    if (it == current.end()) {
      change.endpoint = endpoint;
      if (peer->persistent_keepalive != 0) change.persistent_keepalive = peer->persistent_keepalive;
      plan.set[key] = std::move(change);
      continue;
    }
    const PeerState& now = it->second;
    bool differs = canonical_set(now.allowed_ips) != change.allowed_ips;
    if (!endpoint.empty() && endpoint != now.endpoint) {
      change.endpoint = endpoint;
      differs = true;
    }
    if (peer->persistent_keepalive != now.persistent_keepalive) {
      change.persistent_keepalive = peer->persistent_keepalive;
      differs = true;
    }
    if (differs) plan.set[key] = std::move(change);
  }
  return plan;
}

std::vector<Argv> peer_commands(const std::string& interface, const PeerPlan& plan,
                                std::size_t batch) {
  std::vector<Argv> commands;
  std::size_t in_batch = 0;
  auto next = [&]() -> Argv& {
    if (commands.empty() || in_batch == batch) {
      commands.push_back({"wg", "set", interface});
      in_batch = 0;
    }
    ++in_batch;
    return commands.back();
  };
  for (const auto& key : plan.remove) {
    auto& argv = next();
    argv.insert(argv.end(), {"peer", key, "remove"});
  }
  for (const auto& [key, change] : plan.set) {
    auto& argv = next();
    argv.insert(argv.end(), {"peer", key, "allowed-ips", join(change.allowed_ips, ",")});
    if (!change.endpoint.empty()) argv.insert(argv.end(), {"endpoint", change.endpoint});
    if (change.persistent_keepalive) {
      argv.insert(argv.end(),
                  {"persistent-keepalive", *change.persistent_keepalive == 0
                                               ? std::string("off")
                                               : std::to_string(*change.persistent_keepalive)});
    }
  }
  return commands;
}

std::string describe(const PeerChange& change) {
  std::string out = "allowed " + join(change.allowed_ips, ",");
  if (!change.endpoint.empty()) out += " endpoint " + change.endpoint;
  if (change.persistent_keepalive) {
    out += " keepalive " + std::to_string(*change.persistent_keepalive);
  }
  return out;
}

}  // namespace sixpn::net
