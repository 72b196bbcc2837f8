#include "api/client_tls.hpp"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <sodium.h>

#include <cctype>
#include <cerrno>
#include <cstring>

#include "api/client.hpp"

namespace sixpn::api {

namespace tls {

namespace {
struct BioDeleter {
  void operator()(BIO* b) const { BIO_free(b); }
};

}  // namespace

std::vector<X509Ptr> read_ca_file(const std::string& path) {
  std::unique_ptr<BIO, BioDeleter> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    throw BadTlsSetting("cannot read the CA file " + path + ": " + std::strerror(errno));
  }
  std::vector<X509Ptr> out;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    out.emplace_back(cert);
  }
  ERR_clear_error();  // the read that ended the loop
  if (out.empty()) throw BadTlsSetting("the CA file " + path + " holds no PEM certificate");
  return out;
}

// libcurl (OpenSSL backend) has loaded its default CA bundle into the context by now; the
// file's certificates are added to that store, so both are trusted.
CURLcode add_trust_anchors(CURL*, void* ssl_ctx, void* user) {
  const auto* anchors = static_cast<const std::vector<X509Ptr>*>(user);
  X509_STORE* store = SSL_CTX_get_cert_store(static_cast<SSL_CTX*>(ssl_ctx));
  for (const auto& cert : *anchors) {
    if (X509_STORE_add_cert(store, cert.get()) != 1) {
      ERR_clear_error();
      return CURLE_SSL_CACERT_BADFILE;
    }
  }
  return CURLE_OK;
}

bool tls_failure(CURLcode code) {
  return code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_PINNEDPUBKEYNOTMATCH ||
         code == CURLE_SSL_CONNECT_ERROR || code == CURLE_SSL_CACERT_BADFILE ||
         code == CURLE_SSL_CERTPROBLEM;
}

}  // namespace tls

std::string curl_pin_of(std::string_view fingerprint) {
  constexpr std::string_view prefix = "sha256:";
  if (fingerprint.substr(0, prefix.size()) != prefix) return "";
  const std::string_view hex = fingerprint.substr(prefix.size());
  if (hex.size() != 64 || hex.find_first_not_of("0123456789abcdefABCDEF") != hex.npos) return "";
  unsigned char digest[32];
  std::size_t len = 0;
  if (sodium_hex2bin(digest, sizeof digest, hex.data(), hex.size(), nullptr, &len, nullptr) != 0 ||
      len != sizeof digest) {
    return "";
  }
  char b64[sodium_base64_ENCODED_LEN(32, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(b64, sizeof b64, digest, sizeof digest, sodium_base64_VARIANT_ORIGINAL);
  return std::string("sha256//") + b64;
}

bool is_loopback_host(std::string_view host) {
  std::string h(host);
  if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
  if (auto zone = h.find('%'); zone != std::string::npos) h.resize(zone);
  std::string lower;
  for (char c : h) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  // libcurl answers "localhost" itself with loopback addresses, never from DNS or /etc/hosts.
  if (lower == "localhost" || lower == "localhost.") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, h.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, h.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
    return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
  }
  return false;
}

}  // namespace sixpn::api
