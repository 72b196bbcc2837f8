#pragma once
// Domain names as the wire carries them: a list of labels of raw bytes (no dots, no escapes),
// with the case the sender used. Comparisons ignore ASCII case (RFC 4343); the original case is
// kept so an answer echoes the question exactly as asked (0x20 randomisation, RFC draft
// "Use of Bit 0x20 in DNS Labels").
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sixpn::core::dns {

inline constexpr std::size_t kMaxLabel = 63;
inline constexpr std::size_t kMaxNameWire = 255;  // length octets + labels + the root octet

struct Name {
  std::vector<std::string> labels;  // root = no labels

  // "my-app.internal" or "my-app.internal." ; "." and "" are the root. Understands dig's
  // escapes (\. and \DDD). nullopt when a label is empty or too long, or the name too long.
  static std::optional<Name> parse(std::string_view text);

  // Presentation form, always fully qualified ("my-app.internal."), escaping what must be.
  std::string str() const;
  std::size_t wire_length() const;  // 1 + sum(1 + label length)
  bool is_root() const { return labels.empty(); }

  Name lower() const;
  // Case-insensitive: "My-App.Internal" equals "my-app.internal".
  bool equals(const Name& other) const;
  // True when this name is `zone` or below it (case-insensitive).
  bool is_under(const Name& zone) const;
};

std::string ascii_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

}  // namespace sixpn::core::dns
