#include "server/serve_tls.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <vector>

#include "server/store/pg_db.hpp"
#include "server/util.hpp"

namespace sixpn::server {

namespace fs = std::filesystem;

namespace {
int error(int code, const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return code;
}

// The names a client may reach this server by without naming it itself: loopback, the
// machine's name and the --listen address unless it is a wildcard.
std::vector<std::string> self_signed_names(const HostPort& listen) {
  std::vector<std::string> names{"localhost", "127.0.0.1", "::1"};
  char host[HOST_NAME_MAX + 1] = {0};
  if (gethostname(host, sizeof host - 1) == 0 && host[0] != '\0') names.emplace_back(host);
  if (listen.host != "0.0.0.0" && listen.host != "::" && !listen.host.empty()) {
    names.push_back(listen.host);
  }
  return names;
}
}  // namespace

fs::path serve_state_dir(const ServeOptions& options) {
  if (!options.state_dir.empty()) return options.state_dir;
  // A PostgreSQL URL names no directory: the working one, as for a bare file name.
  if (store::pg::is_postgres_url(options.db)) return fs::path(".");
  fs::path parent = fs::path(options.db).parent_path();
  return parent.empty() ? fs::path(".") : parent;
}

std::optional<ServeTls> ServeTls::setup(const ServeOptions& options, const HostPort& listen,
                                        int& exit_code) {
  ServeTls tls;
  const bool given = !options.tls_cert.empty() || !options.tls_key.empty();
  if (given && options.tls_self_signed) {
    exit_code =
        error(kExitUsage, "--tls-self-signed makes its own pair; drop --tls-cert/--tls-key");
    return std::nullopt;
  }
  if (given && (options.tls_cert.empty() || options.tls_key.empty())) {
    exit_code = error(kExitUsage, "--tls-cert and --tls-key go together: pass both");
    return std::nullopt;
  }
  if (!given && !options.tls_self_signed) return tls;
  try {
    if (options.tls_self_signed) {
      const fs::path dir = serve_state_dir(options);
      std::error_code ec;
      if (!fs::is_directory(dir, ec)) {
        if (::mkdir(dir.c_str(), 0700) != 0) {
          exit_code = error(kExitFailure, "cannot create the state directory " + dir.string() +
                                              ": " + std::strerror(errno));
          return std::nullopt;
        }
      }
      tls.cert_ = dir / "tls-cert.pem";
      tls.key_ = dir / "tls-key.pem";
      bool made = http::ensure_self_signed(tls.cert_, tls.key_, self_signed_names(listen));
      std::fprintf(stderr, "sixpnd: %s self-signed certificate %s (key %s)\n",
                   made ? "made a" : "using the", tls.cert_.c_str(), tls.key_.c_str());
    } else {
      tls.cert_ = options.tls_cert;
      tls.key_ = options.tls_key;
    }
    auto identity = http::TlsIdentity::load(tls.cert_, tls.key_);
    std::fprintf(stderr, "sixpnd: TLS public key fingerprint %s\n",
                 identity->fingerprint().c_str());
    tls.slot_ = std::make_shared<http::TlsSlot>(std::move(identity));
  } catch (const http::TlsError& e) {
    exit_code = error(kExitFailure, std::string("TLS: ") + e.what());
    return std::nullopt;
  }
  return tls;
}

void ServeTls::reload() {
  if (!slot_) {
    std::fprintf(stderr, "%s sixpnd: SIGHUP received; no TLS pair to reload\n",
                 now_rfc3339().c_str());
    return;
  }
  try {
    auto identity = http::TlsIdentity::load(cert_, key_);
    std::fprintf(stderr, "%s sixpnd: SIGHUP: reloaded %s, public key fingerprint %s\n",
                 now_rfc3339().c_str(), cert_.c_str(), identity->fingerprint().c_str());
    slot_->replace(std::move(identity));
  } catch (const http::TlsError& e) {
    std::fprintf(stderr, "%s sixpnd: SIGHUP: keeping the current TLS pair: %s\n",
                 now_rfc3339().c_str(), e.what());
  }
}

}  // namespace sixpn::server
