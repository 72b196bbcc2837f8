#pragma once
// The protocol between `sixpnd host` and the control plane (docs/host-protocol.md tells the
// whole exchange). A host registers once with a join token, then holds a long-poll on its
// desired state and posts what it sees: machine states and the lines machines wrote. Every
// document here is one of the REST contract's, so client and server share these types.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/flycast_types.hpp"
#include "api/machine_config.hpp"
#include "api/types.hpp"

namespace sixpn::api {

// A host as GET /v1/hosts (operator) and the registration answer show it.
struct Host {
  std::uint32_t id = 0;  // unique 32-bit host id, the host field of its machines' addresses
  std::string name;
  std::string region;    // a region code, or "*" for the control plane's embedded host
  std::string pubkey;    // its WireGuard public key
  std::string endpoint;  // "IP:PORT" the mesh dials
  std::string state;     // "live" (watched within the last 30 s) or "unreachable"
  int machines = 0;      // not destroyed
  std::optional<std::string> last_seen_at;
  std::string created_at;
};

// POST /v1/hosts/register (no bearer token; the join token is in the body).
struct HostRegister {
  std::string join_token;
  std::string pubkey;
  std::string endpoint;
  std::string name;  // "" : "host-<id hex>"
};
struct HostRegistered {
  Host host;
  std::string credential;  // "sixpn_host_…": kept by the host (0600), sent as its bearer token
};

// One machine this host must run, as GET /v1/hosts/self/state lists it.
struct HostMachine {
  std::string id;
  std::string app;
  std::string org;  // slug
  std::uint32_t network_id = 0;
  std::string region;
  std::string process_group;
  std::string private_ip;
  std::string desired;  // "started", "stopped" or "destroyed"
  // Grows with every start, stop or config change of this machine; a host reports the
  // generation it acted on, and the control plane ignores reports about older ones.
  std::uint64_t generation = 0;
  MachineConfig config;
  // desired "stopped" by a stop request that named its own signal or timeout: what this stop
  // uses instead of config.stop_config (the request's fields over the config's). None otherwise.
  std::optional<StopConfig> stop;
};

// Another node of the mesh: a host or the gateway.
struct MeshNode {
  std::string kind;      // "host" or "gateway"
  std::uint32_t id = 0;  // host id; for the gateway 0
  std::string name;
  std::string region;
  std::string pubkey;
  std::string endpoint;                  // "IP:PORT"
  std::vector<std::string> allowed_ips;  // exactly the 6PN prefixes the node serves
};

// The .internal data a host's DNS needs, for every org that has a machine on it.
struct DnsMachine {
  std::string id;
  std::string app;
  std::string region;
  std::string process_group;
  std::map<std::string, std::string> metadata;
  std::string address;
  bool started = false;
};
struct DnsApp {
  std::string name;
  std::vector<std::string> flycast;
  bool in_org = true;
};
struct DnsPeer {
  std::string name;
  std::string region;
  std::string address;
};
struct DnsOrg {
  std::string slug;
  std::uint32_t network_id = 0;
  std::vector<DnsApp> apps;
  std::vector<DnsMachine> machines;
  std::vector<DnsPeer> peers;
};
struct DnsRegion {
  std::string code;
  double latitude = 0;
  double longitude = 0;
};

// GET /v1/hosts/self/state?after=<version>&wait=<seconds>: answers at once when the state's
// version is past `after`, else when it changes or `wait` (at most 60 s) runs out.
struct HostState {
  std::uint64_t version = 0;
  Host host;
  std::vector<HostMachine> machines;  // not yet destroyed ones, and destroyed ones to clean up
  std::vector<MeshNode> mesh;         // every other live node
  std::vector<DnsOrg> dns;
  std::vector<DnsRegion> regions;
  // Every Flycast service whose address is on the network of an org with a machine here: what
  // this host's proxy serves to its machines.
  std::vector<FlycastService> flycast;
};

// POST /v1/hosts/self/reports: what the host sees, one entry per machine that changed.
struct MachineReport {
  std::string id;
  std::uint64_t generation = 0;
  std::string state;  // "starting", "started", "stopped", "failed" or "destroyed"
  std::optional<int> exit_code;
  std::string message;  // for failed: why, in one sentence
};
struct HostReport {
  std::vector<MachineReport> machines;
};

// POST /v1/hosts/self/logs: lines machines wrote since the last batch.
struct HostLogBatch {
  std::vector<LogLine> lines;  // region is filled in by the control plane
};

void to_json(Json& j, const Host& v);
void from_json(const Json& j, Host& v);
void to_json(Json& j, const HostRegister& v);
void from_json(const Json& j, HostRegister& v);
void to_json(Json& j, const HostRegistered& v);
void from_json(const Json& j, HostRegistered& v);
void to_json(Json& j, const HostMachine& v);
void from_json(const Json& j, HostMachine& v);
void to_json(Json& j, const MeshNode& v);
void from_json(const Json& j, MeshNode& v);
void to_json(Json& j, const DnsMachine& v);
void from_json(const Json& j, DnsMachine& v);
void to_json(Json& j, const DnsApp& v);
void from_json(const Json& j, DnsApp& v);
void to_json(Json& j, const DnsPeer& v);
void from_json(const Json& j, DnsPeer& v);
void to_json(Json& j, const DnsOrg& v);
void from_json(const Json& j, DnsOrg& v);
void to_json(Json& j, const DnsRegion& v);
void from_json(const Json& j, DnsRegion& v);
void to_json(Json& j, const HostState& v);
void from_json(const Json& j, HostState& v);
void to_json(Json& j, const MachineReport& v);
void from_json(const Json& j, MachineReport& v);
void to_json(Json& j, const HostReport& v);
void from_json(const Json& j, HostReport& v);
void to_json(Json& j, const HostLogBatch& v);
void from_json(const Json& j, HostLogBatch& v);

}  // namespace sixpn::api
