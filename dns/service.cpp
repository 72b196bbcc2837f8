#include "dns/service.hpp"

#include <algorithm>
#include <cstdio>

#include "dns/upstreams.hpp"
#include "dns/zone.hpp"

namespace sixpn::dns {

namespace {

void log_line(const std::string& line) {
  std::fprintf(stderr, "sixpnd: %s\n", line.c_str());
}

std::string joined(const std::vector<core::dns::Endpoint>& endpoints) {
  std::string out;
  for (const auto& e : endpoints) out += (out.empty() ? "" : ", ") + e.str();
  return out;
}

// The upstreams named on the command line; each must be a literal address and not ourselves.
bool explicit_upstreams(const DnsFlags& flags, const std::vector<core::dns::Endpoint>& own,
                        bool serves_6pn, ServerOptions& options, std::string& problem) {
  for (const auto& text : flags.upstream) {
    if (text == "none") {
      if (flags.upstream.size() == 1) return true;
      problem = "--dns-upstream none cannot be given with other upstreams";
      return false;
    }
    auto upstream = core::dns::parse_endpoint(text, kDnsPort);
    if (!upstream) {
      problem = "--dns-upstream \"" + text +
                "\" is not HOST[:PORT] with a literal address (127.0.0.53:53, [::1]:53)";
      return false;
    }
    if (is_own_dns(*upstream, own, serves_6pn)) {
      problem = "--dns-upstream " + upstream->str() +
                " is sixpnd's own DNS listener: forwarded queries would come back to it";
      return false;
    }
    options.upstreams.push_back(*upstream);
  }
  return true;
}

// The host's resolvers, less sixpnd itself, as glibc would ask them.
void resolv_conf_upstreams(const DnsFlags& flags, const std::vector<core::dns::Endpoint>& own,
                           bool serves_6pn, ServerOptions& options,
                           const std::function<void(const std::string&)>& log) {
  auto conf = read_resolv_conf(flags.resolv_conf);
  for (const auto& p : conf.problems) log("dns: " + flags.resolv_conf + ": skipping: " + p);
  for (const auto& server : conf.nameservers) {
    if (is_own_dns(server, own, serves_6pn)) {
      log("dns: " + flags.resolv_conf + ": skipping nameserver " + server.host() +
          ": it is sixpnd's own DNS listener");
    } else {
      options.upstreams.push_back(server);
    }
  }
  if (options.upstreams.empty()) {
    log("dns: " + flags.resolv_conf + " names no other nameserver: " +
        "names outside .internal and .flycast are REFUSED (--dns-upstream HOST sets one)");
  } else {
    log("dns: forwarding names outside .internal and .flycast to " + joined(options.upstreams) +
        " (from " + flags.resolv_conf + ")");
  }
}

}  // namespace

ListenSpec gateway_listener(const std::string& interface) {
  ListenSpec spec;
  spec.endpoint = *core::dns::parse_endpoint("[::]", kDnsPort);
  spec.device = interface;
  return spec;
}

ListenSpec machine_listener() {
  ListenSpec spec;
  spec.endpoint = *core::dns::parse_endpoint("fdaa::3", kDnsPort);
  return spec;
}

std::optional<ServerOptions> parse_dns_flags(const DnsFlags& flags, std::string& problem,
                                             const std::function<void(const std::string&)>& log) {
  ServerOptions options;
  std::vector<core::dns::Endpoint> own;  // what a query sent from this host could reach
  for (const auto& text : flags.listen) {
    auto spec = parse_listen_spec(text, problem);
    if (!spec) return std::nullopt;
    options.listen.push_back(*spec);
    own.push_back(spec->endpoint);
  }
  const bool serves_6pn = !flags.gateway_interface.empty() && !flags.no_gateway_dns;
  if (serves_6pn) {
    // A listener on every address's port 53 answers the gateway's prefix::3 already, and the
    // kernel would refuse a second socket on that port beside it.
    auto covers = [](const core::dns::Endpoint& e) { return e.host() == "::" && e.port() == 53; };
    if (std::any_of(own.begin(), own.end(), covers)) {
      log("dns: --dns-listen [::]:53 answers on " + flags.gateway_interface + " already");
    } else {
      options.listen.push_back(gateway_listener(flags.gateway_interface));
    }
  }
  if (flags.machine_dns) {
    auto machines = machine_listener();
    own.push_back(machines.endpoint);
    // Beside the gateway's [::]:53 of its interface, which the kernel would otherwise hold
    // against any other socket on port 53.
    for (auto& spec : options.listen) {
      if (!spec.device.empty()) spec.share_port = machines.share_port = true;
    }
    options.listen.push_back(std::move(machines));
  }
  options.log = log;
  if (options.listen.empty()) {
    if (!flags.upstream.empty() && flags.upstream != std::vector<std::string>{"none"}) {
      problem =
          "--dns-upstream needs a DNS listener: --dns-listen, or the gateway's "
          "(--gateway-interface without --no-gateway-dns)";
      return std::nullopt;
    }
    return options;
  }
  if (!flags.upstream.empty()) {
    if (!explicit_upstreams(flags, own, serves_6pn, options, problem)) return std::nullopt;
    if (options.upstreams.empty()) {
      log("dns: names outside .internal and .flycast are REFUSED (--dns-upstream none)");
    } else {
      log("dns: forwarding names outside .internal and .flycast to " + joined(options.upstreams));
    }
  } else {
    resolv_conf_upstreams(flags, own, serves_6pn, options, log);
  }
  return options;
}

DnsService::DnsService(ServerOptions options, SnapshotRefresher::Build build) {
  auto with_lists = [build = std::move(build)] {
    auto snapshot = build();
    precompute_lists(snapshot);
    return snapshot;
  };
  refresher_ =
      std::make_unique<SnapshotRefresher>(with_lists, feed_, std::chrono::seconds(1), log_line);
  server_ = std::make_unique<DnsServer>(std::move(options), [this] { return feed_.current(); });
  server_->start();
}

DnsService::~DnsService() {
  server_->stop();
}

void DnsService::notify() {
  refresher_->notify();
}

}  // namespace sixpn::dns
