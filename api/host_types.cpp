#include "api/host_types.hpp"

#include "api/json_read.hpp"

namespace sixpn::api {

using namespace json_read;

void to_json(Json& j, const Host& v) {
  j = Json{{"id", v.id},
           {"name", v.name},
           {"region", v.region},
           {"pubkey", v.pubkey},
           {"endpoint", v.endpoint},
           {"state", v.state},
           {"machines", v.machines},
           {"last_seen_at", v.last_seen_at ? Json(*v.last_seen_at) : Json(nullptr)},
           {"created_at", v.created_at}};
}
void from_json(const Json& j, Host& v) {
  v.id = u32(j, "id");
  v.name = str(j, "name");
  v.region = str(j, "region");
  v.pubkey = str(j, "pubkey");
  v.endpoint = str(j, "endpoint");
  v.state = str_or(j, "state", "");
  v.machines = j.contains("machines") ? static_cast<int>(unsigned_int(j, "machines", 1 << 30)) : 0;
  v.last_seen_at = opt_str(j, "last_seen_at");
  v.created_at = str_or(j, "created_at", "");
}

void to_json(Json& j, const HostRegister& v) {
  j = Json{{"join_token", v.join_token},
           {"pubkey", v.pubkey},
           {"endpoint", v.endpoint},
           {"name", v.name}};
}
void from_json(const Json& j, HostRegister& v) {
  v.join_token = str(j, "join_token");
  v.pubkey = str(j, "pubkey");
  v.endpoint = str(j, "endpoint");
  v.name = str_or(j, "name", "");
}

void to_json(Json& j, const HostRegistered& v) {
  j = Json{{"host", v.host}, {"credential", v.credential}};
}
void from_json(const Json& j, HostRegistered& v) {
  v.host = field(j, "host").get<Host>();
  v.credential = str(j, "credential");
}

void to_json(Json& j, const HostMachine& v) {
  j = Json{{"id", v.id},
           {"app", v.app},
           {"org", v.org},
           {"network_id", v.network_id},
           {"region", v.region},
           {"process_group", v.process_group},
           {"private_ip", v.private_ip},
           {"desired", v.desired},
           {"generation", v.generation},
           {"config", v.config}};
  if (v.stop) j["stop"] = *v.stop;
}
void from_json(const Json& j, HostMachine& v) {
  v.id = str(j, "id");
  v.app = str(j, "app");
  v.org = str(j, "org");
  v.network_id = u32(j, "network_id");
  v.region = str(j, "region");
  v.process_group = str_or(j, "process_group", "app");
  v.private_ip = str(j, "private_ip");
  v.desired = str(j, "desired");
  v.generation = u64(j, "generation");
  v.config = field(j, "config").get<MachineConfig>();
  v.stop.reset();
  if (auto it = j.find("stop"); it != j.end() && !it->is_null()) v.stop = it->get<StopConfig>();
}

void to_json(Json& j, const MeshNode& v) {
  j = Json{{"kind", v.kind},
           {"id", v.id},
           {"name", v.name},
           {"region", v.region},
           {"pubkey", v.pubkey},
           {"endpoint", v.endpoint},
           {"allowed_ips", v.allowed_ips}};
}
void from_json(const Json& j, MeshNode& v) {
  v.kind = str(j, "kind");
  v.id = u32(j, "id");
  v.name = str_or(j, "name", "");
  v.region = str_or(j, "region", "");
  v.pubkey = str(j, "pubkey");
  v.endpoint = str(j, "endpoint");
  v.allowed_ips = list_of<std::string>(j, "allowed_ips");
}

void to_json(Json& j, const DnsMachine& v) {
  j = Json{{"id", v.id},
           {"app", v.app},
           {"region", v.region},
           {"process_group", v.process_group},
           {"metadata", v.metadata},
           {"address", v.address},
           {"started", v.started}};
}
void from_json(const Json& j, DnsMachine& v) {
  v.id = str(j, "id");
  v.app = str(j, "app");
  v.region = str(j, "region");
  v.process_group = str_or(j, "process_group", "app");
  v.metadata = string_map(j, "metadata");
  v.address = str(j, "address");
  v.started = boolean(j, "started");
}

void to_json(Json& j, const DnsApp& v) {
  j = Json{{"name", v.name}, {"flycast", v.flycast}, {"in_org", v.in_org}};
}
void from_json(const Json& j, DnsApp& v) {
  v.name = str(j, "name");
  v.flycast = list_of<std::string>(j, "flycast");
  v.in_org = j.contains("in_org") ? boolean(j, "in_org") : true;
}

void to_json(Json& j, const DnsPeer& v) {
  j = Json{{"name", v.name}, {"region", v.region}, {"address", v.address}};
}
void from_json(const Json& j, DnsPeer& v) {
  v.name = str(j, "name");
  v.region = str(j, "region");
  v.address = str(j, "address");
}

void to_json(Json& j, const DnsOrg& v) {
  j = Json{{"slug", v.slug},
           {"network_id", v.network_id},
           {"apps", v.apps},
           {"machines", v.machines},
           {"peers", v.peers}};
}
void from_json(const Json& j, DnsOrg& v) {
  v.slug = str(j, "slug");
  v.network_id = u32(j, "network_id");
  v.apps = list_of<DnsApp>(j, "apps");
  v.machines = list_of<DnsMachine>(j, "machines");
  v.peers = list_of<DnsPeer>(j, "peers");
}

void to_json(Json& j, const DnsRegion& v) {
  j = Json{{"code", v.code}, {"latitude", v.latitude}, {"longitude", v.longitude}};
}
void from_json(const Json& j, DnsRegion& v) {
  v.code = str(j, "code");
  v.latitude = num(j, "latitude");
  v.longitude = num(j, "longitude");
}

void to_json(Json& j, const HostState& v) {
  j = Json{{"version", v.version}, {"host", v.host}, {"machines", v.machines},
           {"mesh", v.mesh},       {"dns", v.dns},   {"regions", v.regions},
           {"flycast", v.flycast}};
}
void from_json(const Json& j, HostState& v) {
  v.version = u64(j, "version");
  v.host = field(j, "host").get<Host>();
  v.machines = list_of<HostMachine>(j, "machines");
  v.mesh = list_of<MeshNode>(j, "mesh");
  v.dns = list_of<DnsOrg>(j, "dns");
  v.regions = list_of<DnsRegion>(j, "regions");
  v.flycast = list_of<FlycastService>(j, "flycast");
}

void to_json(Json& j, const MachineReport& v) {
  j = Json{{"id", v.id},
           {"generation", v.generation},
           {"state", v.state},
           {"exit_code", v.exit_code ? Json(*v.exit_code) : Json(nullptr)},
           {"message", v.message}};
}
void from_json(const Json& j, MachineReport& v) {
  v.id = str(j, "id");
  v.generation = u64(j, "generation");
  v.state = str(j, "state");
  v.exit_code.reset();
  if (auto it = j.find("exit_code"); it != j.end() && !it->is_null()) {
    if (!it->is_number_integer()) throw ShapeError("field \"exit_code\" must be an integer");
    v.exit_code = it->get<int>();
  }
  v.message = str_or(j, "message", "");
}

void to_json(Json& j, const HostReport& v) {
  j = Json{{"machines", v.machines}};
}
void from_json(const Json& j, HostReport& v) {
  v.machines = list_of<MachineReport>(j, "machines");
}

void to_json(Json& j, const HostLogBatch& v) {
  j = Json{{"lines", v.lines}};
}
void from_json(const Json& j, HostLogBatch& v) {
  v.lines = list_of<LogLine>(j, "lines");
}

}  // namespace sixpn::api
