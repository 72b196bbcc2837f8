#include "core/dns/name.hpp"

#include <gtest/gtest.h>

#include "core/dns/text.hpp"

namespace sixpn::core::dns {
namespace {

TEST(DnsName, ParsesWithOrWithoutTheTrailingDot) {
  EXPECT_EQ(Name::parse("my-app.internal")->labels,
            (std::vector<std::string>{"my-app", "internal"}));
  EXPECT_EQ(Name::parse("my-app.internal.")->labels,
            (std::vector<std::string>{"my-app", "internal"}));
  EXPECT_TRUE(Name::parse(".")->is_root());
  EXPECT_TRUE(Name::parse("")->is_root());
}

TEST(DnsName, RejectsEmptyAndOversizedLabelsAndNames) {
  EXPECT_FALSE(Name::parse("a..b"));
  EXPECT_FALSE(Name::parse(".a"));
  EXPECT_FALSE(Name::parse(std::string(64, 'a') + ".internal"));
  EXPECT_TRUE(Name::parse(std::string(63, 'a') + ".internal"));
  std::string long_name;
  for (int i = 0; i < 5; ++i) long_name += std::string(50, 'x') + ".";
  EXPECT_FALSE(Name::parse(long_name));  // 5 × 51 + 1 = 256
}

TEST(DnsName, EscapesRoundTrip) {
  auto n = Name::parse("a\\.b.c\\032d.internal");
  ASSERT_TRUE(n);
  EXPECT_EQ(n->labels, (std::vector<std::string>{"a.b", "c d", "internal"}));
  EXPECT_EQ(n->str(), "a\\.b.c\\032d.internal.");
  EXPECT_FALSE(Name::parse("a\\25"));
  EXPECT_FALSE(Name::parse("a\\999"));
  EXPECT_FALSE(Name::parse("a\\"));
}

TEST(DnsName, ComparesIgnoringAsciiCase) {
  auto a = *Name::parse("My-App.INTERNAL");
  auto b = *Name::parse("my-app.internal");
  EXPECT_TRUE(a.equals(b));
  EXPECT_TRUE(a.is_under(*Name::parse("internal")));
  EXPECT_FALSE(a.is_under(*Name::parse("flycast")));
  EXPECT_FALSE(Name::parse("internal")->is_under(a));
  EXPECT_EQ(a.str(), "My-App.INTERNAL.");  // case kept for echoing
}

TEST(DnsText, TypeMnemonicsBothWays) {
  EXPECT_EQ(parse_type("aaaa"), type::AAAA);
  EXPECT_EQ(parse_type("TXT"), type::TXT);
  EXPECT_EQ(parse_type("TYPE65280"), 65280);
  EXPECT_FALSE(parse_type("TYPE65536"));
  EXPECT_FALSE(parse_type("AAAAA"));
  EXPECT_EQ(type_name(65280), "TYPE65280");
  EXPECT_EQ(rcode_name(rcode::NXDOMAIN), "NXDOMAIN");
  EXPECT_EQ(quote_txt("a\"b\\c\n"), "\"a\\\"b\\\\c\\010\"");
}

}  // namespace
}  // namespace sixpn::core::dns
