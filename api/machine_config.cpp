#include "api/machine_config.hpp"

#include <array>
#include <cctype>
#include <cmath>
#include <csignal>
#include <utility>

#include "api/json_read.hpp"

namespace sixpn::api {

using namespace json_read;

namespace {
constexpr std::array<std::pair<const char*, int>, 7> kStopSignals = {{{"SIGINT", SIGINT},
                                                                      {"SIGTERM", SIGTERM},
                                                                      {"SIGQUIT", SIGQUIT},
                                                                      {"SIGHUP", SIGHUP},
                                                                      {"SIGUSR1", SIGUSR1},
                                                                      {"SIGUSR2", SIGUSR2},
                                                                      {"SIGKILL", SIGKILL}}};

// "5s", "2m", "1500ms" or a plain number of seconds, rounded up to whole seconds.
int timeout_seconds_of(const Json& v) {
  if (v.is_number()) {
    double seconds = v.get<double>();
    if (!std::isfinite(seconds) || seconds < 0 || seconds > 86400) {
      throw ShapeError("field \"timeout\" must be a duration of at most 3600s");
    }
    return static_cast<int>(std::ceil(seconds));
  }
  if (!v.is_string()) throw ShapeError("field \"timeout\" must be a duration such as \"5s\"");
  auto text = v.get<std::string>();
  std::size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  std::string unit = text.substr(digits);
  if (digits == 0 || digits > 7) {
    throw ShapeError("field \"timeout\" must be a duration such as \"5s\", not \"" +
                     text.substr(0, 20) + "\"");
  }
  long long n = std::stoll(text.substr(0, digits));
  if (unit == "s" || unit.empty()) return static_cast<int>(n);
  if (unit == "m") return static_cast<int>(n * 60);
  if (unit == "ms") return static_cast<int>((n + 999) / 1000);
  throw ShapeError("field \"timeout\" must be a duration such as \"5s\", not \"" +
                   text.substr(0, 20) + "\"");
}

std::vector<std::string> string_list(const Json& j, const char* key) {
  std::vector<std::string> out;
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return out;
  if (!it->is_array()) throw ShapeError(std::string("field \"") + key + "\" must be an array");
  for (const auto& item : *it) {
    if (!item.is_string()) {
      throw ShapeError(std::string("field \"") + key + "\" must hold strings only");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

const Json* object_at(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return nullptr;
  if (!it->is_object()) throw ShapeError(std::string("field \"") + key + "\" must be an object");
  return &*it;
}
}  // namespace

std::optional<int> stop_signal_number(const std::string& name) {
  for (const auto& [known, number] : kStopSignals) {
    if (name == known) return number;
  }
  return std::nullopt;
}

const char* const kStopSignalList = "SIGINT, SIGTERM, SIGQUIT, SIGHUP, SIGUSR1, SIGUSR2, SIGKILL";

std::string machine_stop_problem(const MachineStop& stop) {
  if (stop.signal && !stop_signal_number(*stop.signal)) {
    return "signal must be one of " + std::string(kStopSignalList) + ", not \"" +
           stop.signal->substr(0, 20) + "\"";
  }
  if (stop.timeout_seconds && (*stop.timeout_seconds < 0 || *stop.timeout_seconds > 3600)) {
    return "timeout must be from 0s to 3600s";
  }
  return "";
}

StopConfig stop_config_for(const StopConfig& config, const MachineStop& stop) {
  StopConfig out = config;
  if (stop.signal) out.signal = *stop.signal;
  if (stop.timeout_seconds) out.timeout_seconds = *stop.timeout_seconds;
  return out;
}

std::string machine_config_problem(const MachineConfig& c) {
  if (c.image.empty()) return "config.image must be \"host\" or an absolute path on the host";
  if (c.image != "host" && c.image.front() != '/') {
    return "config.image must be \"host\" or an absolute path on the host, not \"" +
           c.image.substr(0, 60) + "\"";
  }
  if (c.image.find("/../") != std::string::npos || c.image.ends_with("/..")) {
    return "config.image must not contain \"..\"";
  }
  for (const auto& arg : c.init_cmd) {
    if (arg.find('\0') != std::string::npos) return "config.init.cmd must not contain NUL";
  }
  if (!c.init_cmd.empty() && c.init_cmd.front().empty()) {
    return "config.init.cmd must start with a program name";
  }
  for (const auto& [key, value] : c.env) {
    if (key.empty() || key.find('=') != std::string::npos || key.find('\0') != std::string::npos) {
      return "config.env keys must be non-empty and contain no \"=\"";
    }
    if (value.find('\0') != std::string::npos) return "config.env values must not contain NUL";
    if (key.starts_with("FLY_")) {
      return "config.env must not set " + key.substr(0, 40) +
             ": FLY_* variables are the platform's";
    }
  }
  const auto& p = c.restart.policy;
  if (p != "no" && p != "always" && p != "on-failure") {
    return "config.restart.policy must be no, always or on-failure, not \"" + p.substr(0, 20) +
           "\"";
  }
  if (c.restart.max_retries < 0 || c.restart.max_retries > 1000) {
    return "config.restart.max_retries must be from 0 to 1000";
  }
  if (!stop_signal_number(c.stop_config.signal)) {
    return "config.stop_config.signal must be one of " + std::string(kStopSignalList);
  }
  if (c.stop_config.timeout_seconds < 1 || c.stop_config.timeout_seconds > 3600) {
    return "config.stop_config.timeout must be from 1s to 3600s";
  }
  if (c.guest.cpus && (!(*c.guest.cpus > 0) || *c.guest.cpus > 1024)) {
    return "config.guest.cpus must be more than 0 and at most 1024";
  }
  if (c.guest.memory_mb && (*c.guest.memory_mb < 16 || *c.guest.memory_mb > 1048576)) {
    return "config.guest.memory_mb must be from 16 to 1048576";
  }
  return machine_services_problem(c.services);
}

void to_json(Json& j, const MachineStop& v) {
  j = Json::object();
  if (v.signal) j["signal"] = *v.signal;
  if (v.timeout_seconds) j["timeout"] = std::to_string(*v.timeout_seconds) + "s";
}

void from_json(const Json& j, MachineStop& v) {
  if (!j.is_object()) throw ShapeError("the stop request must be an object");
  v = MachineStop{};
  if (auto it = j.find("signal"); it != j.end() && !it->is_null()) {
    if (!it->is_string()) throw ShapeError("field \"signal\" must be a string such as \"SIGTERM\"");
    v.signal = it->get<std::string>();
  }
  if (auto it = j.find("timeout"); it != j.end() && !it->is_null()) {
    v.timeout_seconds = timeout_seconds_of(*it);
  }
}

void to_json(Json& j, const StopConfig& v) {
  j = Json{{"signal", v.signal}, {"timeout", std::to_string(v.timeout_seconds) + "s"}};
}

void from_json(const Json& j, StopConfig& v) {
  if (!j.is_object()) throw ShapeError("field \"stop_config\" must be an object");
  v = StopConfig{};
  v.signal = str_or(j, "signal", "SIGINT");
  if (auto it = j.find("timeout"); it != j.end() && !it->is_null()) {
    v.timeout_seconds = timeout_seconds_of(*it);
  }
}

void to_json(Json& j, const MachineConfig& v) {
  j = Json{{"image", v.image},
           {"init", Json{{"cmd", v.init_cmd}}},
           {"env", v.env},
           {"metadata", v.metadata},
           {"restart", Json{{"policy", v.restart.policy}}},
           {"stop_config", v.stop_config}};
  if (v.restart.policy == "on-failure") j["restart"]["max_retries"] = v.restart.max_retries;
  Json guest = Json::object();
  if (v.guest.cpus) guest["cpus"] = *v.guest.cpus;
  if (v.guest.memory_mb) guest["memory_mb"] = *v.guest.memory_mb;
  if (!guest.empty()) j["guest"] = guest;
  if (!v.services.empty()) j["services"] = v.services;
}

void from_json(const Json& j, MachineConfig& v) {
  if (!j.is_object()) throw ShapeError("field \"config\" must be an object");
  v = MachineConfig{};
  v.image = str_or(j, "image", "host");
  if (const auto* init = object_at(j, "init")) v.init_cmd = string_list(*init, "cmd");
  v.env = string_map(j, "env");
  v.metadata = string_map(j, "metadata");
  if (const auto* restart = object_at(j, "restart")) {
    v.restart.policy = str_or(*restart, "policy", "on-failure");
    if (restart->contains("max_retries") && !restart->at("max_retries").is_null()) {
      v.restart.max_retries = static_cast<int>(unsigned_int(*restart, "max_retries", 1000));
    }
  }
  if (const auto* stop = object_at(j, "stop_config")) v.stop_config = stop->get<StopConfig>();
  if (const auto* guest = object_at(j, "guest")) {
    if (auto it = guest->find("cpus"); it != guest->end() && !it->is_null()) {
      if (!it->is_number()) throw ShapeError("field \"cpus\" must be a number");
      v.guest.cpus = it->get<double>();
    }
    if (auto it = guest->find("memory_mb"); it != guest->end() && !it->is_null()) {
      v.guest.memory_mb = static_cast<std::int64_t>(unsigned_int(*guest, "memory_mb", 1ULL << 40));
    }
  }
  v.services = list_of<MachineService>(j, "services");
}

}  // namespace sixpn::api
