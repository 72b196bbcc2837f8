#include "core/dns/name.hpp"

#include <cstdio>

namespace sixpn::core::dns {

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::optional<Name> Name::parse(std::string_view text) {
  Name name;
  if (text.empty() || text == ".") return name;
  std::string label;
  std::size_t wire = 1;
  auto finish = [&]() -> bool {
    if (label.empty() || label.size() > kMaxLabel) return false;
    wire += 1 + label.size();
    name.labels.push_back(std::move(label));
    label.clear();
    return wire <= kMaxNameWire;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.') {
      if (!finish()) return std::nullopt;
      // A trailing dot ends the name; anything after a dot needs a label.
      if (i + 1 == text.size()) return name;
      continue;
    }
    if (c == '\\') {
      if (i + 1 >= text.size()) return std::nullopt;
      char next = text[i + 1];
      if (next >= '0' && next <= '9') {
        if (i + 3 >= text.size()) return std::nullopt;  // \DDD needs three digits
        int value = 0;
        for (std::size_t k = 1; k <= 3; ++k) {
          char d = text[i + k];
          if (d < '0' || d > '9') return std::nullopt;
          value = value * 10 + (d - '0');
        }
        if (value > 255) return std::nullopt;
        label.push_back(static_cast<char>(value));
        i += 3;
      } else {
        label.push_back(next);
        i += 1;
      }
      continue;
    }
    label.push_back(c);
  }
  if (!finish()) return std::nullopt;
  return name;
}

std::string Name::str() const {
  if (labels.empty()) return ".";
  std::string out;
  for (const auto& label : labels) {
    for (unsigned char c : label) {
      if (c == '.' || c == '\\' || c == '"' || c == ';' || c == '(' || c == ')' || c == '@' ||
          c == '$') {
        out.push_back('\\');
        out.push_back(static_cast<char>(c));
      } else if (c <= 0x20 || c >= 0x7f) {
        char buf[5];
        std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
        out += buf;
      } else {
        out.push_back(static_cast<char>(c));
      }
    }
    out.push_back('.');
  }
  return out;
}

std::size_t Name::wire_length() const {
  std::size_t n = 1;
  for (const auto& label : labels) n += 1 + label.size();
  return n;
}

Name Name::lower() const {
  Name out;
  out.labels.reserve(labels.size());
  for (const auto& label : labels) out.labels.push_back(ascii_lower(label));
  return out;
}

bool Name::equals(const Name& other) const {
  if (labels.size() != other.labels.size()) return false;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (!iequals(labels[i], other.labels[i])) return false;
  }
  return true;
}

bool Name::is_under(const Name& zone) const {
  if (zone.labels.size() > labels.size()) return false;
  std::size_t offset = labels.size() - zone.labels.size();
  for (std::size_t i = 0; i < zone.labels.size(); ++i) {
    if (!iequals(labels[offset + i], zone.labels[i])) return false;
  }
  return true;
}

}  // namespace sixpn::core::dns
