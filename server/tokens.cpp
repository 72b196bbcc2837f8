#include "server/tokens.hpp"

#include <sodium.h>

#include <array>
#include <charconv>
#include <stdexcept>

#include "server/util.hpp"

namespace sixpn::server {

namespace {
// "YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)", the RFC 3339 date-time; nullopt when it is not one.
std::optional<std::time_t> parse_rfc3339(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  const char* rest = strptime(s.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr || s.size() < 19) return std::nullopt;
  if (*rest == '.') {
    ++rest;
    if (*rest < '0' || *rest > '9') return std::nullopt;
    while (*rest >= '0' && *rest <= '9') ++rest;  // below the second: dropped
  }
  long offset = 0;
  std::string_view zone(rest);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int hours = 0, minutes = 0;
    auto h = std::from_chars(zone.data() + 1, zone.data() + 3, hours);
    auto m = std::from_chars(zone.data() + 4, zone.data() + 6, minutes);
    if (h.ec != std::errc{} || h.ptr != zone.data() + 3 || m.ec != std::errc{} ||
        m.ptr != zone.data() + 6 || hours > 23 || minutes > 59) {
      return std::nullopt;
    }
    offset = (zone[0] == '+' ? 1 : -1) * (hours * 3600L + minutes * 60L);
  } else {
    return std::nullopt;
  }
  return timegm(&tm) - offset;
}
}  // namespace

std::string new_token(std::string_view prefix) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
  std::array<unsigned char, 32> raw{};
  randombytes_buf(raw.data(), raw.size());
  std::string token =
      std::string(prefix) + base64url(std::string_view(reinterpret_cast<char*>(raw.data()), raw.size()));
  sodium_memzero(raw.data(), raw.size());
  return token;
}

std::string token_name_problem(std::string_view name) {
  if (name.empty() || name.size() > 64) return "a token name is 1 to 64 characters long";
  for (char c : name) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '@' || c == '-';
    if (!ok) {
      return "token name \"" + printable(name, 64) + "\" may use only letters, digits and . _ @ -";
    }
  }
  return "";
}

std::optional<std::time_t> parse_expiry(std::string_view text, std::time_t now,
                                        std::string& problem) {
  std::optional<std::time_t> when;
  if (text.size() >= 2 && text.size() <= 12 &&
      text.find_first_not_of("0123456789") == text.size() - 1) {
    long long amount = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, amount);
    long long unit = 0;
    switch (text.back()) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      default:
        break;
    }
    // Ten years is plenty for a token and keeps the sum far from overflowing.
    if (ec == std::errc{} && unit != 0 && amount > 0 && amount * unit <= 3650LL * 86400) {
      when = now + static_cast<std::time_t>(amount * unit);
    }
  } else {
    when = parse_rfc3339(text);
  }
  if (!when) {
    problem = "--expires \"" + printable(text, 40) +
              "\" is neither a duration (90m, 12h, 30d) nor an RFC 3339 time "
              "(2026-12-31T00:00:00Z)";
    return std::nullopt;
  }
  if (*when <= now) {
    problem = "--expires " + printable(text, 40) + " is not in the future";
    return std::nullopt;
  }
  return when;
}

}  // namespace sixpn::server
