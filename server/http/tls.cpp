#include "server/http/tls.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>

namespace sixpn::server::http {

namespace fs = std::filesystem;

namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using KeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using BnPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
void free_chain(STACK_OF(X509) * chain) {
  sk_X509_pop_free(chain, X509_free);
}
using ChainPtr = std::unique_ptr<STACK_OF(X509), Deleter<free_chain>>;

// The newest error on OpenSSL's queue as one phrase; the queue is emptied either way.
std::string openssl_reason() {
  unsigned long code = ERR_peek_last_error();
  ERR_clear_error();
  if (code == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(code);
  return reason ? reason : "OpenSSL error " + std::to_string(code);
}

[[noreturn]] void fail(const std::string& what) {
  throw TlsError(what + ": " + openssl_reason());
}

BioPtr open_for_reading(const fs::path& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) throw TlsError("cannot read " + path.string() + ": " + std::strerror(errno));
  return bio;
}

// No passphrase prompt: sixpnd runs unattended, so an encrypted key is an error, not a question.
int no_passphrase(char*, int, int, void*) {
  return 0;
}

std::string public_key_fingerprint(X509* cert) {
  unsigned char* der = nullptr;
  int len = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &der);
  if (len <= 0) fail("cannot encode the certificate's public key");
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_len = 0;
  int ok =
      EVP_Digest(der, static_cast<std::size_t>(len), digest, &digest_len, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  if (ok != 1) fail("cannot hash the certificate's public key");
  static const char hex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < digest_len; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  return out;
}

void add_extension(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) fail("cannot add " + value);
}

std::string subject_alt_names(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& name : names) {
    unsigned char buf[16];
    bool ip =
        inet_pton(AF_INET, name.c_str(), buf) == 1 || inet_pton(AF_INET6, name.c_str(), buf) == 1;
    std::string entry = (ip ? "IP:" : "DNS:") + name;
    if (out.find(entry) != std::string::npos) continue;
    out += (out.empty() ? "" : ",") + entry;
  }
  return out;
}

std::string pem_of(const std::function<int(BIO*)>& write, const char* what) {
  BioPtr mem(BIO_new(BIO_s_mem()));
  if (!mem || write(mem.get()) != 1) fail(std::string("cannot encode the ") + what);
  char* data = nullptr;
  long len = BIO_get_mem_data(mem.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

// Mode 0600 from the moment the file exists: open() creates it so, and O_EXCL refuses a file
// (or link) someone else put there first.
void write_private_file(const fs::path& path, const std::string& body) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) throw TlsError("cannot create " + path.string() + ": " + std::strerror(errno));
  bool ok = ::write(fd, body.data(), body.size()) == static_cast<ssize_t>(body.size());
  ok = ::fsync(fd) == 0 && ok;
  ok = ::close(fd) == 0 && ok;
  if (!ok) {
    int err = errno;
    ::unlink(path.c_str());
    throw TlsError("cannot write " + path.string() + ": " + std::strerror(err));
  }
}

}  // namespace

struct TlsIdentity::Handles {
  X509Ptr cert;
  KeyPtr key;
  ChainPtr chain;
};

TlsIdentity::~TlsIdentity() = default;

std::shared_ptr<const TlsIdentity> TlsIdentity::load(const fs::path& cert_pem,
                                                     const fs::path& key_pem) {
  auto handles = std::make_unique<Handles>();
  ERR_clear_error();
  {
    auto bio = open_for_reading(cert_pem);
    handles->cert.reset(PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr));
    if (!handles->cert) fail(cert_pem.string() + " holds no PEM certificate");
    // Whatever follows the server's own certificate is its chain, in order.
    handles->chain.reset(sk_X509_new_null());
    if (!handles->chain) throw std::bad_alloc();
    while (X509* next = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) {
      if (sk_X509_push(handles->chain.get(), next) == 0) {
        X509_free(next);
        throw std::bad_alloc();
      }
    }
    ERR_clear_error();  // the read that ended the loop
  }
  {
    auto bio = open_for_reading(key_pem);
    handles->key.reset(PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr));
    if (!handles->key) fail(key_pem.string() + " holds no unencrypted PEM private key");
  }
  if (X509_check_private_key(handles->cert.get(), handles->key.get()) != 1) {
    ERR_clear_error();
    throw TlsError("the key in " + key_pem.string() + " does not belong to the certificate in " +
                   cert_pem.string());
  }
  std::shared_ptr<TlsIdentity> identity(new TlsIdentity());
  identity->fingerprint_ = public_key_fingerprint(handles->cert.get());
  identity->handles_ = std::move(handles);
  return identity;
}

