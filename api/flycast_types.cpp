#include "api/flycast_types.hpp"

#include "api/json_read.hpp"

namespace sixpn::api {

using namespace json_read;

namespace {
int port_in(const Json& j, const char* key) {
  auto port = unsigned_int(j, key, 65535);
  if (port == 0) throw ShapeError(std::string("field \"") + key + "\" must be a port, 1 to 65535");
  return static_cast<int>(port);
}
int count(const Json& j, const char* key) {
  return static_cast<int>(unsigned_int(j, key, 0x7fffffff));
}
}  // namespace

void to_json(Json& j, const FlycastBackend& v) {
  j = Json{{"machine_id", v.machine_id}, {"region", v.region},
           {"address", v.address},       {"internal_port", v.internal_port},
           {"started", v.started},       {"soft_limit", v.soft_limit},
           {"hard_limit", v.hard_limit}, {"autostart", v.autostart},
           {"autostop", v.autostop}};
}
void from_json(const Json& j, FlycastBackend& v) {
  v.machine_id = str(j, "machine_id");
  v.region = str(j, "region");
  v.address = str(j, "address");
  v.internal_port = port_in(j, "internal_port");
  v.started = boolean(j, "started");
  v.soft_limit = count(j, "soft_limit");
  v.hard_limit = count(j, "hard_limit");
  v.autostart = boolean(j, "autostart");
  v.autostop = boolean(j, "autostop");
}

void to_json(Json& j, const FlycastService& v) {
  j = Json{{"address", v.address},
           {"port", v.port},
           {"app", v.app},
           {"org", v.org},
           {"network_id", v.network_id},
           {"min_machines_running", v.min_machines_running},
           {"backends", v.backends}};
}
void from_json(const Json& j, FlycastService& v) {
  v.address = str(j, "address");
  v.port = port_in(j, "port");
  v.app = str(j, "app");
  v.org = str(j, "org");
  v.network_id = u32(j, "network_id");
  v.min_machines_running = count(j, "min_machines_running");
  v.backends = list_of<FlycastBackend>(j, "backends");
}

void to_json(Json& j, const FlycastBackendCounters& v) {
  j = Json{{"machine_id", v.machine_id},
           {"active", v.active},
           {"connections", v.connections},
           {"refusals", v.refusals}};
}
void from_json(const Json& j, FlycastBackendCounters& v) {
  v.machine_id = str(j, "machine_id");
  v.active = count(j, "active");
  v.connections = u64(j, "connections");
  v.refusals = u64(j, "refusals");
}

void to_json(Json& j, const FlycastCounters& v) {
  j = Json{{"address", v.address},
           {"port", v.port},
           {"app", v.app},
           {"connections", v.connections},
           {"active", v.active},
           {"refused", v.refused},
           {"autostarts", v.autostarts},
           {"listening", v.listening},
           {"listen_problem", v.listen_problem},
           {"backends", v.backends}};
}
void from_json(const Json& j, FlycastCounters& v) {
  v.address = str(j, "address");
  v.port = port_in(j, "port");
  v.app = str(j, "app");
  v.connections = u64(j, "connections");
  v.active = count(j, "active");
  v.refused = u64(j, "refused");
  v.autostarts = u64(j, "autostarts");
  v.listening = boolean(j, "listening");
  v.listen_problem = str_or(j, "listen_problem", "");
  v.backends = list_of<FlycastBackendCounters>(j, "backends");
}

void to_json(Json& j, const ProxyStart& v) {
  j = Json{{"app", v.app}, {"machine_id", v.machine_id}};
}
void from_json(const Json& j, ProxyStart& v) {
  v.app = str(j, "app");
  v.machine_id = str(j, "machine_id");
}

void to_json(Json& j, const ProxyReport& v) { j = Json{{"services", v.services}}; }
void from_json(const Json& j, ProxyReport& v) {
  v.services = list_of<FlycastCounters>(j, "services");
}

void to_json(Json& j, const AppServiceMachine& v) {
  j = Json{{"id", v.id},
           {"region", v.region},
           {"started", v.started},
           {"internal_port", v.internal_port},
           {"soft_limit", v.soft_limit},
           {"hard_limit", v.hard_limit},
           {"autostart", v.autostart},
           {"autostop", v.autostop},
           {"active", v.active},
           {"connections", v.connections},
           {"refusals", v.refusals}};
}
void from_json(const Json& j, AppServiceMachine& v) {
  v.id = str(j, "id");
  v.region = str(j, "region");
  v.started = boolean(j, "started");
  v.internal_port = port_in(j, "internal_port");
  v.soft_limit = count(j, "soft_limit");
  v.hard_limit = count(j, "hard_limit");
  v.autostart = boolean(j, "autostart");
  v.autostop = boolean(j, "autostop");
  v.active = count(j, "active");
  v.connections = u64(j, "connections");
  v.refusals = u64(j, "refusals");
}

void to_json(Json& j, const AppServiceCounters& v) {
  j = Json{{"connections", v.connections}, {"active", v.active},
           {"refused", v.refused},         {"autostarts", v.autostarts},
           {"autostops", v.autostops},     {"proxies", v.proxies}};
}
void from_json(const Json& j, AppServiceCounters& v) {
  v.connections = u64(j, "connections");
  v.active = count(j, "active");
  v.refused = u64(j, "refused");
  v.autostarts = u64(j, "autostarts");
  v.autostops = u64(j, "autostops");
  v.proxies = count(j, "proxies");
}

void to_json(Json& j, const AppService& v) {
  j = Json{{"address", v.address},
           {"port", v.port},
           {"protocol", v.protocol},
           {"network_org", v.network_org},
           {"min_machines_running", v.min_machines_running},
           {"machines", v.machines},
           {"counters", v.counters},
           {"listen_problems", v.listen_problems}};
}
void from_json(const Json& j, AppService& v) {
  v.address = str(j, "address");
  v.port = port_in(j, "port");
  v.protocol = str(j, "protocol");
  v.network_org = str(j, "network_org");
  v.min_machines_running = count(j, "min_machines_running");
  v.machines = list_of<AppServiceMachine>(j, "machines");
  v.counters = field(j, "counters").get<AppServiceCounters>();
  v.listen_problems = list_of<std::string>(j, "listen_problems");
}

void to_json(Json& j, const AppServices& v) { j = Json{{"services", v.services}}; }
void from_json(const Json& j, AppServices& v) {
  v.services = list_of<AppService>(j, "services");
}

}  // namespace sixpn::api
