#include "core/dns/text.hpp"

#include <array>
#include <charconv>
#include <cstdio>
#include <utility>

namespace sixpn::core::dns {

namespace {

constexpr std::array<std::pair<std::uint16_t, const char*>, 12> kTypes{{
    {type::A, "A"},
    {type::NS, "NS"},
    {type::CNAME, "CNAME"},
    {type::SOA, "SOA"},
    {type::PTR, "PTR"},
    {type::MX, "MX"},
    {type::TXT, "TXT"},
    {type::AAAA, "AAAA"},
    {type::SRV, "SRV"},
    {type::OPT, "OPT"},
    {type::AXFR, "AXFR"},
    {type::ANY, "ANY"},
}};

std::optional<std::uint16_t> number_after(std::string_view text, std::string_view prefix) {
  if (text.size() <= prefix.size() || !iequals(text.substr(0, prefix.size()), prefix)) {
    return std::nullopt;
  }
  text.remove_prefix(prefix.size());
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value > 0xFFFF) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string type_name(std::uint16_t type) {
  for (const auto& [code, name] : kTypes) {
    if (code == type) return name;
  }
  return "TYPE" + std::to_string(type);
}

std::string class_name(std::uint16_t klass) {
  switch (klass) {
    case klass::IN:
      return "IN";
    case klass::CH:
      return "CH";
    case klass::ANY:
      return "ANY";
    default:
      return "CLASS" + std::to_string(klass);
  }
}

std::string rcode_name(std::uint16_t rcode) {
  static constexpr const char* kNames[] = {"NOERROR",  "FORMERR", "SERVFAIL",
                                           "NXDOMAIN", "NOTIMP",  "REFUSED"};
  if (rcode < std::size(kNames)) return kNames[rcode];
  if (rcode == rcode::BADVERS) return "BADVERS";
  return "RCODE" + std::to_string(rcode);
}

std::optional<std::uint16_t> parse_type(std::string_view text) {
  for (const auto& [code, name] : kTypes) {
    if (iequals(text, name)) return code;
  }
  return number_after(text, "TYPE");
}

std::string quote_txt(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(static_cast<char>(c));
    } else if (c < 0x20 || c >= 0x7f) {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03u", static_cast<unsigned>(c));
      out += buf;
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  out.push_back('"');
  return out;
}

std::string rdata_str(const Record& record) {
  return std::visit(
      [&](const auto& d) -> std::string {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, Raw>) {
          std::string out = "\\# " + std::to_string(d.size());
          if (!d.empty()) out += " ";
          for (std::uint8_t b : d) {
            char buf[3];
            std::snprintf(buf, sizeof buf, "%02x", b);
            out += buf;
          }
          return out;
        } else if constexpr (std::is_same_v<T, A>) {
          return std::to_string(d[0]) + "." + std::to_string(d[1]) + "." + std::to_string(d[2]) +
                 "." + std::to_string(d[3]);
        } else if constexpr (std::is_same_v<T, Ipv6>) {
          return d.str();
        } else if constexpr (std::is_same_v<T, Txt>) {
          std::string out;
          for (const auto& s : d) {
            if (!out.empty()) out += " ";
            out += quote_txt(s);
          }
          return out;
        } else if constexpr (std::is_same_v<T, Soa>) {
          return d.mname.str() + " " + d.rname.str() + " " + std::to_string(d.serial) + " " +
                 std::to_string(d.refresh) + " " + std::to_string(d.retry) + " " +
                 std::to_string(d.expire) + " " + std::to_string(d.minimum);
        } else if constexpr (std::is_same_v<T, Name>) {
          return d.str();
        } else if constexpr (std::is_same_v<T, Mx>) {
          return std::to_string(d.preference) + " " + d.exchange.str();
        } else {
          return std::to_string(d.priority) + " " + std::to_string(d.weight) + " " +
                 std::to_string(d.port) + " " + d.target.str();
        }
      },
      record.data);
}

std::string record_str(const Record& record) {
  return record.name.str() + "\t" + std::to_string(record.ttl) + "\t" + class_name(record.klass) +
         "\t" + type_name(record.type) + "\t" + rdata_str(record);
}

}  // namespace sixpn::core::dns
