#pragma once
// Machine documents as the API returns them, for the command tests that run against a local
// HTTP server (tests/unit/api/fake_api.hpp).
#include <string>

#include <nlohmann/json.hpp>

#include "api/types.hpp"

namespace sixpn::commands::testing {

inline api::Machine machine_doc(const std::string& state, const std::string& message = "") {
  api::Machine m;
  m.id = "0e286e5d2c3a47";
  m.name = "web-1";
  m.app = "my-app";
  m.region = "ams";
  m.state = state;
  m.process_group = "app";
  m.private_ip = "fdaa:0:1:0:c000:1:0:2";
  m.host_id = 0x0c000001;
  m.host = "ams-1";
  m.config.init_cmd = {"sleep", "600"};
  m.message = message;
  m.created_at = "2026-12-01T09:00:00Z";
  m.updated_at = "2026-12-01T09:00:01Z";
  return m;
}

inline std::string body_of(const api::Machine& m) {
  return nlohmann::json(m).dump();
}

inline std::string error_body(const std::string& error, const std::string& code) {
  return nlohmann::json{{"error", error}, {"code", code}}.dump();
}

}  // namespace sixpn::commands::testing
