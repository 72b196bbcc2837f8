#pragma once
// `sixpn logs`: reading an app's log lines page by page, the last N of what is kept and then,
// when following, each new line as the server hands it over (long-polls). The lines go to a
// callback, so tests run the loop against a local server and see exactly what is printed.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "api/client.hpp"

namespace sixpn::commands {

// flyctl's layout, with the stream as the level:
// "2026-12-01T09:00:00.123Z app[0e286e5d2c3a47] ams [info] listening on :8080"
// ("[stderr]" for what the machine wrote to stderr). Control characters are flattened, so one
// log line is one line of output.
std::string format_log_line(const api::LogLine& line);

// One NDJSON record: the API's LogLine document, compact, with a newline.
std::string log_line_json(const api::LogLine& line);

struct LogsRequest {
  std::string app;
  std::string machine_id;    // "": every machine of the app
  int lines = 100;           // of those kept, the newest this many (0: none, only new ones)
  bool follow = false;
  int wait_seconds = 30;     // each long-poll while following
  int page_limit = 1000;     // the API's largest page
  // While following, a request that fails in passing (see is_passing_failure) is tried again
  // from the same cursor after this delay, doubling up to reconnect_max.
  std::chrono::milliseconds reconnect_first{std::chrono::seconds(1)};
  std::chrono::milliseconds reconnect_max{std::chrono::seconds(10)};
};

using LogSink = std::function<void(const std::vector<api::LogLine>&)>;
// Told one sentence when the control plane stops answering and one when it answers again.
using LogNotice = std::function<void(const std::string&)>;

// True for a failure that a later try may not meet: no answer at all (sixpnd restarting, the
// network down), 429 or a 5xx. An answer that refuses (401, 404, …), a TLS certificate that
// does not verify and an interruption are final.
bool is_passing_failure(const api::ClientError& error);

// The wait before the next try after one more failure: `first`, then doubling up to `max`.
std::chrono::milliseconds next_reconnect_delay(std::optional<std::chrono::milliseconds> previous,
                                               std::chrono::milliseconds first,
                                               std::chrono::milliseconds max);

// Hands the newest `lines` kept lines to `sink` (oldest first, in one call), then, when
// following, every later line in order as it arrives, until `stop` says so (checked after
// every answer; Ctrl-C ends a poll at once through the client's own cancel hook). When
// following, passing failures are retried from the last cursor, so no line is lost or handed
// over twice; `notice` hears of each outage once, and of its end.
void stream_logs(api::Client& client, const LogsRequest& request, const LogSink& sink,
                 const std::function<bool()>& stop, const LogNotice& notice = {});

}  // namespace sixpn::commands
