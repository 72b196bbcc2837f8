#include "host/agent_proxy.hpp"

#include <nlohmann/json.hpp>

namespace sixpn::host {

namespace {
// Counters unchanged this long are sent anyway: the control plane's autostop takes a node's
// counters as current only while they are fresh.
constexpr auto kResendUnchanged = std::chrono::seconds(10);
}  // namespace

ProxyLink::ProxyLink(const api::ClientOptions& client, NetworkSide& network, Log log,
                     std::chrono::milliseconds every)
    : network_(network),
      log_(std::move(log)),
      every_(every),
      start_api_(make_host_api(client)),
      report_api_(make_host_api(client)) {
  network_.set_machine_starter([this](const api::ProxyStart& body) {
    std::lock_guard lock(start_mutex_);
    try {
      start_api_->proxy_start_machine(body);
    } catch (const std::exception& e) {
      log_("cannot start machine " + body.machine_id + " of " + body.app +
           " for a Flycast connection: " + e.what());
    }
  });
  thread_ = std::thread([this] { run(); });
}

ProxyLink::~ProxyLink() {
  stopping_ = true;
  thread_.join();
}

void ProxyLink::run() {
  std::string last_sent;
  auto last_time = std::chrono::steady_clock::time_point{};
  bool failing = false;
  while (!stopping_) {
    for (auto until = std::chrono::steady_clock::now() + every_;
         !stopping_ && std::chrono::steady_clock::now() < until;) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (stopping_) return;
    auto report = network_.proxy_report();
    if (!report) continue;
    auto text = nlohmann::json(*report).dump();
    const auto now = std::chrono::steady_clock::now();
    if (text == last_sent && now - last_time < kResendUnchanged) continue;
    try {
      report_api_->report_proxy(*report);
      last_sent = std::move(text);
      last_time = now;
      if (failing) log_("the proxy's counters reach the control plane again");
      failing = false;
    } catch (const api::Cancelled&) {
      return;
    } catch (const std::exception& e) {
      // The watch says when the control plane is away; this says only what it costs.
      if (!failing) log_("cannot send the proxy's counters (" + std::string(e.what()) + ")");
      failing = true;
    }
  }
}

}  // namespace sixpn::host
