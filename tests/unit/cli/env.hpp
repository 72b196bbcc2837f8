#pragma once
// Sets environment variables for one test and puts the old values back afterwards; also points
// SIXPN_CONFIG_DIR at a fresh directory so no test reads a real config.toml.
#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace sixpn::testing {

class ScopedEnv {
 public:
  ScopedEnv() {
    dir_ = std::filesystem::temp_directory_path() /
           ("sixpn-unit-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
    std::filesystem::create_directories(dir_);
    for (const char* name :
         {"SIXPN_API_URL", "SIXPN_API_TOKEN", "SIXPN_ORG", "SIXPN_APP", "SIXPN_WG_REGION",
          "SIXPN_CONFIG_DIR", "SIXPN_CA_FILE", "SIXPN_INSECURE_HTTP", "CI"}) {
      unset(name);
    }
    set("SIXPN_CONFIG_DIR", (dir_ / "config").string());
  }
  ~ScopedEnv() {
    for (const auto& [name, value] : saved_) {
      if (value) {
        ::setenv(name.c_str(), value->c_str(), 1);
      } else {
        ::unsetenv(name.c_str());
      }
    }
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

  void set(const std::string& name, const std::string& value) {
    remember(name);
    ::setenv(name.c_str(), value.c_str(), 1);
  }
  void unset(const std::string& name) {
    remember(name);
    ::unsetenv(name.c_str());
  }
  const std::filesystem::path& dir() const { return dir_; }

 private:
  static int& counter() {
    static int n = 0;
    return n;
  }
  void remember(const std::string& name) {
    if (saved_.count(name)) return;
    const char* v = std::getenv(name.c_str());
    saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
  }
  std::filesystem::path dir_;
  std::map<std::string, std::optional<std::string>> saved_;
};

}  // namespace sixpn::testing
