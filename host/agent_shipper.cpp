#include "host/agent_shipper.hpp"

#include <filesystem>
#include <map>

#include "host/agent_logs.hpp"

namespace sixpn::host {

namespace {
// A record's bytes besides its text: "2026-12-01T10:11:12.345Z stdout " and the newline.
constexpr std::size_t kRecordOverhead = 33;

const char* stream_name(Stream stream) {
  return stream == Stream::Stdout ? "stdout" : "stderr";
}
}  // namespace

ShipRound Shipper::ship_once() {
  const bool reported = send_reports();
  auto round = send_logs();
  round.contacted = round.contacted || reported;
  return round;
}

bool Shipper::send_reports() {
  auto pending = outbox_.pending();
  if (pending.empty()) return false;
  api_.report_machines(api::HostReport{pending});
  outbox_.confirm(pending.size());
  return true;
}

ShipRound Shipper::send_logs() {
  api::HostLogBatch batch;
  std::map<std::string, LogCursor> moved;  // cursor file → where it goes once sent
  std::size_t budget = kLogBatchBytes;
  bool more = false;
  std::vector<std::string> ids;
  try {
    ids = runner_.machines();
  } catch (const std::filesystem::filesystem_error&) {
    return {};  // a machine's directory went while listing: the next round sees
  }
  for (const auto& id : ids) {
    if (budget == 0) {
      more = true;
      break;
    }
    const std::string cursor_path = runner_.machine_dir(id) + "/log.offset";
    const auto cursor = load_log_cursor(cursor_path);
    auto got = read_new_records(runner_.log_path(id), cursor, budget);
    if (got.next == cursor) continue;
    std::size_t used = 0;
    for (auto& record : got.records) {
      used += record.text.size() + kRecordOverhead;
      batch.lines.push_back(
          {id, "", record.timestamp, stream_name(record.stream), std::move(record.text)});
    }
    if (used >= budget) more = true;  // the budget cut this machine's lines short
    budget -= std::min(budget, used);
    moved[cursor_path] = got.next;
  }
  if (!batch.lines.empty()) api_.send_logs(batch);
  // A machine destroyed meanwhile takes its cursor file with it: nothing to keep.
  for (const auto& [path, cursor] : moved) save_log_cursor(path, cursor);
  return {more, !batch.lines.empty()};
}

}  // namespace sixpn::host
