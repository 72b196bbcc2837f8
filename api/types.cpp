#include "api/types.hpp"

#include "api/json_read.hpp"

namespace sixpn::api {

using namespace json_read;

void to_json(Json& j, const ApiError& v) {
  j = Json{{"error", v.error}, {"code", v.code}};
}
void from_json(const Json& j, ApiError& v) {
  v.error = str(j, "error");
  v.code = str_or(j, "code", "");
}

void to_json(Json& j, const Region& v) {
  j = Json{{"code", v.code},
           {"name", v.name},
           {"latitude", v.latitude},
           {"longitude", v.longitude},
           {"gateway_available", v.gateway_available},
           {"deprecated", v.deprecated}};
}
void from_json(const Json& j, Region& v) {
  v.code = str(j, "code");
  v.name = str(j, "name");
  v.latitude = num(j, "latitude");
  v.longitude = num(j, "longitude");
  v.gateway_available = boolean(j, "gateway_available");
  v.deprecated = j.contains("deprecated") ? boolean(j, "deprecated") : false;
}

void to_json(Json& j, const Org& v) {
  j = Json{{"slug", v.slug},
           {"name", v.name},
           {"network_id", v.network_id},
           {"network_prefix", v.network_prefix},
           {"dns_server", v.dns_server},
           {"created_at", v.created_at}};
}
void from_json(const Json& j, Org& v) {
  v.slug = str(j, "slug");
  v.name = str(j, "name");
  v.network_id = static_cast<std::uint32_t>(unsigned_int(j, "network_id", 0xffffffffULL));
  v.network_prefix = str(j, "network_prefix");
  v.dns_server = str(j, "dns_server");
  v.created_at = str_or(j, "created_at", "");
}

void to_json(Json& j, const TokenInfo& v) {
  j = Json{{"id", static_cast<std::uint64_t>(v.id)},
           {"name", v.name},
           {"orgs", v.orgs},
           {"created_at", v.created_at},
           {"expires_at", v.expires_at ? Json(*v.expires_at) : Json(nullptr)}};
}
void from_json(const Json& j, TokenInfo& v) {
  v.id = static_cast<std::int64_t>(unsigned_int(j, "id", 0x7fffffffffffffffULL));
  v.name = str_or(j, "name", "");
  const auto& orgs = field(j, "orgs");
  if (!orgs.is_array()) throw ShapeError("field \"orgs\" must be an array");
  v.orgs.clear();
  for (const auto& org : orgs) v.orgs.push_back(org.get<Org>());
  v.created_at = str_or(j, "created_at", "");
  v.expires_at = opt_str(j, "expires_at");
}

void to_json(Json& j, const App& v) {
  j = Json{{"name", v.name},
           {"org", v.org},
           {"status", v.status},
           {"hostname", v.hostname},
           {"network_prefix", v.network_prefix},
           {"created_at", v.created_at}};
}
void from_json(const Json& j, App& v) {
  v.name = str(j, "name");
  v.org = str(j, "org");
  v.status = str_or(j, "status", "");
  v.hostname = str_or(j, "hostname", "");
  v.network_prefix = str_or(j, "network_prefix", "");
  v.created_at = str_or(j, "created_at", "");
}

void to_json(Json& j, const AppCreate& v) {
  j = Json{{"app_name", v.app_name}, {"org_slug", v.org_slug}};
}
void from_json(const Json& j, AppCreate& v) {
  v.app_name = str(j, "app_name");
  v.org_slug = str(j, "org_slug");
}

void to_json(Json& j, const Machine& v) {
  j = Json{{"id", v.id},
           {"name", v.name},
           {"app", v.app},
           {"region", v.region},
           {"state", v.state},
           {"process_group", v.process_group},
           {"metadata", v.metadata},
           {"private_ip", v.private_ip},
           {"host_id", v.host_id},
           {"host", v.host},
           {"config", v.config},
           {"exit_code", v.exit_code ? Json(*v.exit_code) : Json(nullptr)},
           {"message", v.message},
           {"created_at", v.created_at},
           {"updated_at", v.updated_at}};
}
void from_json(const Json& j, Machine& v) {
  v.id = str(j, "id");
  v.name = str_or(j, "name", "");
  v.app = str_or(j, "app", "");
  v.region = str(j, "region");
  v.state = str(j, "state");
  v.process_group = str_or(j, "process_group", "");
  v.metadata = string_map(j, "metadata");
  v.private_ip = str(j, "private_ip");
  v.host_id = j.contains("host_id")
                  ? static_cast<std::uint32_t>(unsigned_int(j, "host_id", 0xffffffffULL))
                  : 0;
  v.host = str_or(j, "host", "");
  v.config = j.contains("config") && !j.at("config").is_null() ? j.at("config").get<MachineConfig>()
                                                               : MachineConfig{};
  v.exit_code.reset();
  if (auto it = j.find("exit_code"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) throw ShapeError("field \"exit_code\" must be an integer");
    v.exit_code = it->get<int>();
  }
  v.message = str_or(j, "message", "");
  v.created_at = str_or(j, "created_at", "");
  v.updated_at = str_or(j, "updated_at", "");
}

void to_json(Json& j, const MachineCreate& v) {
  j = Json{{"region", v.region}, {"metadata", v.metadata}, {"config", v.config}};
  put_opt(j, "name", v.name);
  put_opt(j, "process_group", v.process_group);
}
void from_json(const Json& j, MachineCreate& v) {
  v.region = str(j, "region");
  v.name = opt_str(j, "name");
  v.process_group = opt_str(j, "process_group");
  v.metadata = string_map(j, "metadata");
  v.config = j.contains("config") && !j.at("config").is_null() ? j.at("config").get<MachineConfig>()
                                                               : MachineConfig{};
}

void to_json(Json& j, const MachineWait& v) {
  j = Json{{"ok", v.ok}, {"state", v.state}};
}
void from_json(const Json& j, MachineWait& v) {
  v.ok = boolean(j, "ok");
  v.state = str(j, "state");
}

void to_json(Json& j, const LogLine& v) {
  j = Json{{"machine_id", v.machine_id},
           {"region", v.region},
           {"timestamp", v.timestamp},
           {"stream", v.stream},
           {"message", v.message}};
}
void from_json(const Json& j, LogLine& v) {
  v.machine_id = str(j, "machine_id");
  v.region = str_or(j, "region", "");
  v.timestamp = str(j, "timestamp");
  v.stream = str_or(j, "stream", "stdout");
  v.message = str(j, "message");
}

void to_json(Json& j, const Peer& v) {
  j = Json{{"name", v.name},
           {"org", v.org},
           {"region", v.region},
           {"pubkey", v.pubkey},
           {"peer_ip", v.peer_ip},
           {"endpoint_ip", v.endpoint_ip},
           {"endpoint_port", v.endpoint_port},
           {"endpoint", v.endpoint},
           {"gateway_pubkey", v.gateway_pubkey},
           {"dns", v.dns},
           {"network_prefix", v.network_prefix},
           {"created_at", v.created_at}};
}
void from_json(const Json& j, Peer& v) {
  v.name = str(j, "name");
  v.org = str_or(j, "org", "");
  v.region = str(j, "region");
  v.pubkey = str_or(j, "pubkey", "");
  v.peer_ip = str(j, "peer_ip");
  v.endpoint_ip = str_or(j, "endpoint_ip", "");
  v.endpoint_port = j.contains("endpoint_port")
                        ? static_cast<std::uint16_t>(unsigned_int(j, "endpoint_port", 65535))
                        : 51820;
  v.endpoint = str_or(j, "endpoint", "");
  v.gateway_pubkey = str_or(j, "gateway_pubkey", "");
  v.dns = str_or(j, "dns", "");
  v.network_prefix = str_or(j, "network_prefix", "");
  v.created_at = str_or(j, "created_at", "");
}

void to_json(Json& j, const PeerCreate& v) {
  j = Json{{"name", v.name}, {"region", v.region}, {"pubkey", v.pubkey}};
}
void from_json(const Json& j, PeerCreate& v) {
  v.name = str(j, "name");
  v.region = str(j, "region");
  v.pubkey = str(j, "pubkey");
}

void to_json(Json& j, const IpAssignment& v) {
  j = Json{{"address", v.address}, {"type", v.type}, {"region", v.region},
           {"org", v.org},         {"app", v.app},   {"created_at", v.created_at}};
}
void from_json(const Json& j, IpAssignment& v) {
  v.address = str(j, "address");
  v.type = str(j, "type");
  v.region = str_or(j, "region", "global");
  v.org = str_or(j, "org", "");
  v.app = str_or(j, "app", "");
  v.created_at = str_or(j, "created_at", "");
}

void to_json(Json& j, const IpAssignmentCreate& v) {
  j = Json{{"type", v.type}};
  put_opt(j, "org_slug", v.org_slug);
}
void from_json(const Json& j, IpAssignmentCreate& v) {
  v.type = str(j, "type");
  v.org_slug = opt_str(j, "org_slug");
}

void to_json(Json& j, const RegionList& v) {
  j = Json{{"items", v.items}, {"nearest", v.nearest}, {"next_cursor", nullptr}};
  if (v.next_cursor) j["next_cursor"] = *v.next_cursor;
}
void from_json(const Json& j, RegionList& v) {
  const auto& items = field(j, "items");
  if (!items.is_array()) throw ShapeError("field \"items\" must be an array");
  v.items.clear();
  for (const auto& item : items) v.items.push_back(item.get<Region>());
  v.nearest = str_or(j, "nearest", "");
  v.next_cursor = opt_str(j, "next_cursor");
}

}  // namespace sixpn::api
