#include "host/machine_log.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <system_error>

namespace sixpn::host {

namespace {
const char* stream_name(Stream stream) {
  return stream == Stream::Stdout ? "stdout" : "stderr";
}

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}
}  // namespace

std::string rfc3339_millis(std::chrono::system_clock::time_point when) {
  using namespace std::chrono;
  auto millis = duration_cast<milliseconds>(when.time_since_epoch()).count();
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char date[24];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &utc);
  char text[32];
  std::snprintf(text, sizeof text, "%s.%03dZ", date, static_cast<int>(millis % 1000));
  return text;
}

std::string LineStamper::record(std::string_view text,
                                std::chrono::system_clock::time_point now) const {
  std::string out = rfc3339_millis(now);
  out += ' ';
  out += stream_name(stream_);
  out += ' ';
  out += text;
  out += '\n';
  return out;
}

std::vector<std::string> LineStamper::feed(std::string_view bytes,
                                           std::chrono::system_clock::time_point now) {
  std::vector<std::string> out;
  while (!bytes.empty()) {
    auto newline = bytes.find('\n');
    std::size_t room = kMaxLineBytes - partial_.size();
    if (newline != std::string_view::npos && newline <= room) {
      partial_.append(bytes.substr(0, newline));
      out.push_back(record(partial_, now));
      partial_.clear();
      bytes.remove_prefix(newline + 1);
    } else if (bytes.size() > room) {
      partial_.append(bytes.substr(0, room));
      out.push_back(record(partial_, now));
      partial_.clear();
      bytes.remove_prefix(room);
    } else {
      partial_.append(bytes);
      break;
    }
  }
  return out;
}

std::optional<std::string> LineStamper::finish(std::chrono::system_clock::time_point now) {
  if (partial_.empty()) return std::nullopt;
  auto out = record(partial_, now);
  partial_.clear();
  return out;
}

RotatingLog::RotatingLog(std::string path, std::uint64_t max_bytes)
    : path_(std::move(path)), max_bytes_(max_bytes) {
  open_current();
}

RotatingLog::~RotatingLog() {
  if (fd_ >= 0) ::close(fd_);
}

void RotatingLog::open_current() {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw_errno("cannot open " + path_);
  struct stat st {};
  if (::fstat(fd_, &st) != 0) throw_errno("cannot stat " + path_);
  size_ = static_cast<std::uint64_t>(st.st_size);
}

void RotatingLog::append(std::string_view record) {
  if (size_ > 0 && size_ + record.size() > max_bytes_) {
    ::close(fd_);
    fd_ = -1;
    if (::rename(path_.c_str(), (path_ + ".1").c_str()) != 0) throw_errno("cannot rotate " + path_);
    open_current();
  }
  while (!record.empty()) {
    ssize_t n = ::write(fd_, record.data(), record.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("cannot write " + path_);
    }
    size_ += static_cast<std::uint64_t>(n);
    record.remove_prefix(static_cast<std::size_t>(n));
  }
}

std::optional<LogRecord> parse_log_record(std::string_view line) {
  if (!line.empty() && line.back() == '\n') line.remove_suffix(1);
  constexpr std::size_t kStampLength = 24;  // 2026-12-01T10:11:12.345Z
  if (line.size() < kStampLength + 8 || line[kStampLength] != ' ' ||
      line[kStampLength - 1] != 'Z' || line[10] != 'T') {
    return std::nullopt;
  }
  LogRecord out;
  out.timestamp = std::string(line.substr(0, kStampLength));
  auto stream = line.substr(kStampLength + 1, 6);
  if (stream == "stdout") {
    out.stream = Stream::Stdout;
  } else if (stream == "stderr") {
    out.stream = Stream::Stderr;
  } else {
    return std::nullopt;
  }
  if (line[kStampLength + 7] != ' ') return std::nullopt;
  out.text = std::string(line.substr(kStampLength + 8));
  return out;
}

}  // namespace sixpn::host
