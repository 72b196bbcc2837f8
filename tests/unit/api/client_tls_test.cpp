// The pieces of the client's TLS policy that need no server: the pin format and loopback.
#include <gtest/gtest.h>

#include "api/client.hpp"

namespace sixpn::api {
namespace {

TEST(CurlPin, HexFingerprintBecomesLibcurlsBase64Pin) {
  // SHA-256 of the empty string, a known vector: e3b0c442…b855 is 47DEQpj8…uFU= in base64.
  EXPECT_EQ(curl_pin_of("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(curl_pin_of("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855"),
            "sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

TEST(CurlPin, AnythingElseIsRefused) {
  EXPECT_EQ(curl_pin_of(""), "");
  EXPECT_EQ(curl_pin_of("sha256:1234"), "");
  EXPECT_EQ(curl_pin_of("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), "");
  EXPECT_EQ(curl_pin_of("sha1:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "");
  EXPECT_EQ(curl_pin_of("sha256:g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            "");
  EXPECT_EQ(curl_pin_of("sha256//47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="), "");
}

TEST(Loopback, OnlyLoopbackAddressesAndLocalhost) {
  for (const char* host : {"127.0.0.1", "127.1.2.3", "[::1]", "::1", "localhost", "LocalHost",
                           "localhost.", "[::ffff:127.0.0.1]"}) {
    EXPECT_TRUE(is_loopback_host(host)) << host;
  }
  for (const char* host : {"10.66.0.1", "192.0.2.1", "128.0.0.1", "[fe80::1]", "[::]", "0.0.0.0",
                           "example.com", "localhost.example.com", "127.0.0.1.nip.io", ""}) {
    EXPECT_FALSE(is_loopback_host(host)) << host;
  }
}

TEST(InsecureHttp, ATokenForAnotherHostIsRefusedBeforeAnyConnection) {
  ClientOptions o;
  // .invalid never resolves (RFC 6761): were the check missing, this would fail differently.
  o.base_url = "http://sixpnd.invalid:4280";
  o.token = "secret";
  o.max_attempts = 1;
  Client client(o);
  EXPECT_THROW(client.orgs(), InsecureHttp);
}

}  // namespace
}  // namespace sixpn::api
