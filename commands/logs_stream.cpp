#include "commands/logs_stream.hpp"

#include <deque>

#include "cli/output.hpp"

namespace sixpn::commands {

std::string format_log_line(const api::LogLine& line) {
  const std::string level = line.stream == "stderr" ? "stderr" : "info";
  return cli::one_line(line.timestamp) + " app[" + cli::one_line(line.machine_id) + "] " +
         cli::one_line(line.region.empty() ? "-" : line.region) + " [" + level + "] " +
         cli::one_line(line.message) + "\n";
}

std::string log_line_json(const api::LogLine& line) {
  // Invalid UTF-8 from a program's output must not make the record unprintable.
  return nlohmann::json(line).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

void stream_logs(api::Client& client, const LogsRequest& request, const LogSink& sink,
                 const std::function<bool()>& stop) {
  api::LogQuery query;
  query.machine_id = request.machine_id;
  query.limit = request.page_limit;

  // What is kept, to its end (an empty page), holding only the newest `lines`.
  std::deque<api::LogLine> newest;
  for (;;) {
    auto page = client.app_logs(request.app, query);
    const bool end = page.items.empty();
    for (auto& line : page.items) {
      if (request.lines <= 0) break;
      newest.push_back(std::move(line));
      if (static_cast<int>(newest.size()) > request.lines) newest.pop_front();
    }
    if (page.next_cursor) query.cursor = *page.next_cursor;
    if (end || !page.next_cursor || stop()) break;
  }
  if (!newest.empty()) sink({newest.begin(), newest.end()});
  if (!request.follow) return;

  query.wait_seconds = request.wait_seconds;
  while (!stop()) {
    auto page = client.app_logs(request.app, query);
    if (!page.items.empty()) sink(page.items);
    if (page.next_cursor) query.cursor = *page.next_cursor;
  }
}

}  // namespace sixpn::commands
