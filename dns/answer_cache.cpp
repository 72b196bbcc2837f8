#include "dns/answer_cache.hpp"

#include <algorithm>
#include <optional>

#include "core/dns/message.hpp"

namespace sixpn::dns {

namespace w = core::dns;

namespace {

constexpr std::uint8_t kRd = 0x01;  // in header byte 2
constexpr std::uint8_t kCd = 0x10;  // in header byte 3
constexpr std::size_t kOptSize = 11;

std::uint16_t u16_at(std::span<const std::uint8_t> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

// A query as almost every client sends it: one question with an uncompressed name, nothing
// else but perhaps an OPT of version 0 with any options. Everything the decoder would refuse
// is refused here too (and then reaches resolve(), which answers it as it always has).
struct Plain {
  std::size_t name_end = 0;  // past the name's root octet
  std::uint16_t qtype = 0, qclass = 0;
  bool edns = false, dnssec_ok = false;
  std::uint16_t udp_size = 0;
};

std::optional<Plain> parse_plain(std::span<const std::uint8_t> wire) {
  if (wire.size() < w::kHeaderSize + 5) return std::nullopt;
  if ((wire[2] & 0x80) != 0 || ((wire[2] >> 3) & 0xF) != w::opcode::QUERY) return std::nullopt;
  const std::uint16_t additional = u16_at(wire, 10);
  if (u16_at(wire, 4) != 1 || u16_at(wire, 6) != 0 || u16_at(wire, 8) != 0 || additional > 1) {
    return std::nullopt;
  }
  Plain p;
  std::size_t at = w::kHeaderSize;
  for (;;) {
    if (at >= wire.size()) return std::nullopt;
    const std::uint8_t len = wire[at];
    if (len == 0) break;
    if (len > w::kMaxLabel) return std::nullopt;  // a pointer, or a label type of no use
    at += 1 + len;
  }
  p.name_end = at + 1;
  if (p.name_end - w::kHeaderSize > w::kMaxNameWire || p.name_end + 4 > wire.size()) {
    return std::nullopt;
  }
  p.qtype = u16_at(wire, p.name_end);
  p.qclass = u16_at(wire, p.name_end + 2);
  std::size_t end = p.name_end + 4;
  if (additional == 1) {
    if (wire.size() < end + kOptSize || wire[end] != 0 || u16_at(wire, end + 1) != w::type::OPT ||
        wire[end + 6] != 0) {  // the EDNS version
      return std::nullopt;
    }
    p.edns = true;
    p.udp_size = u16_at(wire, end + 3);
    p.dnssec_ok = (wire[end + 7] & 0x80) != 0;
    end += kOptSize + u16_at(wire, end + 9);
  }
  if (end != wire.size()) return std::nullopt;
  return p;
}

void append_u16(std::string& s, std::uint16_t v) {
  s.push_back(static_cast<char>(v >> 8));
  s.push_back(static_cast<char>(v));
}

std::uint8_t ascii_lower(std::uint8_t c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<std::uint8_t>(c + ('a' - 'A')) : c;
}

}  // namespace

AnswerCache::Entry AnswerCache::make(std::span<const std::uint8_t> canonical,
                                     std::size_t question_end, const QueryContext& ctx) const {
  Entry e;
  QueryContext over = ctx;
  over.transport = Transport::tcp;
  Outcome full = resolve(canonical, *snapshot_, over);
  // Patching copies the question over bytes 12..question_end: they must be the question.
  auto holds_question = [&](const std::vector<std::uint8_t>& r) {
    return r.size() >= question_end &&
           std::equal(canonical.begin() + w::kHeaderSize,
                      canonical.begin() + static_cast<std::ptrdiff_t>(question_end),
                      r.begin() + w::kHeaderSize);
  };
  if (full.action != Outcome::Action::reply || !holds_question(full.reply)) return e;
  e.full = std::move(full.reply);
  if (e.full.size() > w::kClassicUdpPayload) {
    // The truncated form does not depend on the limit that caused it, so 512 stands for all.
    over.transport = Transport::udp;
    Outcome cut = resolve(canonical, *snapshot_, over);
    if (cut.action != Outcome::Action::reply || !holds_question(cut.reply)) return Entry{};
    e.truncated = std::move(cut.reply);
  }
  e.cacheable = true;
  return e;
}

bool AnswerCache::answer(std::span<const std::uint8_t> wire, const SnapshotPtr& snapshot,
                         const QueryContext& ctx, std::vector<std::uint8_t>& reply) {
  auto plain = parse_plain(wire);
  if (!plain) return false;
  if (snapshot.get() != snapshot_.get()) {
    entries_.clear();
    bytes_ = 0;
    snapshot_ = snapshot;
  }

  key_.clear();
  key_.push_back(static_cast<char>((ctx.source ? 1 : 0) | (ctx.pinned_org ? 2 : 0) |
                                   (ctx.can_forward ? 4 : 0) | (plain->edns ? 8 : 0) |
                                   (plain->dnssec_ok ? 16 : 0)));
  if (ctx.source) key_.append(reinterpret_cast<const char*>(ctx.source->bytes.data()), 16);
  if (ctx.pinned_org) {
    append_u16(key_, static_cast<std::uint16_t>(ctx.pinned_org->size()));
    key_ += *ctx.pinned_org;
  }
  append_u16(key_, plain->qtype);
  append_u16(key_, plain->qclass);
  const std::size_t name_at = key_.size();
  key_.resize(name_at + plain->name_end - w::kHeaderSize);
  std::transform(wire.begin() + w::kHeaderSize,
                 wire.begin() + static_cast<std::ptrdiff_t>(plain->name_end),
                 key_.begin() + static_cast<std::ptrdiff_t>(name_at),
                 [](std::uint8_t c) { return static_cast<char>(ascii_lower(c)); });

  auto it = entries_.find(key_);
  if (it == entries_.end()) {
    // The canonical query: this one with id 0, RD and CD clear, the name lower-cased and an
    // EDNS size of 512 (the reply's size limit is applied below, per query).
    const std::size_t question_end = plain->name_end + 4;
    canonical_.assign(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(question_end));
    canonical_[0] = canonical_[1] = canonical_[2] = canonical_[3] = 0;
    std::transform(canonical_.begin() + w::kHeaderSize,
                   canonical_.begin() + static_cast<std::ptrdiff_t>(plain->name_end),
                   canonical_.begin() + w::kHeaderSize, ascii_lower);
    if (plain->edns) {
      // The root, OPT, 512, extended rcode 0, version 0, DO as asked, no options.
      const std::uint8_t flags = plain->dnssec_ok ? 0x80 : 0;
      const std::uint8_t opt[kOptSize] = {0, 0, w::type::OPT, 0x02, 0x00, 0, 0, flags, 0, 0, 0};
      canonical_.insert(canonical_.end(), opt, opt + kOptSize);
    }
    Entry e = make(canonical_, question_end, ctx);
    const std::size_t cost = key_.size() + e.full.size() + e.truncated.size() + 64;
    if (bytes_ + cost > max_bytes_) {
      entries_.clear();
      bytes_ = 0;
    }
    bytes_ += cost;
    it = entries_.emplace(key_, std::move(e)).first;
  }
  const Entry& e = it->second;
  if (!e.cacheable) return false;

  auto fits = [&] {
    w::Message limits;  // reply_limit() reads only the EDNS size
    if (plain->edns) limits.edns = w::Edns{plain->udp_size, 0, false, {}};
    return e.full.size() <= reply_limit(limits, ctx.transport);
  };
  const auto& bytes = (e.truncated.empty() || fits()) ? e.full : e.truncated;
  reply.assign(bytes.begin(), bytes.end());
  reply[0] = wire[0];
  reply[1] = wire[1];
  reply[2] = static_cast<std::uint8_t>((reply[2] & ~kRd) | (wire[2] & kRd));
  reply[3] = static_cast<std::uint8_t>((reply[3] & ~kCd) | (wire[3] & kCd));
  std::copy(wire.begin() + w::kHeaderSize,
            wire.begin() + static_cast<std::ptrdiff_t>(plain->name_end),
            reply.begin() + w::kHeaderSize);
  return true;
}

}  // namespace sixpn::dns
