#include "core/keys.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

namespace sixpn::core {
namespace {

// RFC 7748 section 6.1, Alice's key pair.
constexpr const char* kRfcPrivate = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
constexpr const char* kRfcPublic = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";

std::string run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return "";
  std::string out;
  char buf[256];
  while (fgets(buf, sizeof buf, pipe.get()) != nullptr) out += buf;
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(Keys, PublicKeyOfTheRfc7748VectorMatches) {
  auto key = PrivateKey::from_base64(kRfcPrivate);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(key->public_key().base64(), kRfcPublic);
  EXPECT_EQ(key->base64(), kRfcPrivate);
}

TEST(Keys, GeneratedKeyIsClampedLikeWgGenkey) {
  for (int i = 0; i < 64; ++i) {
    auto key = PrivateKey::generate();
    EXPECT_EQ(key.bytes()[0] & 7, 0);
    EXPECT_EQ(key.bytes()[31] & 128, 0);
    EXPECT_EQ(key.bytes()[31] & 64, 64);
    EXPECT_EQ(key.base64().size(), kKeyBase64Chars);
  }
}

TEST(Keys, OurPublicKeyEqualsWgPubkeyForOurPrivateKey) {
  if (run("command -v wg").empty()) GTEST_SKIP() << "wg (wireguard-tools) is not installed";
  auto key = PrivateKey::generate();
  EXPECT_EQ(run("echo " + key.base64() + " | wg pubkey"), key.public_key().base64());
}

TEST(Keys, WgGenkeyOutputIsAcceptedAndGivesWgsPublicKey) {
  if (run("command -v wg").empty()) GTEST_SKIP() << "wg (wireguard-tools) is not installed";
  std::string priv = run("wg genkey");
  auto key = PrivateKey::from_base64(priv);
  ASSERT_TRUE(key.has_value()) << priv;
  EXPECT_EQ(key->public_key().base64(), run("echo " + priv + " | wg pubkey"));
}

TEST(Keys, NonCanonicalBase64IsRejectedWithAReason) {
  EXPECT_EQ(key_problem(kRfcPublic), "");
  std::string short_key = std::string(kRfcPublic).substr(1);
  EXPECT_NE(key_problem(short_key), "");
  EXPECT_FALSE(parse_public_key(short_key).has_value());
  // Same bytes, but the last character carries non-zero padding bits.
  std::string dirty = kRfcPublic;
  dirty[42] = 'n';
  EXPECT_NE(key_problem(dirty), "");
  EXPECT_FALSE(parse_public_key(dirty).has_value());
  std::string url_safe = kRfcPublic;
  url_safe[17] = '-';
  EXPECT_FALSE(parse_public_key(url_safe).has_value());
  EXPECT_FALSE(parse_public_key("").has_value());
  EXPECT_FALSE(parse_public_key(std::string(44, '=')).has_value());
}

// The points of small order on Curve25519 (u = 0, u = 1, two of order 8, u = p - 1), with their
// non-canonical encodings (u + p, and the unused top bit set), as libsodium and cr.yp.to list them.
std::vector<std::string> low_order_points_hex() {
  std::vector<std::string> canonical = {
      "0000000000000000000000000000000000000000000000000000000000000000",  // u = 0
      "0100000000000000000000000000000000000000000000000000000000000000",  // u = 1
      "e0eb7a7c3b41b8ae1656e3faf19fc46ada098deb9c32b1fd866205165f49b800",  // order 8
      "5f9c95bca3508c24b1d0b1559c83ef5b04445cc4581c8e86d8224eddd09f1157",  // order 8
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p - 1
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p, i.e. 0
      "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  // u = p + 1, i.e. 1
  };
  std::vector<std::string> all = canonical;
  for (auto hex : canonical) {
    char last[3];
    std::snprintf(last, sizeof last, "%02x", std::stoi(hex.substr(62), nullptr, 16) | 0x80);
    hex.replace(62, 2, last);
    all.push_back(hex);  // the same point with bit 255 set, which X25519 ignores
  }
  return all;
}

std::string base64_of_hex(const std::string& hex) {
  PublicKey key;
  for (std::size_t i = 0; i < kKeyBytes; ++i) {
    key.bytes[i] = static_cast<std::uint8_t>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
  }
  return key.base64();
}

TEST(Keys, LowOrderPointsAreRefusedAsPublicKeys) {
  auto points = low_order_points_hex();
  ASSERT_EQ(points.size(), 14u);
  for (const auto& hex : points) {
    auto text = base64_of_hex(hex);
    SCOPED_TRACE(hex + " = " + text);
    EXPECT_EQ(key_problem(text), "");  // well-formed base64 …
    EXPECT_EQ(public_key_problem(text),
              "the key is a low-order point of Curve25519, with which no handshake can succeed");
  }
  EXPECT_EQ(public_key_problem("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
            "the key is a low-order point of Curve25519, with which no handshake can succeed");
}

TEST(Keys, OrdinaryPublicKeysPassTheLowOrderCheck) {
  EXPECT_EQ(public_key_problem(kRfcPublic), "");
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(public_key_problem(PrivateKey::generate().public_key().base64()), "");
  }
  // Format problems are still reported first.
  EXPECT_EQ(public_key_problem("short"), key_problem("short"));
}

TEST(Keys, PrivateKeyCannotBeCopiedAndMovingWipesTheSource) {
  static_assert(!std::is_copy_constructible_v<PrivateKey>);
  static_assert(!std::is_copy_assignable_v<PrivateKey>);
  auto a = PrivateKey::generate();
  PrivateKey b = std::move(a);
  for (auto byte : a.bytes()) EXPECT_EQ(byte, 0);  // NOLINT(bugprone-use-after-move)
  EXPECT_NE(b.bytes()[31], 0);
}

TEST(Keys, WipeClearsTheString) {
  std::string secret = "top secret";
  wipe(secret);
  EXPECT_TRUE(secret.empty());
}

}  // namespace
}  // namespace sixpn::core
