#include "core/keys.hpp"

#include <sodium.h>

#include <stdexcept>

namespace sixpn::core {

namespace {
void ensure_sodium() {
  static const bool ready = sodium_init() >= 0;
  if (!ready) throw std::runtime_error("libsodium failed to initialise");
}

std::string encode(const std::array<std::uint8_t, kKeyBytes>& bytes) {
  ensure_sodium();
  char buf[sodium_base64_ENCODED_LEN(kKeyBytes, sodium_base64_VARIANT_ORIGINAL)];
  sodium_bin2base64(buf, sizeof buf, bytes.data(), bytes.size(), sodium_base64_VARIANT_ORIGINAL);
  std::string out(buf);
  sodium_memzero(buf, sizeof buf);
  return out;
}
}  // namespace

std::string PublicKey::base64() const {
  return encode(bytes);
}

PrivateKey::~PrivateKey() {
  sodium_memzero(bytes_.data(), bytes_.size());
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept : bytes_(other.bytes_) {
  sodium_memzero(other.bytes_.data(), other.bytes_.size());
}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    sodium_memzero(other.bytes_.data(), other.bytes_.size());
  }
  return *this;
}

PrivateKey PrivateKey::generate() {
  ensure_sodium();
  PrivateKey key;
  randombytes_buf(key.bytes_.data(), key.bytes_.size());
  // Curve25519 clamping, exactly as wg genkey does.
  key.bytes_[0] &= 248;
  key.bytes_[31] = static_cast<std::uint8_t>((key.bytes_[31] & 127) | 64);
  return key;
}

std::optional<PrivateKey> PrivateKey::from_base64(std::string_view text) {
  auto raw = decode_key_base64(text);
  if (!raw) return std::nullopt;
  PrivateKey key;
  key.bytes_ = *raw;
  sodium_memzero(raw->data(), raw->size());
  return key;
}

PublicKey PrivateKey::public_key() const {
  ensure_sodium();
  PublicKey pub;
  if (crypto_scalarmult_curve25519_base(pub.bytes.data(), bytes_.data()) != 0) {
    throw std::runtime_error("could not derive the public key");
  }
  return pub;
}

std::string PrivateKey::base64() const {
  return encode(bytes_);
}

std::optional<std::array<std::uint8_t, kKeyBytes>> decode_key_base64(std::string_view text) {
  if (!key_problem(text).empty()) return std::nullopt;
  ensure_sodium();
  std::array<std::uint8_t, kKeyBytes> out{};
  std::size_t len = 0;
  const char* end = nullptr;
  // libsodium refuses non-zero padding bits, which is what makes the form canonical.
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != kKeyBytes || end != text.data() + text.size()) {
    return std::nullopt;
  }
  return out;
}

std::optional<PublicKey> parse_public_key(std::string_view text) {
  auto raw = decode_key_base64(text);
  if (!raw) return std::nullopt;
  return PublicKey{*raw};
}

std::string key_problem(std::string_view text) {
  if (text.size() != kKeyBase64Chars) {
    return "a WireGuard key is 44 characters of base64, got " + std::to_string(text.size());
  }
  if (text.back() != '=' || text[kKeyBase64Chars - 2] == '=') {
    return "a WireGuard key ends in exactly one '='";
  }
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    char c = text[i];
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '+' || c == '/';
    if (!ok) return "a WireGuard key uses only the standard base64 alphabet";
  }
  ensure_sodium();
  std::array<std::uint8_t, kKeyBytes> out{};
  std::size_t len = 0;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      len != kKeyBytes) {
    return "the key's base64 is not canonical (its padding bits must be zero)";
  }
  sodium_memzero(out.data(), out.size());
  return "";
}

bool is_low_order_point(const std::array<std::uint8_t, kKeyBytes>& point) {
  ensure_sodium();
  // libsodium refuses (-1) exactly when the product is the all-zero point, which for a clamped
  // scalar (a multiple of the cofactor 8) happens exactly for points of order 1, 2, 4 or 8. The
  // scalar is public and fixed (RFC 7748's example private key): only the point is examined.
  static constexpr std::array<std::uint8_t, kKeyBytes> kScalar = {
      0x77, 0x07, 0x6d, 0x0a, 0x73, 0x18, 0xa5, 0x7d, 0x3c, 0x16, 0xc1,
      0x72, 0x51, 0xb2, 0x66, 0x45, 0xdf, 0x4c, 0x2f, 0x87, 0xeb, 0xc0,
      0x99, 0x2a, 0xb1, 0x77, 0xfb, 0xa5, 0x1d, 0xb9, 0x2c, 0x2a};
  std::array<std::uint8_t, kKeyBytes> product{};
  return crypto_scalarmult_curve25519(product.data(), kScalar.data(), point.data()) != 0;
}

std::string public_key_problem(std::string_view text) {
  if (auto problem = key_problem(text); !problem.empty()) return problem;
  auto point = decode_key_base64(text);
  if (!point || is_low_order_point(*point)) {
    return "the key is a low-order point of Curve25519, with which no handshake can succeed";
  }
  return "";
}

void wipe(std::string& secret) {
  if (!secret.empty()) sodium_memzero(secret.data(), secret.size());
  secret.clear();
  secret.shrink_to_fit();
}

}  // namespace sixpn::core
