#pragma once
// API tokens: "sixpn_" + base64url of 32 random bytes. Only their SHA-256 is stored.
#include <string>

namespace sixpn::server {

inline constexpr const char* kTokenPrefix = "sixpn_";

std::string new_token();

}  // namespace sixpn::server
