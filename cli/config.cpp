#include "cli/config.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>

#include <toml++/toml.h>

#include "cli/errors.hpp"

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

toml::table parse_toml_file(const fs::path& path, const char* what) {
  try {
    return toml::parse_file(path.string());
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << what << " " << path.string() << " is not valid TOML (line " << e.source().begin.line
        << "): " << e.description();
    throw UsageError(msg.str(), "fix or remove the file");
  }
}

std::optional<std::string> string_key(const toml::table& t, const char* key, const fs::path& path) {
  auto node = t.get(key);
  if (node == nullptr) return std::nullopt;
  if (auto s = node->value<std::string>(); s && node->is_string()) return *s;
  throw UsageError("key \"" + std::string(key) + "\" in " + path.string() + " must be a string",
                   "fix or remove the file");
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
  auto table = parse_toml_file(path, "config file");
  ConfigFile out;
  out.api_url = string_key(table, "api_url", path);
  out.token = string_key(table, "token", path);
  out.org = string_key(table, "org", path);
  return out;
}

void save_config_file(const fs::path& path, const ConfigFile& config) {
  const auto dir = path.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw Failure("cannot create " + dir.string() + ": " + ec.message());
  if (::chmod(dir.c_str(), 0700) != 0) {
    throw Failure("cannot set mode 0700 on " + dir.string() + ": " + std::strerror(errno));
  }
  toml::table t;
  if (config.api_url) t.insert("api_url", *config.api_url);
  if (config.token) t.insert("token", *config.token);
  if (config.org) t.insert("org", *config.org);
  std::ostringstream text;
  text << t << "\n";
  const std::string body = text.str();

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
  FlyToml out;
  auto table = parse_toml_file(path, "fly.toml");
  out.app = string_key(table, "app", path);
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
  return out;
}

Settings resolve_settings(const SettingFlags& flags) {
  ConfigFile file = load_config_file(config_file_path());
  Settings s;
  s.api_url = first_nonempty(
      {flags.api_url, env("SIXPN_API_URL"), file.api_url.value_or(""), kDefaultApiUrl});
  s.token = first_nonempty({flags.token, env("SIXPN_API_TOKEN"), file.token.value_or("")});
  s.org = first_nonempty({flags.org, env("SIXPN_ORG"), file.org.value_or("")});
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
