#include "core/dns/message.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "core/dns/text.hpp"

namespace sixpn::core::dns {
namespace {

using Bytes = std::vector<std::uint8_t>;

Name name(const char* text) {
  auto n = Name::parse(text);
  EXPECT_TRUE(n.has_value()) << text;
  return n.value_or(Name{});
}

Message query(const char* qname, std::uint16_t qtype) {
  Message m;
  m.header.id = 0xBEEF;
  m.header.rd = true;
  m.questions.push_back({name(qname), qtype, klass::IN});
  return m;
}

// 12-byte header with the given counts, followed by `body`.
Bytes packet(std::uint16_t qd, std::uint16_t an, std::uint16_t ns, std::uint16_t ar,
             const Bytes& body) {
  Bytes out = {0x12,
               0x34,
               0x01,
               0x00,
               static_cast<std::uint8_t>(qd >> 8),
               static_cast<std::uint8_t>(qd),
               static_cast<std::uint8_t>(an >> 8),
               static_cast<std::uint8_t>(an),
               static_cast<std::uint8_t>(ns >> 8),
               static_cast<std::uint8_t>(ns),
               static_cast<std::uint8_t>(ar >> 8),
               static_cast<std::uint8_t>(ar)};
  out.resize(kHeaderSize + body.size());  // not insert(): GCC 12 warns falsely on it here
  std::copy(body.begin(), body.end(), out.begin() + kHeaderSize);
  return out;
}

TEST(DnsWire, QueryRoundTripsWithFlagsAndEdns) {
  auto m = query("My-App.Internal", type::AAAA);
  m.header.cd = true;
  m.edns = Edns{1232, 0, true, {}};
  auto decoded = decode(encode(m));
  ASSERT_TRUE(decoded.message) << describe(decoded.error);
  const auto& d = *decoded.message;
  EXPECT_EQ(d.header.id, 0xBEEF);
  EXPECT_TRUE(d.header.rd);
  EXPECT_TRUE(d.header.cd);
  EXPECT_FALSE(d.header.qr);
  ASSERT_EQ(d.questions.size(), 1u);
  EXPECT_EQ(d.questions[0].name.labels, (std::vector<std::string>{"My-App", "Internal"}));
  EXPECT_EQ(d.questions[0].qtype, type::AAAA);
  ASSERT_TRUE(d.edns);
  EXPECT_EQ(d.edns->udp_size, 1232);
  EXPECT_TRUE(d.edns->dnssec_ok);
}

TEST(DnsWire, EveryModelledRecordTypeRoundTrips) {
  Message m = query("x.internal", type::ANY);
  m.header.qr = true;
  auto owner = name("x.internal");
  m.answers.push_back({owner, type::A, klass::IN, 5, A{10, 0, 0, 1}});
  m.answers.push_back({owner, type::AAAA, klass::IN, 5, *Ipv6::parse("fdaa:0:18::2")});
  m.answers.push_back({owner, type::TXT, klass::IN, 5, Txt{"a,b", ""}});
  m.answers.push_back({owner, type::CNAME, klass::IN, 5, name("y.internal")});
  m.answers.push_back({owner, type::MX, klass::IN, 5, Mx{10, name("mail.x.internal")}});
  m.answers.push_back({owner, type::SRV, klass::IN, 5, Srv{1, 2, 53, name("ns.x.internal")}});
  m.authority.push_back({name("internal"), type::SOA, klass::IN, 5,
                         Soa{name("internal"), name("hostmaster.internal"), 7, 1, 2, 3, 5}});
  m.additional.push_back({owner, 65280, klass::IN, 5, Raw{1, 2, 3}});
  auto decoded = decode(encode(m));
  ASSERT_TRUE(decoded.message) << describe(decoded.error);
  std::vector<std::string> lines;
  for (const auto& r : decoded.message->answers) lines.push_back(rdata_str(r));
  EXPECT_EQ(lines,
            (std::vector<std::string>{"10.0.0.1", "fdaa:0:18::2", "\"a,b\" \"\"", "y.internal.",
                                      "10 mail.x.internal.", "1 2 53 ns.x.internal."}));
  EXPECT_EQ(rdata_str(decoded.message->authority.at(0)),
            "internal. hostmaster.internal. 7 1 2 3 5");
  EXPECT_EQ(rdata_str(decoded.message->additional.at(0)), "\\# 3 010203");
}

TEST(DnsWire, CompressesRepeatedNamesCaseInsensitively) {
  Message m = query("app.internal", type::AAAA);
  for (int i = 0; i < 3; ++i) {
    m.answers.push_back({name("APP.internal"), type::AAAA, klass::IN, 5, Ipv6{}});
  }
  auto wire = encode(m);
  // Header 12 + question (14 + 4) + three answers of pointer 2 + fixed 10 + address 16.
  EXPECT_EQ(wire.size(), 12u + 18u + 3u * 28u);
  EXPECT_EQ(wire[30], 0xC0);
  EXPECT_EQ(wire[31], 12);
}

TEST(DnsWire, TooBigSetsTcAndKeepsQuestionAndOpt) {
  Message m = query("app.internal", type::TXT);
  m.header.qr = true;
  m.edns = Edns{512, 0, false, {}};
  m.answers.push_back(
      {name("app.internal"), type::TXT, klass::IN, 5, split_txt(std::string(1000, 'x'))});
  auto wire = encode(m, 512);
  EXPECT_LE(wire.size(), 512u);
  auto d = decode(wire);
  ASSERT_TRUE(d.message);
  EXPECT_TRUE(d.message->header.tc);
  EXPECT_TRUE(d.message->answers.empty());
  EXPECT_EQ(d.message->questions.size(), 1u);
  EXPECT_TRUE(d.message->edns);
  EXPECT_FALSE(decode(encode(m, 2000)).message->header.tc);
}

TEST(DnsWire, SplitsTxtAt255Bytes) {
  auto parts = split_txt(std::string(600, 'a'));
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].size(), 255u);
  EXPECT_EQ(parts[1].size(), 255u);
  EXPECT_EQ(parts[2].size(), 90u);
  EXPECT_EQ(split_txt("").size(), 1u);
}

