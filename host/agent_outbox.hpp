#pragma once
// Machine reports waiting to be sent, kept in <state>/reports.json as well as in memory, so
// reports made while the control plane was away — or before the agent restarted — are sent
// once it answers again. Shared by the thread that makes them and the one that sends them.
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "api/host_types.hpp"

namespace sixpn::host {

class ReportOutbox {
 public:
  // Loads what a previous run left in `path` (a malformed file is dropped, with `problem` set).
  explicit ReportOutbox(std::string path);

  void push(api::MachineReport report);
  // Everything waiting, oldest first (left in place until confirm()).
  std::vector<api::MachineReport> pending() const;
  // The first `count` were delivered.
  void confirm(std::size_t count);
  bool empty() const;
  // Blocks until a report waits or `timeout` passes; true when one waits. The sender waits
  // here between rounds, so a report leaves as soon as it is made (`sixpn machine run` waits
  // for the `started` one) while log lines still go in batches.
  bool wait_for_report(std::chrono::milliseconds timeout) const;
  const std::string& problem() const { return problem_; }

 private:
  void save_locked() const;
  std::string path_;
  std::string problem_;
  mutable std::mutex mutex_;
  mutable std::condition_variable pushed_;
  std::vector<api::MachineReport> reports_;
};

}  // namespace sixpn::host
