#include "core/names.hpp"

#include <cctype>

namespace sixpn::core {

namespace {
bool is_interface_char(unsigned char c) {
  return std::isalnum(c) || c == '_' || c == '=' || c == '+' || c == '.' || c == '-';
}
bool is_label_char(unsigned char c) {
  return std::isalnum(c) || c == '-';
}

// Printable form of user input for error messages: control bytes and non-ASCII escaped,
// so an error stays one line whatever was typed.
std::string shown(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  if (s.size() > 80) out += "...";
  return out + "\"";
}
}  // namespace

std::string interface_name_problem(std::string_view name) {
  if (name.empty()) return "interface name is empty; wg-quick needs 1 to 15 characters";
  if (name.size() > kMaxInterfaceName) {
    return "interface name " + shown(name) + " is " + std::to_string(name.size()) +
           " characters; wg-quick allows at most 15";
  }
  for (unsigned char c : name) {
    if (!is_interface_char(c)) {
      return "interface name " + shown(name) +
             " has a character wg-quick refuses; use only letters, digits and _=+.-";
    }
  }
  if (name == "." || name == "..") {
    return "interface name " + shown(name) + " is refused by the kernel";
  }
  return "";
}

std::string dns_label_problem(std::string_view what, std::string_view name) {
  std::string w(what);
  if (name.empty()) return w + " is empty; it must be 1 to 63 letters, digits or '-'";
  if (name.size() > kMaxDnsLabel) {
    return w + " " + shown(name) + " is " + std::to_string(name.size()) +
           " characters; a DNS label allows at most 63";
  }
  for (unsigned char c : name) {
    if (!is_label_char(c)) {
      return w + " " + shown(name) +
             " may contain only letters, digits and '-' (it is a DNS label)";
    }
  }
  if (name.front() == '-' || name.back() == '-') {
    return w + " " + shown(name) + " may not start or end with '-' (it is a DNS label)";
  }
  return "";
}

std::string peer_name_problem(std::string_view name) {
  return dns_label_problem("peer name", name);
}

std::string suggest_interface_name(std::string_view name) {
  std::string out;
  for (unsigned char c : name) {
    if (is_interface_char(c)) out += static_cast<char>(c);
    if (out.size() == kMaxInterfaceName) break;
  }
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  if (out.empty() || out == "." || out == "..") out = "sixpn0";
  return out;
}

std::optional<std::string> config_file_stem(std::string_view path) {
  constexpr std::string_view ext = ".conf";
  if (path.size() < ext.size() || path.substr(path.size() - ext.size()) != ext) return std::nullopt;
  auto base = path.substr(0, path.size() - ext.size());
  auto slash = base.rfind('/');
  if (slash != std::string_view::npos) base = base.substr(slash + 1);
  return std::string(base);
}

}  // namespace sixpn::core
