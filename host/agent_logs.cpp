#include "host/agent_logs.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <fstream>

#include "net/fd.hpp"

namespace sixpn::host {

namespace {
std::optional<LogFileInfo> info_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return LogFileInfo{static_cast<std::uint64_t>(st.st_ino), static_cast<std::uint64_t>(st.st_size)};
}

// Up to `max` bytes of `path` from `from`, checking it is still the file of `inode` (it may
// have been rotated between the look and the read).
std::optional<std::string> read_span(const std::string& path, const LogSpan& span,
                                     std::size_t max) {
  net::Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || static_cast<std::uint64_t>(st.st_ino) != span.inode) {
    return std::nullopt;
  }
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(span.to - span.from, max));
  std::string out(want, '\0');
  std::size_t got = 0;
  while (got < want) {
    ssize_t n =
        ::pread(fd.get(), out.data() + got, want - got, static_cast<off_t>(span.from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  out.resize(got);
  return out;
}
}  // namespace

std::vector<LogSpan> plan_log_reads(const LogCursor& cursor,
                                    const std::optional<LogFileInfo>& current,
                                    const std::optional<LogFileInfo>& older) {
  std::vector<LogSpan> out;
  auto whole = [](const LogFileInfo& file, bool is_older) {
    return LogSpan{is_older, file.inode, 0, file.size};
  };
  if (current && cursor.inode == current->inode) {
    std::uint64_t from = cursor.offset <= current->size ? cursor.offset : 0;
    if (from < current->size) out.push_back({false, current->inode, from, current->size});
    return out;
  }
  if (older) {
    std::uint64_t from =
        cursor.inode == older->inode && cursor.offset <= older->size ? cursor.offset : 0;
    if (from < older->size) out.push_back({true, older->inode, from, older->size});
  }
  if (current && current->size > 0) out.push_back(whole(*current, false));
  return out;
}

SplitRecords split_records(std::string_view bytes) {
  SplitRecords out;
  for (;;) {
    auto newline = bytes.find('\n', out.consumed);
    if (newline == std::string_view::npos) break;
    auto line = bytes.substr(out.consumed, newline - out.consumed);
    if (auto record = parse_log_record(line)) out.records.push_back(std::move(*record));
    out.consumed = newline + 1;
  }
  return out;
}

NewRecords read_new_records(const std::string& log_path, const LogCursor& cursor,
                            std::size_t max_bytes) {
  NewRecords out;
  out.next = cursor;
  const auto current = info_of(log_path);
  const auto older = info_of(log_path + ".1");
  std::size_t budget = max_bytes;
  for (const auto& span : plan_log_reads(cursor, current, older)) {
    if (budget == 0) break;
    auto bytes = read_span(span.older ? log_path + ".1" : log_path, span, budget);
    if (!bytes) break;  // rotated under us: the next round sees the new layout
    auto split = split_records(*bytes);
    for (auto& record : split.records) out.records.push_back(std::move(record));
    out.next = {span.inode, span.from + split.consumed};
    budget -= std::min(budget, bytes->size());
    // A partial line in a rotated file will never be completed: step over it.
    if (span.older && split.consumed < bytes->size() && bytes->size() == span.to - span.from) {
      out.next.offset = span.to;
    }
    if (out.next.offset < span.to) break;  // the rest waits for the next read
  }
  return out;
}

LogCursor load_log_cursor(const std::string& path) {
  std::ifstream in(path);
  LogCursor cursor;
  if (!(in >> cursor.inode >> cursor.offset)) return {};
  return cursor;
}

bool save_log_cursor(const std::string& path, const LogCursor& cursor) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << cursor.inode << ' ' << cursor.offset << '\n';
    out.close();
    if (!out) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace sixpn::host
