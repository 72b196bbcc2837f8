#pragma once
// WireGuard keys: Curve25519 key pairs and their canonical base64 form, as wg(8) makes them.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace sixpn::core {

inline constexpr std::size_t kKeyBytes = 32;
inline constexpr std::size_t kKeyBase64Chars = 44;

struct PublicKey {
  std::array<std::uint8_t, kKeyBytes> bytes{};
  std::string base64() const;
  bool operator==(const PublicKey&) const = default;
};

// A private key wipes itself when it goes away and cannot be copied, so a stray copy of the
// secret cannot outlive the command that made it. Moving leaves the source zeroed.
class PrivateKey {
 public:
  PrivateKey() = default;
  ~PrivateKey();
  PrivateKey(const PrivateKey&) = delete;
  PrivateKey& operator=(const PrivateKey&) = delete;
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;

  // Fresh random key, clamped as `wg genkey` clamps it.
  static PrivateKey generate();
  static std::optional<PrivateKey> from_base64(std::string_view text);

  PublicKey public_key() const;
  // The base64 text is itself a secret: callers wipe it (SecretString does).
  std::string base64() const;
  const std::array<std::uint8_t, kKeyBytes>& bytes() const { return bytes_; }

 private:
  std::array<std::uint8_t, kKeyBytes> bytes_{};
};

// Decodes a key only in the canonical form wg(8) prints: 44 characters, standard alphabet,
// one '=' of padding and zero padding bits. Returns nullopt for anything else.
std::optional<std::array<std::uint8_t, kKeyBytes>> decode_key_base64(std::string_view text);
std::optional<PublicKey> parse_public_key(std::string_view text);
// Describes why a text is not a canonical key, for error messages ("" when it is one).
std::string key_problem(std::string_view text);
// key_problem, and also refuses the low-order points of Curve25519 (the all-zero key, u = 1,
// the points of order 4 and 8 and their non-canonical encodings): a peer with such a key can
// never complete a handshake, because every shared secret with it is zero.
std::string public_key_problem(std::string_view text);
// True for a point whose product with any (clamped) scalar is the all-zero point.
bool is_low_order_point(const std::array<std::uint8_t, kKeyBytes>& point);

// Overwrites the string's buffer before releasing it.
void wipe(std::string& secret);

// A string that wipes itself, for rendered configs and base64 private keys.
class SecretString {
 public:
  SecretString() = default;
  explicit SecretString(std::string value) : value_(std::move(value)) {}
  ~SecretString() { wipe(value_); }
  SecretString(const SecretString&) = delete;
  SecretString& operator=(const SecretString&) = delete;
  SecretString(SecretString&& o) noexcept : value_(std::move(o.value_)) { o.value_.clear(); }
  const std::string& view() const { return value_; }

 private:
  std::string value_;
};

}  // namespace sixpn::core
