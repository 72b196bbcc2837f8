#pragma once
// What `sixpnd host` keeps in its state directory between runs, besides its machines:
//   <state>/                 0700
//     wireguard.key          0600, the host's WireGuard private key (base64), made here once
//     credential             0600, the host credential from the registration answer
//     host.json              0600, the registration answer's host (id, name, region, …)
// Secrets are created with O_EXCL, so a second agent racing on the same directory, or a file
// planted there beforehand, is never overwritten or followed.
#include <optional>
#include <stdexcept>
#include <string>

#include "api/host_types.hpp"
#include "core/keys.hpp"

namespace sixpn::host {

// A file of the state directory is unusable (unreadable, malformed, too open).
struct StateDirError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class AgentStateDir {
 public:
  // Creates the directory (0700) when missing and makes an existing one 0700.
  explicit AgentStateDir(std::string path);

  const std::string& path() const { return path_; }

  // The kept private key, or a new one written 0600 with O_EXCL. `created` says which.
  core::PrivateKey load_or_make_key(bool* created = nullptr) const;

  // The kept credential and registration answer; nullopt before the host has registered.
  std::optional<std::string> credential() const;
  std::optional<api::Host> registration() const;
  // Keeps both after a registration (the credential with O_EXCL: a host registers once).
  void keep_registration(const api::HostRegistered& answer) const;

 private:
  std::string file(const char* name) const { return path_ + "/" + name; }
  std::string path_;
};

// Creates `path` 0600 with O_EXCL and writes `text`; false (nothing written) when it exists.
// Throws StateDirError on any other failure.
bool create_secret_file(const std::string& path, const std::string& text);
// Replaces `path` atomically (a temporary file renamed over it), 0600.
void replace_file(const std::string& path, const std::string& text);
// The whole file, or nullopt when it does not exist; throws StateDirError when unreadable.
std::optional<std::string> read_file_if_exists(const std::string& path);

}  // namespace sixpn::host
