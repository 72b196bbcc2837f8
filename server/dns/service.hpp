#pragma once
// The DNS server as `sixpnd serve` runs it: flags checked before anything starts, then a
// snapshot feed kept fresh by the store's change notifications, and the listeners.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/dns/feed.hpp"
#include "server/dns/server.hpp"

namespace sixpn::server::store {
class Store;
}

namespace sixpn::server::dns {

struct DnsFlags {
  std::vector<std::string> listen;  // --dns-listen HOST:PORT[=ORG], repeatable
  std::string upstream;             // --dns-upstream HOST[:PORT] (port 53 when left out)
};

// nullopt and `problem` set (one sentence) when a flag is malformed.
std::optional<ServerOptions> parse_dns_flags(const DnsFlags& flags, std::string& problem);

class DnsService {
 public:
  // Builds the first snapshot, subscribes to the store's changes, binds and starts serving.
  // Throws std::system_error when a listener cannot be bound.
  DnsService(ServerOptions options, store::Store& store);
  ~DnsService();
  DnsService(const DnsService&) = delete;
  DnsService& operator=(const DnsService&) = delete;

 private:
  struct Hook;
  std::shared_ptr<Hook> hook_;  // the store keeps its listener; this lets it outlive us safely
  SnapshotFeed feed_;
  std::unique_ptr<SnapshotRefresher> refresher_;
  std::unique_ptr<DnsServer> server_;
};

}  // namespace sixpn::server::dns
