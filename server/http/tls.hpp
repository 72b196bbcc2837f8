#pragma once
// The API's TLS identity: a certificate (with its chain) and the private key that goes with it,
// loaded from PEM files or made self-signed, and a slot that handshakes read it from. A reload
// swaps the slot's pair; connections already open keep the session they have, and every
// handshake after the swap presents the new certificate.
#include <filesystem>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

typedef struct ssl_ctx_st SSL_CTX;

namespace sixpn::server::http {

struct TlsError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// An immutable certificate, chain and key, checked to belong together.
class TlsIdentity {
 public:
  // Throws TlsError naming the file and what is wrong with it.
  static std::shared_ptr<const TlsIdentity> load(const std::filesystem::path& cert_pem,
                                                 const std::filesystem::path& key_pem);
  ~TlsIdentity();
  TlsIdentity(const TlsIdentity&) = delete;
  TlsIdentity& operator=(const TlsIdentity&) = delete;

  // "sha256:" + lower-case hex of the SHA-256 of the certificate's DER SubjectPublicKeyInfo:
  // what `sixpn auth login --fingerprint` takes and what
  // `openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256`
  // prints. The key's hash, not the certificate's, so a renewed certificate for the same key
  // keeps its pin.
  const std::string& fingerprint() const { return fingerprint_; }

  // Sets this pair on one connection (an SSL*, passed opaquely); false when OpenSSL refuses.
  bool use_on(void* ssl) const;

 private:
  TlsIdentity() = default;
  struct Handles;
  std::unique_ptr<Handles> handles_;
  std::string fingerprint_;
};

// Makes a P-256 key and a self-signed certificate naming `names` (DNS names and IP addresses)
// unless both files already exist; both are written 0600 from their creation on. Returns
// whether it made them. Throws TlsError.
bool ensure_self_signed(const std::filesystem::path& cert_pem, const std::filesystem::path& key_pem,
                        const std::vector<std::string>& names);

// Where handshakes take the current identity from.
class TlsSlot {
 public:
  explicit TlsSlot(std::shared_ptr<const TlsIdentity> identity) : identity_(std::move(identity)) {}
  std::shared_ptr<const TlsIdentity> current() const {
    std::lock_guard lock(mutex_);
    return identity_;
  }
  void replace(std::shared_ptr<const TlsIdentity> next) {
    std::lock_guard lock(mutex_);
    identity_ = std::move(next);
  }

  // TLS 1.2 and later, no compression or renegotiation, no session resumption (a resumed
  // session would skip the certificate a reload just changed), and the certificate chosen per
  // handshake from this slot. The slot must outlive the context.
  bool configure(SSL_CTX& ctx);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const TlsIdentity> identity_;
};

}  // namespace sixpn::server::http
