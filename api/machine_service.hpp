#pragma once
// A machine's services (`config.services[]` of Fly's Machines API): which of its ports the
// Flycast proxy reaches, on which ports of the app's Flycast address, and how the proxy starts,
// stops and loads the machine for them. Stored with the config and handed to hosts with it.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace sixpn::api {

struct ServicePort {
  int port = 0;  // on the Flycast address, 1..65535
  // Fly's per-port force_https. Read so that it can be refused: Flycast is private HTTP/TCP
  // and has no public edge to redirect to HTTPS.
  bool force_https = false;
  bool operator==(const ServicePort&) const = default;
};

struct ServiceConcurrency {
  std::string type = "connections";  // the proxy counts connections (not requests)
  int soft_limit = 20;               // above it a machine gets traffic only when all others do
  int hard_limit = 25;               // at it a machine gets no new traffic (Fly's default)
  bool operator==(const ServiceConcurrency&) const = default;
};

struct MachineService {
  std::string protocol = "tcp";  // tcp only
  int internal_port = 0;         // on the machine, 1..65535
  std::vector<ServicePort> ports;
  bool autostart = true;            // start a stopped machine when traffic needs one
  std::string autostop = "off";     // "off" or "stop"; JSON also takes true ("stop") / false
  int min_machines_running = 0;     // autostop never goes below it
  ServiceConcurrency concurrency;
  bool operator==(const MachineService&) const = default;
};

// Why force_https is refused, in the seed's sense.
extern const char* const kFlycastHttpsReason;

// "" when every service is one the proxy can serve; else one sentence naming the field at
// fault as config.services[i]… (a port out of 1..65535, a port twice, soft_limit over
// hard_limit, an unknown protocol, autostop or concurrency type).
std::string machine_services_problem(const std::vector<MachineService>& services);

// "5432→5432/tcp, 80→8080/tcp": how views show a machine's services; "" when it has none.
std::string services_summary(const std::vector<MachineService>& services);

void to_json(nlohmann::json& j, const ServicePort& v);
void from_json(const nlohmann::json& j, ServicePort& v);
void to_json(nlohmann::json& j, const ServiceConcurrency& v);
void from_json(const nlohmann::json& j, ServiceConcurrency& v);
void to_json(nlohmann::json& j, const MachineService& v);
void from_json(const nlohmann::json& j, MachineService& v);

}  // namespace sixpn::api
