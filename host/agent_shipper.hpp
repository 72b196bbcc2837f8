#pragma once
// Sends what the host has to say: the queued machine reports, and the new lines of every
// machine's log (agent_logs.hpp), each in batches. Runs on a thread of its own with a client
// of its own, about once a second, so a long stop or start never holds up the logs.
#include <cstddef>

#include "host/agent.hpp"
#include "host/agent_outbox.hpp"
#include "host/machine_runner.hpp"

namespace sixpn::host {

inline constexpr std::size_t kLogBatchBytes = 256 * 1024;  // of records read, per batch

// What one round did: whether more log lines wait, and whether it asked the control plane
// anything (a round with nothing to send asks nothing, so it says nothing of reachability).
struct ShipRound {
  bool more = false;
  bool contacted = false;
};

class Shipper {
 public:
  Shipper(HostApi& api, const MachineRunner& runner, ReportOutbox& outbox)
      : api_(api), runner_(runner), outbox_(outbox) {}

  // Sends every queued report, then one batch of log lines.
  // Throws the client's errors (nothing is lost: reports stay queued, cursors do not move).
  ShipRound ship_once();

 private:
  bool send_reports();  // true when there were any
  ShipRound send_logs();

  HostApi& api_;
  const MachineRunner& runner_;
  ReportOutbox& outbox_;
};

}  // namespace sixpn::host
