#include "host/agent_state.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "net/fd.hpp"

namespace sixpn::host {

namespace {
namespace fs = std::filesystem;

constexpr const char* kKeyFile = "wireguard.key";
constexpr const char* kCredentialFile = "credential";
constexpr const char* kHostFile = "host.json";

[[noreturn]] void fail_errno(const std::string& what) {
  throw StateDirError(what + ": " + std::strerror(errno));
}

void write_all(int fd, const std::string& text, const std::string& path) {
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot write " + path);
    done += static_cast<std::size_t>(n);
  }
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

// A secret readable by others is one that may have leaked: refuse it rather than use it.
void check_private(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) fail_errno("cannot stat " + path);
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 0777));
    throw StateDirError(path + " is open to others (mode " + mode + "); make it 0600");
  }
}
}  // namespace

bool create_secret_file(const std::string& path, const std::string& text) {
  net::Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (fd.get() < 0) {
    if (errno == EEXIST) return false;
    fail_errno("cannot create " + path);
  }
  write_all(fd.get(), text, path);
  if (::fsync(fd.get()) != 0) fail_errno("cannot write " + path);
  return true;
}

void replace_file(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  {
    net::Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (fd.get() < 0) fail_errno("cannot create " + tmp);
    write_all(fd.get(), text, tmp);
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) fail_errno("cannot replace " + path);
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
  net::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    fail_errno("cannot read " + path);
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_errno("cannot read " + path);
    if (n == 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

AgentStateDir::AgentStateDir(std::string path) : path_(std::move(path)) {
  std::error_code ec;
  fs::create_directories(path_, ec);
  if (ec) throw StateDirError("cannot create the state directory " + path_ + ": " + ec.message());
  if (::chmod(path_.c_str(), 0700) != 0) fail_errno("cannot make " + path_ + " 0700");
}

core::PrivateKey AgentStateDir::load_or_make_key(bool* created) const {
  const std::string path = file(kKeyFile);
  if (created) *created = false;
  auto text = read_file_if_exists(path);
  if (!text) {
    auto key = core::PrivateKey::generate();
    core::SecretString encoded(key.base64() + "\n");
    if (create_secret_file(path, encoded.view())) {
      if (created) *created = true;
      return key;
    }
    text = read_file_if_exists(path);  // another agent made it first: use that one
    if (!text) throw StateDirError(path + " vanished while it was read");
  }
  core::SecretString kept(trimmed(std::move(*text)));
  check_private(path);
  auto key = core::PrivateKey::from_base64(kept.view());
  if (!key) throw StateDirError(path + " does not hold a WireGuard private key");
  return std::move(*key);
}

std::optional<std::string> AgentStateDir::credential() const {
  const std::string path = file(kCredentialFile);
  auto text = read_file_if_exists(path);
  if (!text) return std::nullopt;
  check_private(path);
  auto credential = trimmed(std::move(*text));
  if (credential.empty()) throw StateDirError(path + " is empty");
  return credential;
}

std::optional<api::Host> AgentStateDir::registration() const {
  const std::string path = file(kHostFile);
  auto text = read_file_if_exists(path);
  if (!text) return std::nullopt;
  try {
    return nlohmann::json::parse(*text).get<api::Host>();
  } catch (const std::exception& e) {
    throw StateDirError(path + " is not a host document: " + e.what());
  }
}

void AgentStateDir::keep_registration(const api::HostRegistered& answer) const {
  if (!create_secret_file(file(kCredentialFile), answer.credential + "\n")) {
    throw StateDirError(file(kCredentialFile) + " exists already: this host has registered");
  }
  replace_file(file(kHostFile), nlohmann::json(answer.host).dump(2) + "\n");
}

}  // namespace sixpn::host
