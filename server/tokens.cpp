#include "server/tokens.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>

#include "server/util.hpp"

namespace sixpn::server {

std::string new_token() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string token =
      kTokenPrefix + base64url(std::string_view(reinterpret_cast<char*>(raw.data()), raw.size()));
  sodium_memzero(raw.data(), raw.size());
  return token;
}

}  // namespace sixpn::server
