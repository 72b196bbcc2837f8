#pragma once
// The DNS wire format (RFC 1035, 3596, 6891), pure: bytes in, a Message out, and back. Decoding
// faces the network, so it is strict and bounds-checked everywhere: every length is checked
// against what is left, compression pointers may only point backwards (so they cannot loop),
// labels and names are held to 63 and 255 bytes, and a message must end where its sections end.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "core/address.hpp"
#include "core/dns/name.hpp"

namespace sixpn::core::dns {

namespace type {
inline constexpr std::uint16_t A = 1, NS = 2, CNAME = 5, SOA = 6, PTR = 12, MX = 15, TXT = 16,
                               AAAA = 28, SRV = 33, OPT = 41, IXFR = 251, AXFR = 252, ANY = 255;
}
namespace klass {
inline constexpr std::uint16_t IN = 1, CH = 3, ANY = 255;
}
namespace rcode {
inline constexpr std::uint16_t NOERROR = 0, FORMERR = 1, SERVFAIL = 2, NXDOMAIN = 3, NOTIMP = 4,
                               REFUSED = 5, BADVERS = 16;
}
namespace opcode {
inline constexpr std::uint8_t QUERY = 0;
}

inline constexpr std::size_t kHeaderSize = 12;
inline constexpr std::size_t kMaxMessage = 65535;       // TCP's 2-byte length prefix
inline constexpr std::size_t kClassicUdpPayload = 512;  // without EDNS (RFC 1035 4.2.1)

struct Header {
  std::uint16_t id = 0;
  bool qr = false, aa = false, tc = false, rd = false, ra = false, ad = false, cd = false;
  std::uint8_t opcode = 0;  // 4 bits
  std::uint16_t rcode = 0;  // 12 bits: the header's 4 plus OPT's extended 8 (RFC 6891 6.1.3)
};

struct Question {
  Name name;
  std::uint16_t qtype = 0;
  std::uint16_t qclass = klass::IN;
};

struct Soa {
  Name mname, rname;
  std::uint32_t serial = 0, refresh = 0, retry = 0, expire = 0, minimum = 0;
};
struct Mx {
  std::uint16_t preference = 0;
  Name exchange;
};
struct Srv {
  std::uint16_t priority = 0, weight = 0, port = 0;
  Name target;
};
using A = std::array<std::uint8_t, 4>;
using Txt = std::vector<std::string>;   // character-strings, each at most 255 bytes
using Raw = std::vector<std::uint8_t>;  // any type this code does not model (RFC 3597)

// NS, CNAME and PTR carry a Name; which one is told by Record::type.
using Rdata = std::variant<Raw, A, Ipv6, Txt, Soa, Name, Mx, Srv>;

struct Record {
  Name name;
  std::uint16_t type = 0;
  std::uint16_t klass = klass::IN;
  std::uint32_t ttl = 0;
  Rdata data;
};

struct Edns {
  std::uint16_t udp_size = kClassicUdpPayload;  // the sender's receive buffer
  std::uint8_t version = 0;
  bool dnssec_ok = false;
  Raw options;  // the OPT RDATA as sent; carried, not interpreted
};

struct Message {
  Header header;
  std::vector<Question> questions;
  std::vector<Record> answers, authority, additional;  // additional never holds the OPT
  std::optional<Edns> edns;
};

enum class DecodeError {
  none,
  short_header,   // fewer than 12 bytes
  truncated,      // a length runs past the end
  bad_label,      // label type 0x40/0x80, or label/name too long
  bad_pointer,    // a compression pointer that points forward or at itself
  bad_rdata,      // a known type whose RDATA is not its shape
  bad_opt,        // OPT not in additional, not at the root, or more than one
  trailing_data,  // bytes after the last section
};

struct Decoded {
  std::optional<Message> message;
  DecodeError error = DecodeError::none;
};

// Only the fixed header; enough to answer FORMERR to a message that does not decode.
std::optional<Header> decode_header(std::span<const std::uint8_t> wire);
Decoded decode(std::span<const std::uint8_t> wire);

// Encodes with name compression. When the result would exceed `max_size`, the answer, authority
// and additional sections are dropped and TC is set (the OPT record stays, RFC 6891 7), so a
// client retries over TCP and gets everything there.
std::vector<std::uint8_t> encode(const Message& message, std::size_t max_size = kMaxMessage);

// Splits text into character-strings of at most 255 bytes (RFC 1035 3.3.14).
Txt split_txt(std::string_view text);

const char* describe(DecodeError error);

}  // namespace sixpn::core::dns
