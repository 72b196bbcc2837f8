#pragma once
// Flycast services as the control plane hands them to the proxies of hosts and gateway, and
// the proxies' counters as they report them. A service is one Flycast address and one port
// that the app's machines declare in config.services[].ports; its backends are those machines.
#include <cstdint>
#include <string>
#include <vector>

#include "api/types.hpp"

namespace sixpn::api {

struct FlycastBackend {
  std::string machine_id;
  std::string region;
  std::string address;    // the machine's 6PN address
  int internal_port = 0;  // where the machine listens for this service
  bool started = false;   // its host reports it started (and it is meant to be)
  int soft_limit = 20;
  int hard_limit = 0;     // 0: none
  bool autostart = true;
  bool autostop = false;  // config autostop "stop"
};

struct FlycastService {
  std::string address;  // the Flycast address
  int port = 0;
  std::string app;
  std::string org;                // the app's org
  std::uint32_t network_id = 0;   // the address's network: only its org's nodes may connect
  int min_machines_running = 0;   // the largest any of its machines asks for
  std::vector<FlycastBackend> backends;
};

// POST /v1/hosts/self/proxy/start: a connection waits for this machine.
struct ProxyStart {
  std::string app;
  std::string machine_id;
};

// What one node's proxy counted for one service since it started.
struct FlycastBackendCounters {
  std::string machine_id;
  int active = 0;
  std::uint64_t connections = 0;
  std::uint64_t refusals = 0;
};
struct FlycastCounters {
  std::string address;
  int port = 0;
  std::string app;
  std::uint64_t connections = 0;
  int active = 0;
  std::uint64_t refused = 0;
  std::uint64_t autostarts = 0;
  bool listening = false;
  std::string listen_problem;
  std::vector<FlycastBackendCounters> backends;
};
// POST /v1/hosts/self/proxy: every service of the host's proxy.
struct ProxyReport {
  std::vector<FlycastCounters> services;
};

// GET /v1/apps/{app}/services: each Flycast address and port of the app, its machines, and what
// every proxy counted for it (summed over the nodes that reported lately).
struct AppServiceMachine {
  std::string id;
  std::string region;
  bool started = false;
  int internal_port = 0;
  int soft_limit = 20;
  int hard_limit = 0;
  bool autostart = true;
  bool autostop = false;
  int active = 0;
  std::uint64_t connections = 0;
  std::uint64_t refusals = 0;
};
struct AppServiceCounters {
  std::uint64_t connections = 0;
  int active = 0;
  std::uint64_t refused = 0;
  std::uint64_t autostarts = 0;
  std::uint64_t autostops = 0;  // the app's, by the control plane's autostop pass
  int proxies = 0;              // nodes whose proxy serves it
};
struct AppService {
  std::string address;
  int port = 0;
  std::string protocol = "tcp";
  std::string network_org;  // the org whose network the address is on
  int min_machines_running = 0;
  std::vector<AppServiceMachine> machines;
  AppServiceCounters counters;
  std::vector<std::string> listen_problems;
};
struct AppServices {
  std::vector<AppService> services;
};

void to_json(Json& j, const AppServiceMachine& v);
void from_json(const Json& j, AppServiceMachine& v);
void to_json(Json& j, const AppServiceCounters& v);
void from_json(const Json& j, AppServiceCounters& v);
void to_json(Json& j, const AppService& v);
void from_json(const Json& j, AppService& v);
void to_json(Json& j, const AppServices& v);
void from_json(const Json& j, AppServices& v);
void to_json(Json& j, const FlycastBackend& v);
void from_json(const Json& j, FlycastBackend& v);
void to_json(Json& j, const FlycastService& v);
void from_json(const Json& j, FlycastService& v);
void to_json(Json& j, const FlycastBackendCounters& v);
void from_json(const Json& j, FlycastBackendCounters& v);
void to_json(Json& j, const FlycastCounters& v);
void from_json(const Json& j, FlycastCounters& v);
void to_json(Json& j, const ProxyStart& v);
void from_json(const Json& j, ProxyStart& v);
void to_json(Json& j, const ProxyReport& v);
void from_json(const Json& j, ProxyReport& v);

}  // namespace sixpn::api
