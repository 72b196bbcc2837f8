#pragma once
// The REST contract's JSON documents (api/openapi.yaml describes the same shapes). Server and
// client both use these types, so a field cannot drift between them. Keys are snake_case.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/machine_config.hpp"

namespace sixpn::api {

using Json = nlohmann::json;

// Every error response: {"error": "<one sentence>", "code": "<machine word>"}.
struct ApiError {
  std::string error;
  std::string code;
};

struct Region {
  std::string code;
  std::string name;
  double latitude = 0;
  double longitude = 0;
  bool gateway_available = false;
  bool deprecated = false;
};

struct Org {
  std::string slug;
  std::string name;
  std::uint32_t network_id = 0;
  std::string network_prefix;  // "fdaa:0:18::/48"
  std::string dns_server;      // "fdaa:0:18::3"
  std::string created_at;
};

// GET /v1/tokens/current: the token a request carries, never the token or its hash.
struct TokenInfo {
  std::int64_t id = 0;
  std::string name;  // "" when the operator gave it none
  std::vector<Org> orgs;
  std::string created_at;
  std::optional<std::string> expires_at;  // none: never
};

struct App {
  std::string name;
  std::string org;  // org slug
  std::string status;
  std::string hostname;        // "<name>.internal"
  std::string network_prefix;  // the org's /48
  std::string created_at;
};

struct AppCreate {
  std::string app_name;
  std::string org_slug;
};

// A machine's state as users see it: "created" (placed, its host has not run it yet),
// "starting", "started" (its process runs; only these are answered in DNS), "stopping",
// "stopped", "failed" (could not start, or gave up restarting), "destroying", "destroyed".
struct Machine {
  std::string id;  // 14 lower-case hex characters
  std::string name;
  std::string app;
  std::string region;
  std::string state;
  std::string process_group;
  std::map<std::string, std::string> metadata;
  std::string private_ip;
  std::uint32_t host_id = 0;  // the host that runs it (also inside private_ip); 0: none
  std::string host;           // that host's name
  MachineConfig config;
  std::optional<int> exit_code;  // of the last run, once it ended
  std::string message;           // why it failed, when it did
  std::string created_at;
  std::string updated_at;
};

struct MachineCreate {
  std::optional<std::string> name;
  std::string region;
  std::optional<std::string> process_group;     // "app" when absent
  std::map<std::string, std::string> metadata;  // merged with config.metadata
  MachineConfig config;
};

// GET /v1/apps/{app}/machines/{id}/wait?state=…&timeout=…: 200 once the machine is in `state`
// (408 with code "timeout" when it is not by then).
struct MachineWait {
  bool ok = true;
  std::string state;
};

// One line a machine wrote, as GET /v1/apps/{app}/logs pages them (oldest first).
struct LogLine {
  std::string machine_id;
  std::string region;
  std::string timestamp;  // RFC 3339 UTC with milliseconds, as the host stamped it
  std::string stream;     // "stdout" or "stderr"
  std::string message;    // without the newline
};

struct Peer {
  std::string name;
  std::string org;
  std::string region;
  std::string pubkey;       // the peer's own public key
  std::string peer_ip;      // inside the peer's /120
  std::string endpoint_ip;  // the gateway's address as the peer dials it
  std::uint16_t endpoint_port = 51820;
  std::string endpoint;  // "<endpoint_ip>:<port>", IPv6 bracketed
  std::string gateway_pubkey;
  std::string dns;             // the org's prefix::3
  std::string network_prefix;  // the org's /48 (AllowedIPs)
  std::string created_at;
};

struct PeerCreate {
  std::string name;
  std::string region;
  std::string pubkey;
};

struct IpAssignment {
  std::string address;
  std::string type;    // "private_v6"
  std::string region;  // "global"
  std::string org;     // slug of the org whose network holds the address
  std::string app;
  std::string created_at;
};

struct IpAssignmentCreate {
  std::string type;
  std::optional<std::string> org_slug;
};

// Every list endpoint answers {"items": [...], "next_cursor": "…" | null}; the regions list also
// carries "nearest". Pass next_cursor back as ?cursor= to get the next page.
template <class T>
struct Page {
  std::vector<T> items;
  std::optional<std::string> next_cursor;
};

struct RegionList {
  std::vector<Region> items;
  std::string nearest;  // code of the nearest region that has a gateway
  std::optional<std::string> next_cursor;
};

// Thrown by from_json when a document does not have the contract's shape.
struct ShapeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void to_json(Json& j, const ApiError& v);
void from_json(const Json& j, ApiError& v);
void to_json(Json& j, const Region& v);
void from_json(const Json& j, Region& v);
void to_json(Json& j, const Org& v);
void from_json(const Json& j, Org& v);
void to_json(Json& j, const TokenInfo& v);
void from_json(const Json& j, TokenInfo& v);
void to_json(Json& j, const App& v);
void from_json(const Json& j, App& v);
void to_json(Json& j, const AppCreate& v);
void from_json(const Json& j, AppCreate& v);
void to_json(Json& j, const Machine& v);
void from_json(const Json& j, Machine& v);
void to_json(Json& j, const MachineCreate& v);
void from_json(const Json& j, MachineCreate& v);
void to_json(Json& j, const MachineWait& v);
void from_json(const Json& j, MachineWait& v);
void to_json(Json& j, const LogLine& v);
void from_json(const Json& j, LogLine& v);
void to_json(Json& j, const Peer& v);
void from_json(const Json& j, Peer& v);
void to_json(Json& j, const PeerCreate& v);
void from_json(const Json& j, PeerCreate& v);
void to_json(Json& j, const IpAssignment& v);
void from_json(const Json& j, IpAssignment& v);
void to_json(Json& j, const IpAssignmentCreate& v);
void from_json(const Json& j, IpAssignmentCreate& v);
void to_json(Json& j, const RegionList& v);
void from_json(const Json& j, RegionList& v);

template <class T>
void to_json(Json& j, const Page<T>& v) {
  j = Json{{"items", v.items}, {"next_cursor", nullptr}};
  if (v.next_cursor) j["next_cursor"] = *v.next_cursor;
}
template <class T>
void from_json(const Json& j, Page<T>& v) {
  if (!j.is_object() || !j.contains("items") || !j.at("items").is_array()) {
    throw ShapeError("expected an object with an \"items\" array");
  }
  v.items.clear();
  for (const auto& item : j.at("items")) v.items.push_back(item.get<T>());
  v.next_cursor.reset();
  if (j.contains("next_cursor") && j.at("next_cursor").is_string()) {
    v.next_cursor = j.at("next_cursor").get<std::string>();
  }
}

}  // namespace sixpn::api
