#include "cli/fly_services.hpp"

#include <limits>

#include "cli/errors.hpp"

namespace sixpn::cli {

namespace {

[[noreturn]] void wrong_type(const std::string& key, const std::string& source, const char* what) {
  throw UsageError("key \"" + key + "\" in " + source + " must be " + what,
                   "fix it, or pass the services as flags (--port)");
}

const toml::table* table_at(const toml::table& t, const char* key, const std::string& at,
                            const std::string& source) {
  auto node = t.get(key);
  if (node == nullptr) return nullptr;
  if (!node->is_table()) wrong_type(at + key, source, "a table");
  return node->as_table();
}

// Range checks are the contract's (machine_config_problem), which names the service.
void read_int(const toml::table& t, const char* key, const std::string& at,
              const std::string& source, int& out) {
  auto node = t.get(key);
  if (node == nullptr) return;
  auto v = node->value<std::int64_t>();
  if (!node->is_integer() || !v || *v < std::numeric_limits<int>::min() ||
      *v > std::numeric_limits<int>::max()) {
    wrong_type(at + key, source, "an integer");
  }
  out = static_cast<int>(*v);
}

void read_bool(const toml::table& t, const char* key, const std::string& at,
               const std::string& source, bool& out) {
  auto node = t.get(key);
  if (node == nullptr) return;
  if (!node->is_boolean()) wrong_type(at + key, source, "true or false");
  out = *node->value<bool>();
}

void read_string(const toml::table& t, const char* key, const std::string& at,
                 const std::string& source, std::string& out) {
  auto node = t.get(key);
  if (node == nullptr) return;
  if (!node->is_string()) wrong_type(at + key, source, "a string");
  out = *node->value<std::string>();
}

// auto_stop_machines: "off", "stop" (or "suspend", which the contract refuses) or, as fly.toml
// files written before the strings were, a boolean.
void read_autostop(const toml::table& t, const std::string& at, const std::string& source,
                   std::string& out) {
  auto node = t.get("auto_stop_machines");
  if (node == nullptr) return;
  if (node->is_boolean()) {
    out = *node->value<bool>() ? "stop" : "off";
  } else if (node->is_string()) {
    out = *node->value<std::string>();
  } else {
    wrong_type(at + "auto_stop_machines", source, "\"off\", \"stop\", true or false");
  }
}

// The fields [[services]] and [http_service] share.
api::MachineService common_fields(const toml::table& t, const std::string& at,
                                  const std::string& source) {
  api::MachineService s;
  read_int(t, "internal_port", at, source, s.internal_port);
  read_bool(t, "auto_start_machines", at, source, s.autostart);
  read_autostop(t, at, source, s.autostop);
  read_int(t, "min_machines_running", at, source, s.min_machines_running);
  if (const auto* c = table_at(t, "concurrency", at, source)) {
    const std::string cat = at + "concurrency.";
    read_string(*c, "type", cat, source, s.concurrency.type);
    read_int(*c, "soft_limit", cat, source, s.concurrency.soft_limit);
    read_int(*c, "hard_limit", cat, source, s.concurrency.hard_limit);
  }
  return s;
}

}  // namespace

FlyServices fly_services_from(const toml::table& fly, const std::string& source) {
  FlyServices out;
  if (auto node = fly.get("services"); node != nullptr) {
    if (!node->is_array()) wrong_type("services", source, "an array of tables ([[services]])");
    const auto& list = *node->as_array();
    for (std::size_t i = 0; i < list.size(); ++i) {
      const std::string at = "services[" + std::to_string(i) + "].";
      if (!list[i].is_table()) wrong_type("services", source, "an array of tables ([[services]])");
      const auto& t = *list[i].as_table();
      api::MachineService s = common_fields(t, at, source);
      read_string(t, "protocol", at, source, s.protocol);
      if (auto ports = t.get("ports"); ports != nullptr) {
        if (!ports->is_array()) wrong_type(at + "ports", source, "an array of tables");
        const auto& port_list = *ports->as_array();
        for (std::size_t p = 0; p < port_list.size(); ++p) {
          const std::string pat = at + "ports[" + std::to_string(p) + "].";
          if (!port_list[p].is_table()) wrong_type(at + "ports", source, "an array of tables");
          api::ServicePort port;
          read_int(*port_list[p].as_table(), "port", pat, source, port.port);
          read_bool(*port_list[p].as_table(), "force_https", pat, source, port.force_https);
          if (port.force_https && out.force_https_at.empty()) out.force_https_at = pat + "force_https";
          s.ports.push_back(port);
        }
      }
      out.services.push_back(std::move(s));
    }
  }
  if (const auto* http = table_at(fly, "http_service", "", source)) {
    api::MachineService s = common_fields(*http, "http_service.", source);
    api::ServicePort port{.port = 80};
    read_bool(*http, "force_https", "http_service.", source, port.force_https);
    if (port.force_https) out.force_https_at = "http_service.force_https";
    s.ports.push_back(port);
    out.services.push_back(std::move(s));
  }
  return out;
}

}  // namespace sixpn::cli
