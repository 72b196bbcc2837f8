#pragma once
// Where settings come from, strongest first: flags > environment (SIXPN_API_URL,
// SIXPN_API_TOKEN, SIXPN_ORG, SIXPN_APP, SIXPN_CA_FILE, SIXPN_INSECURE_HTTP) > config.toml >
// built-in defaults. The pinned fingerprint comes from `auth login --fingerprint` or from
// config.toml, where it counts only for the api_url saved with it.
// config.toml lives in $SIXPN_CONFIG_DIR, else $XDG_CONFIG_HOME/sixpn, else ~/.config/sixpn.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/machine_service.hpp"

namespace sixpn::cli {

inline constexpr const char* kDefaultApiUrl = "http://127.0.0.1:4280";

// What config.toml holds. Unknown keys are kept out of our way but not lost on rewrite.
struct ConfigFile {
  std::optional<std::string> api_url;
  std::optional<std::string> token;
  std::optional<std::string> org;
  std::optional<std::string> ca_file;      // a PEM CA file trusted besides the system's
  std::optional<std::string> fingerprint;  // "sha256:…", the pinned key of api_url's server
  std::optional<bool> insecure_http;       // a token may go over http:// beyond loopback
};

std::filesystem::path config_dir();
std::filesystem::path config_file_path();

// Missing file → empty ConfigFile. A file that is not valid TOML, or holds a key of the wrong
// type, is a UsageError naming the file and the line.
ConfigFile load_config_file(const std::filesystem::path& path);
// The same from text already read; `source` names it in errors. No I/O, so fuzzers call it.
ConfigFile parse_config_text(std::string_view text, const std::string& source);
// The TOML that save_config_file writes; parse_config_text reads it back unchanged.
std::string config_text(const ConfigFile& config);
// Writes atomically (temp file + rename) with mode 0600 in a directory of mode 0700.
void save_config_file(const std::filesystem::path& path, const ConfigFile& config);

// The `app` key of a fly.toml, and its services (cli/fly_services.hpp) for `machine run` and
// for what `ips allocate-v6` warns about.
struct FlyToml {
  std::string source;  // its path (or what named the text)
  std::optional<std::string> app;
  bool has_services = false;  // [[services]] or [http_service]
  bool force_https = false;   // http_service.force_https
  std::vector<api::MachineService> services;
  std::string force_https_at;  // the first key that sets force_https = true; "" when none
};
FlyToml load_fly_toml(const std::filesystem::path& path);
FlyToml parse_fly_toml_text(std::string_view text, const std::string& source);
// The fly.toml that -a resolution reads (-c's path, else ./fly.toml) when it exists and is
// `app`'s or names no app: a fly.toml of another app says nothing about this one.
std::optional<FlyToml> fly_toml_of_app(const std::string& config_flag, const std::string& app);

// Flags win over environment, environment over the file.
struct Settings {
  std::string api_url;
  std::string token;  // "" when none is configured
  std::string org;    // "" when not given
  std::string app;    // "" when not given
  std::string ca_file;
  std::string fingerprint;
  bool insecure_http = false;
};

struct SettingFlags {
  std::string api_url;
  std::string token;
  std::string org;
  std::string app;
  std::string fly_toml;  // -c/--config
  std::string ca_file;
  std::string fingerprint;  // auth login --fingerprint
  bool insecure_http = false;
};

Settings resolve_settings(const SettingFlags& flags);

}  // namespace sixpn::cli
