#pragma once
// A machine's stdout and stderr as the host keeps them: one line per record,
//   2026-12-01T10:11:12.345Z stdout hello
// in a file that is rotated at a size cap (the current file and one older, `<path>.1`), so a
// chatty machine can never fill the host's disk. `sixpn logs` reads these records and adds the
// machine id; the timestamp is when the host read the line, as Fly's log shipper stamps it.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sixpn::host {

enum class Stream { Stdout, Stderr };

// "2026-12-01T10:11:12.345Z": UTC, milliseconds.
std::string rfc3339_millis(std::chrono::system_clock::time_point when);

// Cuts a stream of bytes into lines and stamps each complete one. A line longer than
// kMaxLineBytes is cut there (the rest continues as a new record), so one record is bounded.
class LineStamper {
 public:
  static constexpr std::size_t kMaxLineBytes = 16 * 1024;

  explicit LineStamper(Stream stream) : stream_(stream) {}
  // The records completed by `bytes`, each ending in '\n'.
  std::vector<std::string> feed(std::string_view bytes, std::chrono::system_clock::time_point now);
  // At end of stream: the unterminated rest, if any, as a record.
  std::optional<std::string> finish(std::chrono::system_clock::time_point now);

 private:
  std::string record(std::string_view text, std::chrono::system_clock::time_point now) const;
  Stream stream_;
  std::string partial_;
};

// Appends records to `path` (created 0600: a machine's output may hold its secrets) and, when
// the next record would take the file past `max_bytes`, renames it to `<path>.1` (replacing
// the older one) and starts a new file. Throws std::system_error when the file cannot be
// opened or written.
class RotatingLog {
 public:
  RotatingLog(std::string path, std::uint64_t max_bytes);
  ~RotatingLog();
  RotatingLog(const RotatingLog&) = delete;
  RotatingLog& operator=(const RotatingLog&) = delete;

  void append(std::string_view record);

 private:
  void open_current();
  std::string path_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  int fd_ = -1;
};

struct LogRecord {
  std::string timestamp;
  Stream stream = Stream::Stdout;
  std::string text;  // without the '\n'
};

// One record, or nullopt for a line that is not of the form above.
std::optional<LogRecord> parse_log_record(std::string_view line);

}  // namespace sixpn::host
