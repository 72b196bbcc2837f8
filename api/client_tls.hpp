#pragma once
// The client's TLS pieces, for api/client.cpp only: extra trust anchors from a CA file, added to
// the store libcurl's OpenSSL backend has loaded, and which libcurl failures are TLS ones.
#include <curl/curl.h>
#include <openssl/x509.h>

#include <memory>
#include <string>
#include <vector>

namespace sixpn::api::tls {

struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
using X509Ptr = std::unique_ptr<X509, X509Deleter>;

// Every certificate in a PEM file; BadTlsSetting when there is none or the file cannot be read.
std::vector<X509Ptr> read_ca_file(const std::string& path);

// CURLOPT_SSL_CTX_FUNCTION: adds the certificates `user` points to (a std::vector<X509Ptr>) to
// the context's store, so they are trusted beside libcurl's default bundle.
CURLcode add_trust_anchors(CURL* curl, void* ssl_ctx, void* user);

// True for the libcurl errors that mean the TLS handshake or verification failed.
bool tls_failure(CURLcode code);

}  // namespace sixpn::api::tls
