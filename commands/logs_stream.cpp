#include "commands/logs_stream.hpp"

#include <algorithm>
#include <deque>
#include <thread>

#include "cli/output.hpp"

namespace sixpn::commands {

namespace {
using Clock = std::chrono::steady_clock;

void sleep_unless_stopped(std::chrono::milliseconds how_long, const std::function<bool()>& stop) {
  for (auto until = Clock::now() + how_long; !stop() && Clock::now() < until;) {
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
  }
}

// One page of the logs; while following, tried again from the same query until it comes.
class PageFetcher {
 public:
  PageFetcher(api::Client& client, const LogsRequest& request, const std::function<bool()>& stop,
              const LogNotice& notice)
      : client_(client), request_(request), stop_(stop), notice_(notice) {}

  // nullopt: `stop` said so while waiting to try again.
  std::optional<api::Page<api::LogLine>> fetch(const api::LogQuery& query) {
    std::optional<std::chrono::milliseconds> delay;
    for (;;) {
      try {
        auto page = client_.app_logs(request_.app, query);
        if (delay && notice_) notice_("The control plane answers again; following on");
        return page;
      } catch (const api::ClientError& e) {
        if (!request_.follow || !is_passing_failure(e)) throw;
        if (!delay && notice_) {
          notice_("Lost the control plane (" + std::string(e.what()) +
                  "); retrying from the last line shown");
        }
        delay = next_reconnect_delay(delay, request_.reconnect_first, request_.reconnect_max);
      }
      sleep_unless_stopped(*delay, stop_);
      if (stop_()) return std::nullopt;
    }
  }

 private:
  api::Client& client_;
  const LogsRequest& request_;
  const std::function<bool()>& stop_;
  const LogNotice& notice_;
};
}  // namespace

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

bool is_passing_failure(const api::ClientError& error) {
  if (dynamic_cast<const api::TlsFailure*>(&error)) return false;
  if (dynamic_cast<const api::TransportError*>(&error)) return true;
  if (const auto* http = dynamic_cast<const api::HttpError*>(&error)) {
    return http->status == 429 || http->status >= 500;
  }
  return false;
}

std::chrono::milliseconds next_reconnect_delay(std::optional<std::chrono::milliseconds> previous,
                                               std::chrono::milliseconds first,
                                               std::chrono::milliseconds max) {
  if (!previous) return std::min(first, max);
  return std::min(*previous * 2, max);
}

void stream_logs(api::Client& client, const LogsRequest& request, const LogSink& sink,
                 const std::function<bool()>& stop, const LogNotice& notice) {
  PageFetcher fetcher(client, request, stop, notice);
  api::LogQuery query;
  query.machine_id = request.machine_id;
  query.limit = request.page_limit;

  // What is kept, to its end (an empty page), holding only the newest `lines`.
  std::deque<api::LogLine> newest;
  for (;;) {
    auto page = fetcher.fetch(query);
    if (!page) return;
    const bool end = page->items.empty();
    for (auto& line : page->items) {
      if (request.lines <= 0) break;
      newest.push_back(std::move(line));
      if (static_cast<int>(newest.size()) > request.lines) newest.pop_front();
    }
    if (page->next_cursor) query.cursor = *page->next_cursor;
    if (end || !page->next_cursor || stop()) break;
  }
  if (!newest.empty()) sink({newest.begin(), newest.end()});
  if (!request.follow) return;

  query.wait_seconds = request.wait_seconds;
  while (!stop()) {
    auto page = fetcher.fetch(query);
    if (!page) return;
    if (!page->items.empty()) sink(page->items);
    if (page->next_cursor) query.cursor = *page->next_cursor;
  }
}

}  // namespace sixpn::commands
