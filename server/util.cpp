#include "server/util.hpp"

#include <sodium.h>

#include <ctime>
#include <stdexcept>
#include <vector>

namespace sixpn::server {

namespace {
void ensure_sodium() {
  // sodium_init is idempotent and thread-safe; -1 means no usable entropy source.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}
}  // namespace

std::string now_rfc3339() {
  return rfc3339(std::time(nullptr));
}

std::string rfc3339(std::time_t when) {
  std::tm utc{};
  gmtime_r(&when, &utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return buf;
}

std::string random_hex(std::size_t bytes) {
  ensure_sodium();
  std::vector<std::uint8_t> raw(bytes);
  randombytes_buf(raw.data(), raw.size());
  return to_hex(raw.data(), raw.size());
}

Sha256 sha256(std::string_view data) {
  ensure_sodium();
  Sha256 out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  std::string out(size * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), data, size);
  out.pop_back();
  return out;
}

std::string base64url(std::string_view raw) {
  ensure_sodium();
  constexpr int variant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  std::string out(sodium_base64_ENCODED_LEN(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(raw.data()),
                    raw.size(), variant);
  out.resize(out.size() - 1);  // the encoder's terminating NUL
  return out;
}

bool from_base64url(std::string_view text, std::string& out) {
  ensure_sodium();
  out.assign(text.size(), '\0');
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    out.clear();
    return false;
  }
  out.resize(len);
  return true;
}

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  for (unsigned char c : text.substr(0, max)) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace sixpn::server