TEST(DnsWire, ExtendedRcodeTravelsInOpt) {
  Message m = query("x.internal", type::A);
  m.header.qr = true;
  m.header.rcode = rcode::BADVERS;
  m.edns = Edns{};
  auto wire = encode(m);
  EXPECT_EQ(wire[3] & 0xF, 0);  // 16 = extended 1, header 0
  EXPECT_EQ(decode(wire).message->header.rcode, rcode::BADVERS);
}

TEST(DnsWireHostile, ShortHeaderIsRejected) {
  EXPECT_EQ(decode(Bytes{1, 2, 3}).error, DecodeError::short_header);
  EXPECT_FALSE(decode_header(Bytes(11, 0)));
}

TEST(DnsWireHostile, PointerToItselfIsRejected) {
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {0xC0, 12, 0, 1, 0, 1})).error, DecodeError::bad_pointer);
}

TEST(DnsWireHostile, ForwardPointerIsRejected) {
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {0xC0, 14, 0, 0, 1, 0, 1})).error, DecodeError::bad_pointer);
}

TEST(DnsWireHostile, PointerLoopThroughLabelsIsRejected) {
  // 12: "a" then a pointer back to 12: each pass adds a label; must stop, not spin.
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {1, 'a', 0xC0, 12, 0, 1, 0, 1})).error,
            DecodeError::bad_pointer);
  // A second question whose pointer leads to a first name that points to the second.
  Bytes body = {1, 'a', 0xC0, 20, 0, 1, 0, 1, 1, 'b', 0xC0, 12, 0, 1, 0, 1};
  EXPECT_NE(decode(packet(2, 0, 0, 0, body)).error, DecodeError::none);
}

TEST(DnsWireHostile, LabelLongerThan63IsRejected) {
  Bytes body = {64};
  body.insert(body.end(), 64, 'a');
  body.insert(body.end(), {0, 0, 1, 0, 1});
  EXPECT_EQ(decode(packet(1, 0, 0, 0, body)).error, DecodeError::bad_label);
}

TEST(DnsWireHostile, NameLongerThan255IsRejectedEvenThroughPointers) {
  Bytes body;
  for (int i = 0; i < 5; ++i) {
    body.push_back(60);
    body.insert(body.end(), 60, 'x');
  }
  body.insert(body.end(), {0, 0, 1, 0, 1});
  EXPECT_EQ(decode(packet(1, 0, 0, 0, body)).error, DecodeError::bad_label);
  // 4 labels of 60 = 244 + root = 245; a second name of a 10-byte label + pointer = 256 > 255.
  Bytes ok;
  for (int i = 0; i < 4; ++i) {
    ok.push_back(60);
    ok.insert(ok.end(), 60, 'y');
  }
  ok.insert(ok.end(), {0, 0, 1, 0, 1});
  EXPECT_EQ(decode(packet(1, 0, 0, 0, ok)).error, DecodeError::none);
  ok.insert(ok.end(), {10, 'z', 'z', 'z', 'z', 'z', 'z', 'z', 'z', 'z', 'z', 0xC0, 12, 0, 1, 0, 1});
  EXPECT_EQ(decode(packet(2, 0, 0, 0, ok)).error, DecodeError::bad_label);
}

