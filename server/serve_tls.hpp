#pragma once
// `sixpnd serve`'s TLS flags: which certificate and key files to serve (given, or self-signed in
// the state directory), loading them at start and again on SIGHUP.
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "server/commands.hpp"
#include "server/hostport.hpp"
#include "server/http/tls.hpp"

namespace sixpn::server {

// --state-dir, else the directory of --db: where the self-signed pair and the embedded host's
// directory live.
std::filesystem::path serve_state_dir(const ServeOptions& options);

class ServeTls {
 public:
  // nullopt with `exit_code` and a printed "Error: …" line when the flags or files are wrong;
  // a ServeTls without a slot when TLS is off.
  static std::optional<ServeTls> setup(const ServeOptions& options, const HostPort& listen,
                                       int& exit_code);

  // nullptr when serving plain HTTP.
  const std::shared_ptr<http::TlsSlot>& slot() const { return slot_; }
  const char* scheme() const { return slot_ ? "https" : "http"; }
  // The current pair's public key pin ("sha256:…"), "" when serving plain HTTP.
  std::string fingerprint() const { return slot_ ? slot_->current()->fingerprint() : ""; }

  // SIGHUP: reads the files again; a pair that does not load leaves the current one in place.
  // Logs one line either way.
  void reload();

 private:
  std::filesystem::path cert_;
  std::filesystem::path key_;
  std::shared_ptr<http::TlsSlot> slot_;
};

}  // namespace sixpn::server
