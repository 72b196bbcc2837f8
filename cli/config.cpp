#include "cli/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include "cli/errors.hpp"
#include "cli/fly_services.hpp"
#include "core/toml.hpp"

namespace sixpn::cli {

namespace fs = std::filesystem;

namespace {
std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string first_nonempty(std::initializer_list<std::string> values) {
  for (const auto& v : values) {
    if (!v.empty()) return v;
  }
  return "";
}

[[noreturn]] void invalid_toml(const toml::parse_error& e, const char* what,
                               const std::string& source) {
  std::ostringstream msg;
  msg << what << " " << source << " is not valid TOML (line " << e.source().begin.line
      << "): " << e.description();
  throw UsageError(msg.str(), "fix or remove the file");
}

toml::table parse_toml_file(const fs::path& path, const char* what) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) {
    throw UsageError(std::string(what) + " " + path.string() + " is not a regular file",
                     "fix or remove it");
  }
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    invalid_toml(e, what, path.string());
  }
}

toml::table parse_toml_text(std::string_view text, const char* what, const std::string& source) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    invalid_toml(e, what, source);
  }
}

std::optional<std::string> string_key(const toml::table& t, const char* key,
                                      const std::string& source) {
  auto node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (auto s = node->value<std::string>(); s && node->is_string()) return *s;
  throw UsageError("key \"" + std::string(key) + "\" in " + source + " must be a string",
                   "fix or remove the file");
}

std::optional<bool> bool_key(const toml::table& t, const char* key, const std::string& source) {
  auto node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (node->is_boolean()) return node->value<bool>();
  throw UsageError("key \"" + std::string(key) + "\" in " + source + " must be true or false",
                   "fix or remove the file");
}

ConfigFile config_from(const toml::table& table, const std::string& source) {
  ConfigFile out;
  out.api_url = string_key(table, "api_url", source);
  out.token = string_key(table, "token", source);
  out.org = string_key(table, "org", source);
  out.ca_file = string_key(table, "ca_file", source);
  out.fingerprint = string_key(table, "fingerprint", source);
  out.insecure_http = bool_key(table, "insecure_http", source);
  return out;
}

bool env_flag(const char* name) {
  const std::string v = env(name);
  if (v.empty() || v == "0" || v == "false" || v == "no") return false;
  if (v == "1" || v == "true" || v == "yes") return true;
  throw UsageError(std::string(name) + "=" + v + " is not 1 or 0", "set it to 1, or unset it");
}

FlyToml fly_toml_from(const toml::table& table, const std::string& source) {
  FlyToml out;
  out.source = source;
  out.app = string_key(table, "app", source);
  if (auto http = table.get("http_service"); http && http->is_table()) {
    out.has_services = true;
    if (auto f = http->as_table()->get("force_https"); f && f->is_boolean()) {
      out.force_https = f->value<bool>().value_or(false);
    }
  }
  if (auto services = table.get("services");
      services && services->is_array() && !services->as_array()->empty()) {
    out.has_services = true;
  }
  auto services = fly_services_from(table, source);
  out.services = std::move(services.services);
  out.force_https_at = std::move(services.force_https_at);
  return out;
}
}  // namespace

fs::path config_dir() {
  if (auto dir = env("SIXPN_CONFIG_DIR"); !dir.empty()) return dir;
  if (auto xdg = env("XDG_CONFIG_HOME"); !xdg.empty()) return fs::path(xdg) / "sixpn";
  if (auto home = env("HOME"); !home.empty()) return fs::path(home) / ".config" / "sixpn";
  return fs::path(".sixpn");
}

fs::path config_file_path() {
  return config_dir() / "config.toml";
}

ConfigFile load_config_file(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  return config_from(parse_toml_file(path, "config file"), path.string());
}

ConfigFile parse_config_text(std::string_view text, const std::string& source) {
  return config_from(parse_toml_text(text, "config file", source), source);
}

std::string config_text(const ConfigFile& config) {
  toml::table t;
  if (config.api_url) t.insert("api_url", *config.api_url);
  if (config.token) t.insert("token", *config.token);
  if (config.org) t.insert("org", *config.org);
  if (config.ca_file) t.insert("ca_file", *config.ca_file);
  if (config.fingerprint) t.insert("fingerprint", *config.fingerprint);
  if (config.insecure_http) t.insert("insecure_http", *config.insecure_http);
  // Only basic "..." strings: toml++ may otherwise pick a multi-line literal string, and TOML
  // drops a newline right after its opening quotes, so a value starting with one would change.
  std::ostringstream text;
  text << toml::toml_formatter{t, toml::format_flags::allow_unicode_strings} << "\n";
  return text.str();
}

void save_config_file(const fs::path& path, const ConfigFile& config) {
  const auto dir = path.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Failure("cannot create " + dir.string() + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    throw Failure("cannot set mode 0700 on " + dir.string() + ": " + std::strerror(errno));
  }
  const std::string body = config_text(config);

  // Write a 0600 temp file and rename it over the old one: a crash never leaves half a file.
  fs::path tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Failure("cannot write " + tmp.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw Failure("cannot write " + path.string() + ": " + std::strerror(err));
  }
}

FlyToml load_fly_toml(const fs::path& path) {
  return fly_toml_from(parse_toml_file(path, "fly.toml"), path.string());
}

FlyToml parse_fly_toml_text(std::string_view text, const std::string& source) {
  return fly_toml_from(parse_toml_text(text, "fly.toml", source), source);
}

std::optional<FlyToml> fly_toml_of_app(const std::string& config_flag, const std::string& app) {
  fs::path path = config_flag.empty() ? fs::path("fly.toml") : fs::path(config_flag);
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  auto fly = load_fly_toml(path);
  if (fly.app && *fly.app != app) return std::nullopt;
  return fly;
}

Settings resolve_settings(const SettingFlags& flags) {
  ConfigFile file = load_config_file(config_file_path());
  Settings s;
  s.api_url = first_nonempty(
      {flags.api_url, env("SIXPN_API_URL"), file.api_url.value_or(""), kDefaultApiUrl});
  s.token = first_nonempty({flags.token, env("SIXPN_API_TOKEN"), file.token.value_or("")});
  s.org = first_nonempty({flags.org, env("SIXPN_ORG"), file.org.value_or("")});
  s.ca_file = first_nonempty({flags.ca_file, env("SIXPN_CA_FILE"), file.ca_file.value_or("")});
  // A pin belongs to the server it was taken from: another URL does not inherit it.
  s.fingerprint = flags.fingerprint;
  if (s.fingerprint.empty() && file.fingerprint && file.api_url == s.api_url) {
    s.fingerprint = *file.fingerprint;
  }
  s.insecure_http =
      flags.insecure_http || env_flag("SIXPN_INSECURE_HTTP") || file.insecure_http.value_or(false);
  s.app = first_nonempty({flags.app, env("SIXPN_APP")});
  if (s.app.empty()) {
    fs::path fly = flags.fly_toml.empty() ? fs::path("fly.toml") : fs::path(flags.fly_toml);
    std::error_code ec;
    if (fs::exists(fly, ec)) {
      s.app = load_fly_toml(fly).app.value_or("");
    } else if (!flags.fly_toml.empty()) {
      throw UsageError("config file " + flags.fly_toml + " does not exist");
    }
  }
  return s;
}

}  // namespace sixpn::cli
