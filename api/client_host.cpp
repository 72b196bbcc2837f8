// The client's endpoints of the host protocol (docs/host-protocol.md): registration, the
// desired-state watch, reports and logs, and the operator's removal of a host (its list is
// in endpoints.cpp, beside the other paged lists).
#include <chrono>

#include "api/client.hpp"
#include "api/response_decode.hpp"

namespace sixpn::api {

using response::decode;

HostRegistered Client::register_host(const HostRegister& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/hosts/register";
  req.body = body;
  req.needs_token = false;
  return decode<HostRegistered>(call(req), "POST", req.path);
}

HostState Client::host_state(std::uint64_t after, int wait_seconds) {
  Request req;
  req.path = "/v1/hosts/self/state";
  req.query.push_back("after=" + std::to_string(after));
  req.query.push_back("wait=" + std::to_string(wait_seconds));
  req.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(wait_seconds) +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(options_.timeout_seconds));
  return decode<HostState>(call(req), "GET", req.path);
}

void Client::report_machines(const HostReport& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/hosts/self/reports";
  req.body = body;
  call(req);
}

void Client::send_logs(const HostLogBatch& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/hosts/self/logs";
  req.body = body;
  call(req);
}

void Client::proxy_start_machine(const ProxyStart& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/hosts/self/proxy/start";
  req.body = body;
  call(req);
}

void Client::report_proxy(const ProxyReport& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/hosts/self/proxy";
  req.body = body;
  call(req);
}

void Client::remove_host(std::uint32_t id) {
  Request req;
  req.method = "DELETE";
  req.path = "/v1/hosts/" + std::to_string(id);
  call(req);
}

}  // namespace sixpn::api
