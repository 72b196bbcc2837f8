#pragma once
// The host's DNS server for its machines, at [fdaa::3]:53 (UDP and TCP): the same .internal
// resolver the control plane runs for laptops at each org's prefix::3 (dns/), fed from the
// desired state the host watches instead of a store. The org is the querier's: a machine's
// source address is in its org's /48, and a source of no org is refused. Names outside
// .internal and .flycast go to the upstreams. top<N>.nearest is measured from the querying
// machine's region, else from the host's own.
//
// fdaa::3 must be a local address before start() (HostNetwork::start puts it on lo), and the
// state keeps answering from the last apply() when the control plane is away.
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "api/host_types.hpp"
#include "dns/feed.hpp"
#include "dns/server.hpp"
#include "dns/snapshot.hpp"

namespace sixpn::host {

// The DNS data of `state` in the resolver's form: every org of state.dns, the regions, and
// the host's region as the origin for nearest (none for the embedded host's region "*", whose
// machines run in every region: their own region is used). Entries whose address does not
// parse are left out and said in `skipped`.
dns::Snapshot host_dns_snapshot(const api::HostState& state, std::vector<std::string>& skipped);

class HostDns {
 public:
  // `upstreams`: HOST[:PORT] literal addresses, or {"none"} (other names are REFUSED), or empty
  // for the nameservers of /etc/resolv.conf. Throws std::invalid_argument, in one sentence, for
  // a malformed one.
  HostDns(const std::vector<std::string>& upstreams, std::function<void(const std::string&)> log);
  ~HostDns();
  HostDns(const HostDns&) = delete;
  HostDns& operator=(const HostDns&) = delete;

  // Binds [fdaa::3]:53 and serves from the last applied state (none yet: every org's names are
  // unknown). Throws std::runtime_error naming the listener when it cannot bind.
  void start();
  // Stops serving and closes the sockets. Idempotent.
  void stop();
  // Answers from `state` from the next query on. Cheap; safe from any thread.
  void apply(const api::HostState& state);

 private:
  dns::ServerOptions options_;
  std::function<void(const std::string&)> log_;
  dns::SnapshotFeed feed_;
  std::unique_ptr<dns::DnsServer> server_;
  std::mutex said_mutex_;
  std::vector<std::string> last_skipped_;
};

}  // namespace sixpn::host
