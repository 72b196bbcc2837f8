#pragma once
// fly.toml's [[services]] and [http_service] as the machine services flyctl makes of them:
// a [[services]] table becomes one service with its [[services.ports]]; [http_service] becomes
// a tcp service on port 80 (flyctl also adds 443 with the tls handler, which terminates TLS at
// the public edge that Flycast does not have). Unset fields keep the Machines API's defaults.
#include <string>
#include <vector>

#include "api/machine_service.hpp"
#include "core/toml.hpp"

namespace sixpn::cli {

struct FlyServices {
  std::vector<api::MachineService> services;
  // Where the file sets force_https = true ("http_service.force_https",
  // "services[0].ports[1].force_https"); "" when nowhere. Flycast refuses it.
  std::string force_https_at;
};

// A key of the wrong type is a UsageError naming the key and `source`.
FlyServices fly_services_from(const toml::table& fly_toml, const std::string& source);

}  // namespace sixpn::cli
