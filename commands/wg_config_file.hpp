#pragma once
// Where `wireguard create` puts the configuration, checked and claimed before the peer exists.
#include <filesystem>
#include <string>
#include <string_view>

namespace sixpn::commands {

struct ConfigTarget {
  bool to_stdout = false;
  std::filesystem::path path;  // empty when to_stdout
};

// "stdout", or a path ending in .conf whose stem is a valid wg-quick interface name. Anything
// else is a UsageError that names the rule and suggests a name that passes it.
ConfigTarget parse_config_target(std::string_view arg);

// The default file name offered for a peer: <name>.conf, shortened when the peer name is too
// long to be an interface name.
std::string default_config_file(std::string_view peer_name);

// Claims the output file: without `replace` the file itself is created with O_EXCL (an existing
// file, even a dangling symlink, is refused); with `replace` a temporary file beside it is
// created and later renamed over it. Either way the file has mode 0600 from the start, and an
// unwritable directory is found before anything happens on the server. Until commit(), the
// destructor removes whatever was created.
class ClaimedFile {
 public:
  static ClaimedFile claim(const std::filesystem::path& path, bool replace);
  ClaimedFile(ClaimedFile&& other) noexcept;
  ClaimedFile& operator=(ClaimedFile&&) = delete;
  ClaimedFile(const ClaimedFile&) = delete;
  ClaimedFile& operator=(const ClaimedFile&) = delete;
  ~ClaimedFile();

  // Writes the whole text, flushes it to disk and puts it in place. Throws cli::Failure.
  void commit(std::string_view text);
  const std::filesystem::path& path() const { return target_; }

 private:
  ClaimedFile(std::filesystem::path target, std::filesystem::path written, int fd, bool replace)
      : target_(std::move(target)), written_(std::move(written)), fd_(fd), replace_(replace) {}
  void abandon() noexcept;

  std::filesystem::path target_;
  std::filesystem::path written_;  // == target_ unless replacing
  int fd_ = -1;
  bool replace_ = false;
  bool committed_ = false;
};

// "interactive-<host>-<8 hex>", shortened to a valid DNS label; `host` is cleaned to [a-z0-9-].
std::string default_peer_name(std::string_view host, std::string_view random_hex);
// The same with this machine's host name and fresh randomness.
std::string generate_peer_name();

}  // namespace sixpn::commands