bool TlsIdentity::use_on(void* ssl) const {
  // Reference-counted: the connection holds the pair even after a reload drops this identity.
  return SSL_use_cert_and_key(static_cast<SSL*>(ssl), handles_->cert.get(), handles_->key.get(),
                              handles_->chain.get(), 1) == 1;
}

bool ensure_self_signed(const fs::path& cert_pem, const fs::path& key_pem,
                        const std::vector<std::string>& names) {
  std::error_code ec;
  bool have_cert = fs::exists(cert_pem, ec);
  bool have_key = fs::exists(key_pem, ec);
  if (have_cert && have_key) return false;
  if (have_cert || have_key) {
    throw TlsError((have_cert ? cert_pem : key_pem).string() + " exists without " +
                   (have_cert ? key_pem : cert_pem).string() +
                   "; remove it to have a new pair made");
  }
  ERR_clear_error();
  KeyPtr key(EVP_EC_gen("P-256"));
  if (!key) fail("cannot make a P-256 key");
  X509Ptr cert(X509_new());
  if (!cert) throw std::bad_alloc();
  X509_set_version(cert.get(), X509_VERSION_3);
  unsigned char serial[16];
  if (RAND_bytes(serial, sizeof serial) != 1) fail("no randomness for a serial number");
  serial[0] &= 0x7f;  // a positive INTEGER
  BnPtr bn(BN_bin2bn(serial, sizeof serial, nullptr));
  if (!bn || !BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert.get()))) {
    fail("cannot set the serial number");
  }
  // An hour back for clocks that lag; ten years ahead, as the pair is kept and pinned.
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 10L * 365 * 24 * 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("sixpnd"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  add_extension(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_extension(cert.get(), NID_key_usage, "critical,digitalSignature");
  add_extension(cert.get(), NID_ext_key_usage, "serverAuth");
  add_extension(cert.get(), NID_subject_key_identifier, "hash");
  if (auto san = subject_alt_names(names); !san.empty()) {
    add_extension(cert.get(), NID_subject_alt_name, san);
  }
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) fail("cannot sign the certificate");

  const std::string key_text = pem_of(
      [&](BIO* b) {
        return PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr);
      },
      "private key");
  const std::string cert_text =
      pem_of([&](BIO* b) { return PEM_write_bio_X509(b, cert.get()); }, "certificate");
  // The key first: a crash in between leaves a key without a certificate, which the next start
  // reports instead of pairing a certificate with a key that was never written.
  write_private_file(key_pem, key_text);
  write_private_file(cert_pem, cert_text);
  return true;
}

namespace {
int choose_certificate(SSL* ssl, void* slot) {
  auto identity = static_cast<const TlsSlot*>(slot)->current();
  return identity && identity->use_on(ssl) ? 1 : 0;
}
}  // namespace

bool TlsSlot::configure(SSL_CTX& ctx) {
  if (SSL_CTX_set_min_proto_version(&ctx, TLS1_2_VERSION) != 1) return false;
  SSL_CTX_set_options(&ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET);
  SSL_CTX_set_session_cache_mode(&ctx, SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(&ctx, 0);
  SSL_CTX_set_cert_cb(&ctx, choose_certificate, this);
  return true;
}

}  // namespace sixpn::server::http
