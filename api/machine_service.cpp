#include "api/machine_service.hpp"

#include <limits>
#include <map>

#include "api/json_read.hpp"

namespace sixpn::api {

using namespace json_read;

namespace {

// An integer of int's range. Out-of-range ports and limits are left to
// machine_services_problem, which names them in a sentence about the service.
int int_at(const Json& j, const char* key, int fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_number_integer() ||
      (it->is_number_unsigned() &&
       it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<int>::max())) ||
      (!it->is_number_unsigned() && (it->get<std::int64_t>() < std::numeric_limits<int>::min() ||
                                     it->get<std::int64_t>() > std::numeric_limits<int>::max()))) {
    throw ShapeError(std::string("field \"") + key + "\" must be an integer");
  }
  return static_cast<int>(it->get<std::int64_t>());
}

bool bool_at(const Json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return fallback;
  if (!it->is_boolean()) throw ShapeError(std::string("field \"") + key + "\" must be true or false");
  return it->get<bool>();
}

bool valid_port(int port) {
  return port >= 1 && port <= 65535;
}

}  // namespace

const char* const kFlycastHttpsReason =
    "Flycast is private HTTP/TCP only; force_https needs the public edge";

std::string machine_services_problem(const std::vector<MachineService>& services) {
  std::map<int, std::size_t> owner;  // port → the service that has it
  for (std::size_t i = 0; i < services.size(); ++i) {
    const auto& s = services[i];
    const std::string at = "config.services[" + std::to_string(i) + "]";
    if (s.protocol != "tcp") {
      return at + ".protocol must be tcp, not \"" + s.protocol.substr(0, 20) + "\"";
    }
    if (!valid_port(s.internal_port)) {
      return at + ".internal_port must be from 1 to 65535, not " + std::to_string(s.internal_port);
    }
    if (s.ports.empty()) return at + ".ports must list at least one port";
    for (std::size_t p = 0; p < s.ports.size(); ++p) {
      const auto& port = s.ports[p];
      const std::string port_at = at + ".ports[" + std::to_string(p) + "]";
      if (!valid_port(port.port)) {
        return port_at + ".port must be from 1 to 65535, not " + std::to_string(port.port);
      }
      if (port.force_https) return port_at + ".force_https is refused: " + kFlycastHttpsReason;
      auto [it, fresh] = owner.try_emplace(port.port, i);
      if (!fresh) {
        return "port " + std::to_string(port.port) + " is in config.services[" +
               std::to_string(it->second) + "]" + (it->second == i ? " twice" : " and " + at);
      }
    }
    if (s.autostop != "off" && s.autostop != "stop") {
      return at + ".autostop must be off or stop, not \"" + s.autostop.substr(0, 20) + "\"";
    }
    if (s.min_machines_running < 0 || s.min_machines_running > 1000) {
      return at + ".min_machines_running must be from 0 to 1000";
    }
    const auto& c = s.concurrency;
    if (c.type != "connections") {
      return at + ".concurrency.type must be connections, not \"" + c.type.substr(0, 20) + "\"";
    }
    if (c.soft_limit < 1 || c.soft_limit > 1000000) {
      return at + ".concurrency.soft_limit must be from 1 to 1000000";
    }
    if (c.hard_limit < 1 || c.hard_limit > 1000000) {
      return at + ".concurrency.hard_limit must be from 1 to 1000000";
    }
    if (c.soft_limit > c.hard_limit) {
      return at + ".concurrency.soft_limit (" + std::to_string(c.soft_limit) +
             ") must not be over hard_limit (" + std::to_string(c.hard_limit) + ")";
    }
  }
  return "";
}

std::string services_summary(const std::vector<MachineService>& services) {
  std::string out;
  for (const auto& s : services) {
    for (const auto& p : s.ports) {
      if (!out.empty()) out += ", ";
      out += std::to_string(p.port) + "\u2192" + std::to_string(s.internal_port) + "/" + s.protocol;
    }
  }
  return out;
}

void to_json(Json& j, const ServicePort& v) {
  j = Json{{"port", v.port}};
  if (v.force_https) j["force_https"] = true;
}

void from_json(const Json& j, ServicePort& v) {
  if (!j.is_object()) throw ShapeError("each of a service's \"ports\" must be an object");
  v = ServicePort{};
  v.port = int_at(j, "port", 0);
  v.force_https = bool_at(j, "force_https", false);
}

void to_json(Json& j, const ServiceConcurrency& v) {
  j = Json{{"type", v.type}, {"soft_limit", v.soft_limit}, {"hard_limit", v.hard_limit}};
}

void from_json(const Json& j, ServiceConcurrency& v) {
  if (!j.is_object()) throw ShapeError("field \"concurrency\" must be an object");
  v = ServiceConcurrency{};
  v.type = str_or(j, "type", "connections");
  v.soft_limit = int_at(j, "soft_limit", v.soft_limit);
  v.hard_limit = int_at(j, "hard_limit", v.hard_limit);
}

void to_json(Json& j, const MachineService& v) {
  j = Json{{"protocol", v.protocol},
           {"internal_port", v.internal_port},
           {"ports", v.ports},
           {"autostart", v.autostart},
           {"autostop", v.autostop},
           {"min_machines_running", v.min_machines_running},
           {"concurrency", v.concurrency}};
}

void from_json(const Json& j, MachineService& v) {
  if (!j.is_object()) throw ShapeError("each of \"services\" must be an object");
  v = MachineService{};
  v.protocol = str_or(j, "protocol", "tcp");
  v.internal_port = int_at(j, "internal_port", 0);
  v.ports = list_of<ServicePort>(j, "ports");
  v.autostart = bool_at(j, "autostart", true);
  // Older Fly clients send autostop as a boolean.
  if (auto it = j.find("autostop"); it != j.end() && !it->is_null()) {
    if (it->is_boolean()) {
      v.autostop = it->get<bool>() ? "stop" : "off";
    } else if (it->is_string()) {
      v.autostop = it->get<std::string>();
    } else {
      throw ShapeError("field \"autostop\" must be \"off\", \"stop\", true or false");
    }
  }
  v.min_machines_running = int_at(j, "min_machines_running", 0);
  if (auto it = j.find("concurrency"); it != j.end() && !it->is_null()) {
    v.concurrency = it->get<ServiceConcurrency>();
  }
}

}  // namespace sixpn::api
