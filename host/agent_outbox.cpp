#include "host/agent_outbox.hpp"

#include <nlohmann/json.hpp>

#include "host/agent_state.hpp"

namespace sixpn::host {

ReportOutbox::ReportOutbox(std::string path) : path_(std::move(path)) {
  try {
    if (auto text = read_file_if_exists(path_)) {
      reports_ = nlohmann::json::parse(*text).get<api::HostReport>().machines;
    }
  } catch (const std::exception& e) {
    problem_ = path_ + " is unreadable, its reports are dropped: " + e.what();
    reports_.clear();
  }
}

void ReportOutbox::save_locked() const {
  replace_file(path_, nlohmann::json(api::HostReport{reports_}).dump() + "\n");
}

void ReportOutbox::push(api::MachineReport report) {
  std::lock_guard lock(mutex_);
  reports_.push_back(std::move(report));
  save_locked();
  pushed_.notify_all();
}

std::vector<api::MachineReport> ReportOutbox::pending() const {
  std::lock_guard lock(mutex_);
  return reports_;
}

void ReportOutbox::confirm(std::size_t count) {
  std::lock_guard lock(mutex_);
  reports_.erase(reports_.begin(),
                 reports_.begin() + static_cast<std::ptrdiff_t>(std::min(count, reports_.size())));
  save_locked();
}

bool ReportOutbox::empty() const {
  std::lock_guard lock(mutex_);
  return reports_.empty();
}

bool ReportOutbox::wait_for_report(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return pushed_.wait_for(lock, timeout, [&] { return !reports_.empty(); });
}

}  // namespace sixpn::host
