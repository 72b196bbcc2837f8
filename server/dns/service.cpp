#include "server/dns/service.hpp"

#include <cstdio>
#include <mutex>

#include "server/dns/zone.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::dns {

namespace {
constexpr std::uint16_t kDnsPort = 53;

void log_line(const std::string& line) {
  std::fprintf(stderr, "sixpnd: %s\n", line.c_str());
}
}  // namespace

std::optional<ServerOptions> parse_dns_flags(const DnsFlags& flags, std::string& problem) {
  ServerOptions options;
  for (const auto& text : flags.listen) {
    auto spec = parse_listen_spec(text, problem);
    if (!spec) return std::nullopt;
    options.listen.push_back(*spec);
  }
  if (!flags.upstream.empty()) {
    options.upstream = core::dns::parse_endpoint(flags.upstream, kDnsPort);
    if (!options.upstream) {
      problem = "--dns-upstream \"" + flags.upstream +
                "\" is not HOST[:PORT] with a literal address (127.0.0.53:53, [::1]:53)";
      return std::nullopt;
    }
    if (flags.listen.empty()) {
      problem = "--dns-upstream needs at least one --dns-listen";
      return std::nullopt;
    }
  }
  options.log = log_line;
  return options;
}

struct DnsService::Hook {
  std::mutex mu;
  SnapshotRefresher* refresher = nullptr;
};

DnsService::DnsService(ServerOptions options, store::Store& store)
    : hook_(std::make_shared<Hook>()) {
  auto build = [&store] {
    auto snapshot = store.dns_snapshot();
    precompute_lists(snapshot);
    return snapshot;
  };
  refresher_ = std::make_unique<SnapshotRefresher>(build, feed_, std::chrono::seconds(1), log_line);
  hook_->refresher = refresher_.get();
  store.add_change_listener([hook = hook_] {
    std::lock_guard lock(hook->mu);
    if (hook->refresher) hook->refresher->notify();
  });
  server_ = std::make_unique<DnsServer>(std::move(options), [this] { return feed_.current(); });
  server_->start();
}

DnsService::~DnsService() {
  server_->stop();
  std::lock_guard lock(hook_->mu);
  hook_->refresher = nullptr;
}

}  // namespace sixpn::server::dns
