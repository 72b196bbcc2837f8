#pragma once
// WireGuard peers as data: what an interface should carry, what it carries (as `wg show`
// prints it), and the `wg set` commands from one to the other. Pure, so every rule is tested
// without an interface. The gateway's laptops and the mesh between hosts and the gateway are
// both peers of this one shape; they differ in what is set:
//
//   laptop  allowed-ips its own /120               no endpoint (it dials in and may roam)
//   mesh    allowed-ips the /80s the node serves   endpoint IP:PORT, persistent-keepalive 25
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/address.hpp"
#include "net/command.hpp"

namespace sixpn::net {

// Mesh nodes all have endpoints and talk both ways; the keepalive holds NAT and stateful
// firewall mappings open between them, as wg-quick users set it for site-to-site links.
inline constexpr std::uint16_t kMeshKeepaliveSeconds = 25;

// A peer as the interface should have it.
struct DesiredPeer {
  std::string public_key;                  // canonical base64
  std::vector<std::string> allowed_ips;    // CIDRs: all it may send from, and receive to
  std::string endpoint;                    // "IP:PORT" to dial; "": leave it as the peer set it
  std::uint16_t persistent_keepalive = 0;  // seconds; 0: off
  bool operator==(const DesiredPeer&) const = default;
};

// The /120 a laptop peer may send from and receive to, "fdaa:0:1:a7b:…:a:0/120".
std::string peer_allowed_ip(const core::Ipv6& address);

// A laptop: its own /120, nothing wider, and whatever endpoint it dials in from.
DesiredPeer laptop_peer(std::string public_key, const core::Ipv6& address);
// A host or the gateway, as the control plane lists it in the mesh.
DesiredPeer mesh_peer(std::string public_key, std::string endpoint,
                      std::vector<std::string> allowed_ips);
// "" when a mesh peer is safe to program, else why not in one sentence: its key must parse, its
// endpoint be a literal "IPv4:PORT" or "[IPv6]:PORT", and each allowed IP a 6PN prefix of at
// least /80 — a node serves its own host id's slice of an org, never a whole org or more.
std::string mesh_peer_problem(const DesiredPeer& peer);

// "fdaa:0:1::a:2/120" → "fdaa:0:1::a:0/120"; text that is not an IPv6 CIDR comes back as is.
std::string canonical_cidr(std::string_view cidr);

// A peer as the interface has it.
struct PeerState {
  std::vector<std::string> allowed_ips;  // canonical CIDRs
  std::string endpoint;                  // "" for none
  std::uint16_t persistent_keepalive = 0;
  bool operator==(const PeerState&) const = default;
};
using PeerTable = std::map<std::string, PeerState>;  // by public key

// Parses `wg show NAME allowed-ips` ("<key>\t<cidr> <cidr>…" or "<key>\t(none)" per line).
// Throws std::runtime_error on a line of any other shape.
PeerTable parse_allowed_ips(std::string_view text);
// Adds `wg show NAME endpoints` ("<key>\t<ip:port>" or "<key>\t(none)") to the table.
void merge_endpoints(PeerTable& table, std::string_view text);
// Adds `wg show NAME persistent-keepalive` ("<key>\t<seconds>" or "<key>\toff") to the table.
void merge_keepalives(PeerTable& table, std::string_view text);

// What one `peer KEY …` clause sets. allowed-ips always (it replaces the whole list, so a
// list widened by hand is narrowed too); the endpoint and keepalive only when they differ.
struct PeerChange {
  std::vector<std::string> allowed_ips;
  std::string endpoint;                               // "": unchanged
  std::optional<std::uint16_t> persistent_keepalive;  // nullopt: unchanged
  bool operator==(const PeerChange&) const = default;
};

// What turns `current` into `desired`: peers to remove, and peers to add or change. Peers
// already right are left alone, so their sessions survive.
struct PeerPlan {
  std::vector<std::string> remove;
  std::map<std::string, PeerChange> set;
  bool empty() const { return remove.empty() && set.empty(); }
};
PeerPlan plan_peers(const PeerTable& current, const std::vector<DesiredPeer>& desired);

// The wg(8) argument lists that carry out a plan, at most `batch` peers per command so the
// argument list stays far from the kernel's limit however many peers an org has.
std::vector<Argv> peer_commands(const std::string& interface, const PeerPlan& plan,
                                std::size_t batch = 200);

// "allowed fdaa:…/80,fdaa:…/80 endpoint 10.0.0.2:51820", for logs.
std::string describe(const PeerChange& change);

}  // namespace sixpn::net
