#pragma once
// Small helpers the server needs in several layers: time stamps, random identifiers, hashes.
#include <array>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace sixpn::server {

// "2024-04-16T20:20:59Z": RFC 3339 in UTC, second precision, the form every created_at uses.
std::string now_rfc3339();
std::string rfc3339(std::time_t when);

// `bytes` random bytes from libsodium, as lower-case hex (a machine id is 7 bytes → 14 chars).
std::string random_hex(std::size_t bytes);

using Sha256 = std::array<std::uint8_t, 32>;
Sha256 sha256(std::string_view data);
std::string to_hex(const std::uint8_t* data, std::size_t size);

// base64url without padding, for tokens and opaque cursors.
std::string base64url(std::string_view raw);
// Strict inverse of base64url; false when `text` is not canonical base64url.
bool from_base64url(std::string_view text, std::string& out);

// Escapes control bytes and non-ASCII so that untrusted text stays on one log line.
std::string printable(std::string_view text, std::size_t max = 200);

}  // namespace sixpn::server
