#include "host/agent_network.hpp"

#include <cstdio>

#include "host/host_dns.hpp"
#include "host/host_flycast.hpp"
#include "host/host_network.hpp"

namespace sixpn::host {

namespace {
// The mesh first, then DNS: HostDns binds fdaa::3, which HostNetwork puts on the host. The
// Flycast proxy last: its connections to machines need the routes and the table's exceptions.
class MeshAndDns : public NetworkSide {
 public:
  MeshAndDns(HostNetworkOptions options, core::PrivateKey key,
             const std::vector<std::string>& upstreams, const Log& log)
      : network_(std::move(options), std::move(key), log),
        dns_(upstreams, log),
        flycast_(proxy::ProxyOptions{}, log) {}
  void start() override {
    network_.start();
    try {
      dns_.start();
    } catch (...) {
      network_.stop();
      throw;
    }
  }
  void stop() override {
    flycast_.stop();
    dns_.stop();
    network_.stop();
  }
  void apply(const api::HostState& state, bool check) override {
    network_.apply(state, check);
    dns_.apply(state);
    flycast_.apply(proxy_config(state.flycast, state.host.region, state.regions, state.dns),
                   core::proxy_address(state.host.id), check);
  }
  std::optional<api::ProxyReport> proxy_report() const override { return flycast_.report(); }
  void set_machine_starter(std::function<void(const api::ProxyStart&)> start) override {
    flycast_.set_machine_starter(std::move(start));
  }

 private:
  HostNetwork network_;
  HostDns dns_;
  NodeFlycast flycast_;
};
}  // namespace

NetworkSideFactory make_network_side(const std::string& interface, std::uint16_t listen_port,
                                     const std::string& userspace_binary,
                                     const std::vector<std::string>& dns_upstreams, Log log) {
  if (!log)
    log = [](const std::string& line) { std::fprintf(stderr, "sixpnd host: %s\n", line.c_str()); };
  return [=](core::PrivateKey key) -> std::unique_ptr<NetworkSide> {
    return std::make_unique<MeshAndDns>(
        HostNetworkOptions{interface, listen_port, userspace_binary}, std::move(key), dns_upstreams,
        log);
  };
}

}  // namespace sixpn::host
