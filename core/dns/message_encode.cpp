// DNS messages to the wire: names compressed (RFC 1035 section 4.1.4), records in order,
// truncated to a size limit with TC set when they do not fit.
#include "core/dns/message.hpp"

#include <algorithm>
#include <unordered_map>

namespace sixpn::core::dns {

namespace {

class Writer {
 public:
  std::vector<std::uint8_t> out;

  void u8(std::uint8_t v) { out.push_back(v); }
  void u16(std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
  }
  void u32(std::uint32_t v) {
    u16(static_cast<std::uint16_t>(v >> 16));
    u16(static_cast<std::uint16_t>(v));
  }
  void put_u16_at(std::size_t at, std::uint16_t v) {
    out[at] = static_cast<std::uint8_t>(v >> 8);
    out[at + 1] = static_cast<std::uint8_t>(v);
  }

  // Suffixes already written are keyed by their lower-cased wire form; pointers can only
  // address the first 16 KiB (14 bits).
  void name(const Name& n, bool compress) {
    for (std::size_t i = 0; i < n.labels.size(); ++i) {
      std::string key;
      if (compress) {
        for (std::size_t k = i; k < n.labels.size(); ++k) {
          key.push_back(static_cast<char>(n.labels[k].size()));
          key += ascii_lower(n.labels[k]);
        }
        if (auto it = suffixes_.find(key); it != suffixes_.end()) {
          u16(static_cast<std::uint16_t>(0xC000 | it->second));
          return;
        }
        if (out.size() < 0x4000) {
          suffixes_.emplace(std::move(key), static_cast<std::uint16_t>(out.size()));
        }
      }
      u8(static_cast<std::uint8_t>(n.labels[i].size()));
      out.insert(out.end(), n.labels[i].begin(), n.labels[i].end());
    }
    u8(0);
  }

 private:
  std::unordered_map<std::string, std::uint16_t> suffixes_;
};

void encode_rdata(Writer& w, const Record& rec) {
  std::visit(
      [&](const auto& d) {
        using T = std::decay_t<decltype(d)>;
        if constexpr (std::is_same_v<T, Raw> || std::is_same_v<T, A>) {
          w.out.insert(w.out.end(), d.begin(), d.end());
        } else if constexpr (std::is_same_v<T, Ipv6>) {
          w.out.insert(w.out.end(), d.bytes.begin(), d.bytes.end());
        } else if constexpr (std::is_same_v<T, Txt>) {
          for (const auto& s : d) {
            std::size_t len = std::min<std::size_t>(s.size(), 255);
            w.u8(static_cast<std::uint8_t>(len));
            w.out.insert(w.out.end(), s.begin(), s.begin() + static_cast<std::ptrdiff_t>(len));
          }
        } else if constexpr (std::is_same_v<T, Soa>) {
          w.name(d.mname, true);
          w.name(d.rname, true);
          w.u32(d.serial);
          w.u32(d.refresh);
          w.u32(d.retry);
          w.u32(d.expire);
          w.u32(d.minimum);
        } else if constexpr (std::is_same_v<T, Name>) {
          w.name(d, true);
        } else if constexpr (std::is_same_v<T, Mx>) {
          w.u16(d.preference);
          w.name(d.exchange, true);
        } else if constexpr (std::is_same_v<T, Srv>) {
          w.u16(d.priority);
          w.u16(d.weight);
          w.u16(d.port);
          w.name(d.target, false);  // RFC 2782: the target is never compressed
        }
      },
      rec.data);
}

void encode_record(Writer& w, const Record& rec) {
  w.name(rec.name, true);
  w.u16(rec.type);
  w.u16(rec.klass);
  w.u32(rec.ttl);
  std::size_t at = w.out.size();
  w.u16(0);
  encode_rdata(w, rec);
  w.put_u16_at(at, static_cast<std::uint16_t>(w.out.size() - at - 2));
}

std::vector<std::uint8_t> encode_sections(const Message& m, bool records) {
  Writer w;
  w.out.reserve(512);
  const Header& h = m.header;
  w.u16(h.id);
  w.u8(static_cast<std::uint8_t>(h.qr << 7 | (h.opcode & 0xF) << 3 | h.aa << 2 | h.tc << 1 | h.rd));
  w.u8(static_cast<std::uint8_t>(h.ra << 7 | h.ad << 5 | h.cd << 4 | (h.rcode & 0xF)));
  auto count = [](std::size_t n) { return static_cast<std::uint16_t>(n); };
  w.u16(count(m.questions.size()));
  w.u16(records ? count(m.answers.size()) : 0);
  w.u16(records ? count(m.authority.size()) : 0);
  w.u16(count((records ? m.additional.size() : 0) + (m.edns ? 1 : 0)));
  for (const auto& q : m.questions) {
    w.name(q.name, true);
    w.u16(q.qtype);
    w.u16(q.qclass);
  }
  if (records) {
    for (const auto& r : m.answers) encode_record(w, r);
    for (const auto& r : m.authority) encode_record(w, r);
    for (const auto& r : m.additional) encode_record(w, r);
  }
  if (m.edns) {
    w.u8(0);
    w.u16(type::OPT);
    w.u16(m.edns->udp_size);
    w.u32(std::uint32_t{static_cast<std::uint8_t>(h.rcode >> 4)} << 24 |
          std::uint32_t{m.edns->version} << 16 | (m.edns->dnssec_ok ? 0x8000u : 0u));
    w.u16(static_cast<std::uint16_t>(m.edns->options.size()));
    w.out.insert(w.out.end(), m.edns->options.begin(), m.edns->options.end());
  }
  return std::move(w.out);
}

}  // namespace

std::vector<std::uint8_t> encode(const Message& message, std::size_t max_size) {
  auto full = encode_sections(message, true);
  if (full.size() <= max_size) return full;
  Message cut = message;
  cut.header.tc = true;
  return encode_sections(cut, false);
}

Txt split_txt(std::string_view text) {
  Txt out;
  do {
    std::size_t n = std::min<std::size_t>(text.size(), 255);
    out.emplace_back(text.substr(0, n));
    text.remove_prefix(n);
  } while (!text.empty());
  return out;
}

}  // namespace sixpn::core::dns
