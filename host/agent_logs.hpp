#pragma once
// Shipping a machine's log records (machine_log.hpp) to the control plane: which bytes of
// `machine.log` and `machine.log.1` are new since the last batch that was sent, remembered as
// a cursor (the file's inode and an offset) in the machine's directory, so an agent that
// restarts sends on from there and not everything again. Delivery is at least once: the
// cursor moves only after the control plane took the batch.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "host/machine_log.hpp"

namespace sixpn::host {

struct LogCursor {
  std::uint64_t inode = 0;  // the file the offset is in; 0 before anything was sent
  std::uint64_t offset = 0;
  bool operator==(const LogCursor&) const = default;
};

struct LogFileInfo {
  std::uint64_t inode = 0;
  std::uint64_t size = 0;
};

// A byte range of one of the two files.
struct LogSpan {
  bool older = false;  // machine.log.1 rather than machine.log
  std::uint64_t inode = 0;
  std::uint64_t from = 0, to = 0;
  bool operator==(const LogSpan&) const = default;
};

// The spans not yet sent, oldest first. The cursor's file is the current one (read on from
// the offset; from 0 if it shrank), or the rotated one (its rest, then all of the current
// one); a cursor in neither (rotated twice meanwhile, or nothing sent yet) starts at the
// oldest file there is.
std::vector<LogSpan> plan_log_reads(const LogCursor& cursor,
                                    const std::optional<LogFileInfo>& current,
                                    const std::optional<LogFileInfo>& older);

// The complete records at the start of `bytes`, and how many bytes they took; a partial last
// line stays for the next read. Lines that are not records are skipped (but consumed).
struct SplitRecords {
  std::vector<LogRecord> records;
  std::size_t consumed = 0;
};
SplitRecords split_records(std::string_view bytes);

// Reads the records after `cursor` from `log_path` and its `.1`, at most about `max_bytes`;
// `next` is the cursor to keep once they have been delivered. Missing files are no records.
struct NewRecords {
  std::vector<LogRecord> records;
  LogCursor next;
};
NewRecords read_new_records(const std::string& log_path, const LogCursor& cursor,
                            std::size_t max_bytes);

// The cursor kept at `path` ("<inode> <offset>\n"); a zero cursor when missing or malformed.
LogCursor load_log_cursor(const std::string& path);
// Keeps it (atomically); false when it cannot (the machine's directory is gone).
bool save_log_cursor(const std::string& path, const LogCursor& cursor);

}  // namespace sixpn::host
