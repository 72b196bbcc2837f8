// The host protocol's requests over the REST client.
#include "api/client.hpp"
#include "host/agent.hpp"

namespace sixpn::host {

namespace {
class ClientHostApi : public HostApi {
 public:
  explicit ClientHostApi(const api::ClientOptions& options) : client_(options) {}
  api::HostRegistered register_host(const api::HostRegister& body) override {
    return client_.register_host(body);
  }
  api::HostState host_state(std::uint64_t after, int wait_seconds) override {
    return client_.host_state(after, wait_seconds);
  }
  void report_machines(const api::HostReport& body) override { client_.report_machines(body); }
  void send_logs(const api::HostLogBatch& body) override { client_.send_logs(body); }
  void proxy_start_machine(const api::ProxyStart& body) override {
    client_.proxy_start_machine(body);
  }
  void report_proxy(const api::ProxyReport& body) override { client_.report_proxy(body); }

 private:
  api::Client client_;
};
}  // namespace

std::unique_ptr<HostApi> make_host_api(const api::ClientOptions& options) {
  return std::make_unique<ClientHostApi>(options);
}

}  // namespace sixpn::host
