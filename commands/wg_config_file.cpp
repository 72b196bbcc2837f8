#include "commands/wg_config_file.hpp"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

#include "cli/errors.hpp"
#include "core/names.hpp"

namespace sixpn::commands {

namespace fs = std::filesystem;

ConfigTarget parse_config_target(std::string_view arg) {
  if (arg == "stdout") return {true, {}};
  auto stem = core::config_file_stem(arg);
  if (!stem) {
    throw cli::UsageError("configuration file \"" + std::string(arg) + "\" must end in .conf",
                          "wg-quick loads <interface>.conf; or pass 'stdout' to print it");
  }
  if (auto problem = core::interface_name_problem(*stem); !problem.empty()) {
    std::string dir = fs::path(std::string(arg)).parent_path().string();
    std::string suggestion = (dir.empty() ? "" : dir + "/") + core::suggest_interface_name(*stem);
    throw cli::UsageError(
        "file name \"" + std::string(arg) + "\" will not load: " + problem,
        "the file's stem becomes the interface name; try " + suggestion + ".conf");
  }
  return {false, fs::path(std::string(arg))};
}

std::string default_config_file(std::string_view peer_name) {
  std::string stem(peer_name);
  if (!core::interface_name_problem(stem).empty()) stem = core::suggest_interface_name(stem);
  return stem + ".conf";
}

ClaimedFile ClaimedFile::claim(const fs::path& path, bool replace) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) throw cli::UsageError(path.string() + " is a directory");
    if (!replace) {
      throw cli::Conflict(path.string() + " already exists; not overwriting it",
                          "choose another file name, or pass --force to replace it");
    }
  }
  fs::path written = path;
  if (replace) {
    written += ".tmp." + std::to_string(::getpid());
  }
  int fd = ::open(written.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    int err = errno;
    if (err == EEXIST && !replace) {
      throw cli::Conflict(path.string() + " already exists; not overwriting it",
                          "choose another file name, or pass --force to replace it");
    }
    throw cli::Failure("cannot create " + written.string() + ": " + std::strerror(err));
  }
  // The umask may only have removed bits; make sure no group or world bit survives either.
  ::fchmod(fd, 0600);
  return ClaimedFile(path, written, fd, replace);
}

ClaimedFile::ClaimedFile(ClaimedFile&& o) noexcept
    : target_(std::move(o.target_)),
      written_(std::move(o.written_)),
      fd_(o.fd_),
      replace_(o.replace_),
      committed_(o.committed_) {
  o.fd_ = -1;
  o.committed_ = true;  // the moved-from object owns nothing to clean up
}

ClaimedFile::~ClaimedFile() {
  if (!committed_) abandon();
}

void ClaimedFile::abandon() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  ::unlink(written_.c_str());
}

void ClaimedFile::commit(std::string_view text) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd_, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      throw cli::Failure("cannot write " + written_.string() + ": " + std::strerror(errno));
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd_) != 0 || ::close(fd_) != 0) {
    int err = errno;
    fd_ = -1;
    throw cli::Failure("cannot write " + written_.string() + ": " + std::strerror(err));
  }
  fd_ = -1;
  if (replace_ && ::rename(written_.c_str(), target_.c_str()) != 0) {
    throw cli::Failure("cannot replace " + target_.string() + ": " + std::strerror(errno));
  }
  committed_ = true;
}

std::string default_peer_name(std::string_view host, std::string_view random_hex) {
  std::string clean;
  for (unsigned char c : host) {
    if (c == '.') break;  // the short host name is enough to recognise the machine
    char out = std::isalnum(c) ? static_cast<char>(std::tolower(c)) : '-';
    if (out == '-' && (clean.empty() || clean.back() == '-')) continue;
    clean += out;
  }
  const std::string prefix = "interactive-";
  const std::size_t room = core::kMaxDnsLabel - prefix.size() - 1 - random_hex.size();
  if (clean.size() > room) clean.resize(room);
  while (!clean.empty() && clean.back() == '-') clean.pop_back();
  return prefix + (clean.empty() ? "" : clean + "-") + std::string(random_hex);
}

std::string generate_peer_name() {
  char host[HOST_NAME_MAX + 1] = {0};
  if (::gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  unsigned char raw[4];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return default_peer_name(host, hex);
}

}  // namespace sixpn::commands
