#pragma once
// The DNS server as a sixpnd process runs it: flags checked before anything starts, then a
// snapshot feed kept fresh by its owner's change notifications, and the listeners. Where the
// data comes from is the owner's business: the control plane builds snapshots from its store
// (server/dns_state.hpp), a host from the desired state it watches.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dns/feed.hpp"
#include "dns/server.hpp"

namespace sixpn::dns {

struct DnsFlags {
  std::vector<std::string> listen;  // --dns-listen HOST:PORT[=ORG], repeatable
  // --dns-upstream HOST[:PORT] (port 53 when left out), repeatable; "none": other names are
  // REFUSED; not given: the nameservers of `resolv_conf`.
  std::vector<std::string> upstream;
  std::string gateway_interface;  // "": no gateway
  bool no_gateway_dns = false;    // --no-gateway-dns: no listener on the gateway interface
  // `sixpnd serve --host`: also [fdaa::3]:53, where the embedded host's machines ask (fdaa::3
  // must be a local address by then).
  bool machine_dns = false;
  std::string resolv_conf = "/etc/resolv.conf";
};

// The port every org's prefix::3 answers on.
inline constexpr std::uint16_t kDnsPort = 53;

// The listener the gateway brings: [::]:53 of the gateway interface only, so it answers on
// every org's prefix::3 there (orgs made later included) and never on the host's own addresses.
// The org comes from the querier's 6PN address, as for any unpinned listener.
ListenSpec gateway_listener(const std::string& interface);
// [fdaa::3]:53, which every machine's resolv.conf names.
ListenSpec machine_listener();

// nullopt and `problem` set (one sentence) when a flag is malformed or names sixpnd's own
// listener as its upstream. What it chose on its own (resolv.conf servers used or skipped) is
// said through `log`.
std::optional<ServerOptions> parse_dns_flags(const DnsFlags& flags, std::string& problem,
                                             const std::function<void(const std::string&)>& log);

class DnsService {
 public:
  // Builds the first snapshot with `build`, binds and starts serving. `build` runs again, off
  // the caller's thread, after each notify() and once a second; it may throw, and the last good
  // snapshot is then kept. Throws std::system_error when a listener cannot be bound.
  DnsService(ServerOptions options, SnapshotRefresher::Build build);
  ~DnsService();
  DnsService(const DnsService&) = delete;
  DnsService& operator=(const DnsService&) = delete;

  // The data changed: rebuild soon. Cheap and safe from any thread.
  void notify();

 private:
  SnapshotFeed feed_;
  std::unique_ptr<SnapshotRefresher> refresher_;
  std::unique_ptr<DnsServer> server_;
};

}  // namespace sixpn::dns
