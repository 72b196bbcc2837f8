#pragma once
// API tokens, join tokens and host credentials: a prefix + base64url of 32 random bytes.
// Only their SHA-256 is stored.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace sixpn::server {

inline constexpr const char* kTokenPrefix = "sixpn_";
// A host's join token (single use, made by `sixpnd hosts create`) and the credential its
// registration answers with (docs/host-protocol.md). Same making, same hashing.
inline constexpr const char* kJoinTokenPrefix = "sixpn_join_";
inline constexpr const char* kHostCredentialPrefix = "sixpn_host_";

// `prefix` + base64url of 32 random bytes.
std::string new_token(std::string_view prefix = kTokenPrefix);

// A token's name, for the operator to tell tokens apart: 1 to 64 of [A-Za-z0-9._@-].
// "" when `name` is fine.
std::string token_name_problem(std::string_view name);

// When a token made at `now` expires: a duration ("90m", "12h", "30d", also "45s"), or an
// RFC 3339 time ("2026-12-31T00:00:00Z", "2026-12-31T01:00:00+01:00"). nullopt, with the
// reason in `problem`, for anything else or a moment that is not in the future.
std::optional<std::time_t> parse_expiry(std::string_view text, std::time_t now,
                                        std::string& problem);

}  // namespace sixpn::server