TEST(DnsWireHostile, ReservedLabelTypesAreRejected) {
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {0x40, 0, 0, 1, 0, 1})).error, DecodeError::bad_label);
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {0x80, 0, 0, 1, 0, 1})).error, DecodeError::bad_label);
}

TEST(DnsWireHostile, CountsBeyondTheDataAreRejected) {
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {})).error, DecodeError::truncated);
  EXPECT_EQ(decode(packet(65535, 65535, 65535, 65535, {0, 0, 1, 0, 1})).error,
            DecodeError::truncated);
}

TEST(DnsWireHostile, RdlengthPastTheEndIsRejected) {
  Bytes body = {0, 0, 28, 0, 1, 0, 0, 0, 5, 0, 16, 1, 2, 3};
  EXPECT_EQ(decode(packet(0, 1, 0, 0, body)).error, DecodeError::truncated);
}

TEST(DnsWireHostile, RdataOfTheWrongShapeIsRejected) {
  // AAAA with 4 bytes; TXT whose string runs past rdlength; SOA with missing numbers.
  EXPECT_EQ(decode(packet(0, 1, 0, 0, {0, 0, 28, 0, 1, 0, 0, 0, 5, 0, 4, 1, 2, 3, 4})).error,
            DecodeError::bad_rdata);
  EXPECT_EQ(decode(packet(0, 1, 0, 0, {0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 2, 5, 'a'})).error,
            DecodeError::bad_rdata);
  EXPECT_EQ(decode(packet(0, 1, 0, 0, {0, 0, 6, 0, 1, 0, 0, 0, 5, 0, 3, 0, 0, 7})).error,
            DecodeError::bad_rdata);
  // A CNAME whose target name runs past its rdlength into the next bytes.
  EXPECT_EQ(decode(packet(0, 1, 0, 0, {0, 0, 5, 0, 1, 0, 0, 0, 5, 0, 1, 1, 'a', 0})).error,
            DecodeError::bad_rdata);
}

TEST(DnsWireHostile, MisplacedOrRepeatedOptIsRejected) {
  Bytes opt = {0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_EQ(decode(packet(0, 1, 0, 0, opt)).error, DecodeError::bad_opt);
  Bytes two = opt;
  two.insert(two.end(), opt.begin(), opt.end());
  EXPECT_EQ(decode(packet(0, 0, 0, 2, two)).error, DecodeError::bad_opt);
  EXPECT_EQ(decode(packet(0, 0, 0, 1, {1, 'a', 0, 0, 41, 16, 0, 0, 0, 0, 0, 0, 0})).error,
            DecodeError::bad_opt);
  EXPECT_EQ(decode(packet(0, 0, 0, 1, opt)).error, DecodeError::none);
}

TEST(DnsWireHostile, TrailingBytesAreRejected) {
  EXPECT_EQ(decode(packet(1, 0, 0, 0, {0, 0, 1, 0, 1, 0xFF})).error, DecodeError::trailing_data);
}

TEST(DnsWireHostile, EveryPrefixOfAValidMessageFailsCleanly) {
  Message m = query("a.b.internal", type::TXT);
  m.header.qr = true;
  m.answers.push_back({name("a.b.internal"), type::TXT, klass::IN, 5, Txt{"hello"}});
  m.authority.push_back({name("internal"), type::SOA, klass::IN, 5,
                         Soa{name("internal"), name("h.internal"), 1, 2, 3, 4, 5}});
  m.edns = Edns{};
  auto wire = encode(m);
  ASSERT_TRUE(decode(wire).message);
  for (std::size_t n = 0; n < wire.size(); ++n) {
    Bytes cut(wire.begin(), wire.begin() + static_cast<std::ptrdiff_t>(n));
    EXPECT_FALSE(decode(cut).message) << "prefix of " << n << " bytes decoded";
  }
}

}  // namespace
}  // namespace sixpn::core::dns
