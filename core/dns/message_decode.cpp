// DNS messages from the wire (RFC 1035 section 4, with the EDNS OPT record of RFC 6891):
// a bounds-checked reader; every malformed input is a DecodeError, never a read past the end.
#include "core/dns/message.hpp"

#include <algorithm>

namespace sixpn::core::dns {

namespace {

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> wire) : wire_(wire) {}

  std::size_t pos() const { return pos_; }
  std::size_t left() const { return wire_.size() - pos_; }

  bool u8(std::uint8_t& v) {
    if (left() < 1) return false;
    v = wire_[pos_++];
    return true;
  }
  bool u16(std::uint16_t& v) {
    if (left() < 2) return false;
    v = static_cast<std::uint16_t>(wire_[pos_] << 8 | wire_[pos_ + 1]);
    pos_ += 2;
    return true;
  }
  bool u32(std::uint32_t& v) {
    if (left() < 4) return false;
    v = std::uint32_t{wire_[pos_]} << 24 | std::uint32_t{wire_[pos_ + 1]} << 16 |
        std::uint32_t{wire_[pos_ + 2]} << 8 | std::uint32_t{wire_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool bytes(std::size_t n, std::uint8_t* out) {
    if (left() < n) return false;
    std::copy_n(wire_.begin() + static_cast<std::ptrdiff_t>(pos_), n, out);
    pos_ += n;
    return true;
  }

  // Every pointer must point before the start of the label run it was found in. Starts thus
  // strictly decrease, so following pointers always ends; the 255-byte limit bounds the rest.
  DecodeError name(Name& out) {
    out.labels.clear();
    std::size_t p = pos_;
    std::size_t run_start = pos_;
    std::size_t wire_length = 1;
    bool jumped = false;
    for (;;) {
      if (p >= wire_.size()) return DecodeError::truncated;
      std::uint8_t len = wire_[p];
      if ((len & 0xC0) == 0xC0) {
        if (p + 1 >= wire_.size()) return DecodeError::truncated;
        std::size_t target = static_cast<std::size_t>(len & 0x3F) << 8 | wire_[p + 1];
        if (target >= run_start) return DecodeError::bad_pointer;
        if (!jumped) pos_ = p + 2;
        jumped = true;
        p = run_start = target;
        continue;
      }
      if ((len & 0xC0) != 0) return DecodeError::bad_label;  // 0x40 and 0x80: obsolete/unused
      if (len == 0) {
        if (!jumped) pos_ = p + 1;
        return DecodeError::none;
      }
      wire_length += 1 + len;
      if (wire_length > kMaxNameWire) return DecodeError::bad_label;
      if (p + 1 + len > wire_.size()) return DecodeError::truncated;
      out.labels.emplace_back(reinterpret_cast<const char*>(wire_.data() + p + 1), len);
      p += 1 + len;
    }
  }

 private:
  std::span<const std::uint8_t> wire_;
  std::size_t pos_ = 0;
};

#define SIXPN_TRY(expr)                                              \
  do {                                                               \
    if (DecodeError e_ = (expr); e_ != DecodeError::none) return e_; \
  } while (0)
#define SIXPN_NEED(expr)                        \
  do {                                          \
    if (!(expr)) return DecodeError::truncated; \
  } while (0)

DecodeError decode_rdata(Reader& r, std::uint16_t type, std::size_t rdlength, Rdata& out) {
  const std::size_t end = r.pos() + rdlength;
  auto finish = [&]() { return r.pos() == end ? DecodeError::none : DecodeError::bad_rdata; };
  auto name_in_rdata = [&](Name& n) -> DecodeError {
    SIXPN_TRY(r.name(n));
    return r.pos() > end ? DecodeError::bad_rdata : DecodeError::none;
  };
  switch (type) {
    case type::A: {
      if (rdlength != 4) return DecodeError::bad_rdata;
      A a;
      SIXPN_NEED(r.bytes(4, a.data()));
      out = a;
      return DecodeError::none;
    }
    case type::AAAA: {
      if (rdlength != 16) return DecodeError::bad_rdata;
      Ipv6 a;
      SIXPN_NEED(r.bytes(16, a.bytes.data()));
      out = a;
      return DecodeError::none;
    }
    case type::TXT: {
      if (rdlength == 0) return DecodeError::bad_rdata;
      Txt txt;
      while (r.pos() < end) {
        std::uint8_t len = 0;
        SIXPN_NEED(r.u8(len));
        if (r.pos() + len > end) return DecodeError::bad_rdata;
        std::string s(len, '\0');
        SIXPN_NEED(r.bytes(len, reinterpret_cast<std::uint8_t*>(s.data())));
        txt.push_back(std::move(s));
      }
      out = std::move(txt);
      return finish();
    }
    case type::NS:
    case type::CNAME:
    case type::PTR: {
      Name n;
      SIXPN_TRY(name_in_rdata(n));
      out = std::move(n);
      return finish();
    }
    case type::MX: {
      Mx mx;
      SIXPN_NEED(rdlength >= 3 && r.u16(mx.preference));
      SIXPN_TRY(name_in_rdata(mx.exchange));
      out = std::move(mx);
      return finish();
    }
    case type::SRV: {
      Srv srv;
      SIXPN_NEED(rdlength >= 7 && r.u16(srv.priority) && r.u16(srv.weight) && r.u16(srv.port));
      SIXPN_TRY(name_in_rdata(srv.target));
      out = std::move(srv);
      return finish();
    }
    case type::SOA: {
      Soa soa;
      SIXPN_TRY(name_in_rdata(soa.mname));
      SIXPN_TRY(name_in_rdata(soa.rname));
      if (end - r.pos() != 20) return DecodeError::bad_rdata;
      SIXPN_NEED(r.u32(soa.serial) && r.u32(soa.refresh) && r.u32(soa.retry) && r.u32(soa.expire) &&
                 r.u32(soa.minimum));
      out = std::move(soa);
      return finish();
    }
    default: {
      Raw raw(rdlength);
      SIXPN_NEED(r.bytes(rdlength, raw.data()));
      out = std::move(raw);
      return DecodeError::none;
    }
  }
}

DecodeError decode_section(Reader& r, std::uint16_t count, std::vector<Record>& out,
                           bool additional, Message& m) {
  for (std::uint16_t i = 0; i < count; ++i) {
    Record rec;
    SIXPN_TRY(r.name(rec.name));
    std::uint16_t rdlength = 0;
    SIXPN_NEED(r.u16(rec.type) && r.u16(rec.klass) && r.u32(rec.ttl) && r.u16(rdlength));
    if (r.left() < rdlength) return DecodeError::truncated;
    if (rec.type == type::OPT) {
      if (!additional || m.edns || !rec.name.is_root()) return DecodeError::bad_opt;
      Edns edns;
      edns.udp_size = rec.klass;
      m.header.rcode = static_cast<std::uint16_t>((rec.ttl >> 24) << 4 | (m.header.rcode & 0xF));
      edns.version = static_cast<std::uint8_t>(rec.ttl >> 16);
      edns.dnssec_ok = (rec.ttl & 0x8000) != 0;
      edns.options.resize(rdlength);
      SIXPN_NEED(r.bytes(rdlength, edns.options.data()));
      m.edns = std::move(edns);
      continue;
    }
    SIXPN_TRY(decode_rdata(r, rec.type, rdlength, rec.data));
    out.push_back(std::move(rec));
  }
  return DecodeError::none;
}

}  // namespace

std::optional<Header> decode_header(std::span<const std::uint8_t> wire) {
  if (wire.size() < kHeaderSize) return std::nullopt;
  Header h;
  h.id = static_cast<std::uint16_t>(wire[0] << 8 | wire[1]);
  h.qr = wire[2] & 0x80;
  h.opcode = (wire[2] >> 3) & 0xF;
  h.aa = wire[2] & 0x04;
  h.tc = wire[2] & 0x02;
  h.rd = wire[2] & 0x01;
  h.ra = wire[3] & 0x80;
  h.ad = wire[3] & 0x20;
  h.cd = wire[3] & 0x10;
  h.rcode = wire[3] & 0xF;
  return h;
}

Decoded decode(std::span<const std::uint8_t> wire) {
  auto header = decode_header(wire);
  if (!header) return {std::nullopt, DecodeError::short_header};
  Message m;
  m.header = *header;
  Reader r(wire);
  std::uint8_t skip[kHeaderSize];
  r.bytes(kHeaderSize, skip);
  std::uint16_t counts[4] = {static_cast<std::uint16_t>(wire[4] << 8 | wire[5]),
                             static_cast<std::uint16_t>(wire[6] << 8 | wire[7]),
                             static_cast<std::uint16_t>(wire[8] << 8 | wire[9]),
                             static_cast<std::uint16_t>(wire[10] << 8 | wire[11])};
  auto fail = [](DecodeError e) { return Decoded{std::nullopt, e}; };
  for (std::uint16_t i = 0; i < counts[0]; ++i) {
    Question q;
    if (auto e = r.name(q.name); e != DecodeError::none) return fail(e);
    if (!r.u16(q.qtype) || !r.u16(q.qclass)) return fail(DecodeError::truncated);
    m.questions.push_back(std::move(q));
  }
  if (auto e = decode_section(r, counts[1], m.answers, false, m); e != DecodeError::none) {
    return fail(e);
  }
  if (auto e = decode_section(r, counts[2], m.authority, false, m); e != DecodeError::none) {
    return fail(e);
  }
  if (auto e = decode_section(r, counts[3], m.additional, true, m); e != DecodeError::none) {
    return fail(e);
  }
  if (r.left() != 0) return fail(DecodeError::trailing_data);
  return {std::move(m), DecodeError::none};
}

const char* describe(DecodeError error) {
  switch (error) {
    case DecodeError::none:
      return "no error";
    case DecodeError::short_header:
      return "shorter than a DNS header";
    case DecodeError::truncated:
      return "a length runs past the end of the message";
    case DecodeError::bad_label:
      return "a label or name is too long or of an unknown type";
    case DecodeError::bad_pointer:
      return "a compression pointer does not point backwards";
    case DecodeError::bad_rdata:
      return "a record's data does not match its type";
    case DecodeError::bad_opt:
      return "a misplaced or repeated OPT record";
    case DecodeError::trailing_data:
      return "bytes after the last record";
  }
  return "unknown error";
}

}  // namespace sixpn::core::dns
