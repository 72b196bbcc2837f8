#pragma once
// Presentation forms (RFC 1035 5.1, RFC 3597), as dig prints them: type, class and rcode
// mnemonics both ways, and one record per line.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/dns/message.hpp"

namespace sixpn::core::dns {

std::string type_name(std::uint16_t type);    // "AAAA", or "TYPE65280" for what has no mnemonic
std::string class_name(std::uint16_t klass);  // "IN", or "CLASS7"
std::string rcode_name(std::uint16_t rcode);  // "NXDOMAIN", or "RCODE11"
// "aaaa", "TXT", "TYPE28" → the number; nullopt for anything else.
std::optional<std::uint16_t> parse_type(std::string_view text);

// One character-string, quoted, with '"' and '\' escaped and non-printables as \DDD.
std::string quote_txt(std::string_view s);
// The RDATA alone: "fdaa:0:18::2", "\"a,b\"", "ns. host. 1 3600 600 86400 5", "\# 2 abcd".
std::string rdata_str(const Record& record);
// dig's line: "name.\t5\tIN\tAAAA\tfdaa::2".
std::string record_str(const Record& record);

}  // namespace sixpn::core::dns
