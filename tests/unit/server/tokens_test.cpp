#include "server/tokens.hpp"

#include <gtest/gtest.h>

namespace sixpn::server {
namespace {

constexpr std::time_t kNow = 1800000000;  // 2027-01-15T08:00:00Z

std::optional<std::time_t> expiry(const char* text) {
  std::string problem;
  auto when = parse_expiry(text, kNow, problem);
  if (!when) {
    EXPECT_FALSE(problem.empty());
  }
  return when;
}

TEST(TokenExpiry, DurationsCountFromNow) {
  EXPECT_EQ(expiry("45s"), kNow + 45);
  EXPECT_EQ(expiry("90m"), kNow + 90 * 60);
  EXPECT_EQ(expiry("12h"), kNow + 12 * 3600);
  EXPECT_EQ(expiry("30d"), kNow + 30 * 86400);
}

TEST(TokenExpiry, Rfc3339TimesWithAZoneOrAnOffset) {
  EXPECT_EQ(expiry("2027-01-15T09:00:00Z"), kNow + 3600);
  EXPECT_EQ(expiry("2027-01-15T10:00:00+01:00"), kNow + 3600);
  EXPECT_EQ(expiry("2027-01-15T04:30:00-04:30"), kNow + 3600);
  EXPECT_EQ(expiry("2027-01-15T09:00:00.250Z"), kNow + 3600);
}

TEST(TokenExpiry, AnythingElseOrThePastIsRefusedWithAReason) {
  for (const char* bad : {"", "30", "d", "30y", "-5m", "0d", "1.5h", "99999999999d", "soon",
                          "2027-01-15", "2027-01-15T09:00:00", "2027-13-01T00:00:00Z",
                          "2027-01-15T09:00:00+1:00", "2027-01-15T09:00:00Zjunk"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(expiry(bad).has_value());
  }
  std::string problem;
  EXPECT_FALSE(parse_expiry("2027-01-15T08:00:00Z", kNow, problem).has_value());
  EXPECT_EQ(problem, "--expires 2027-01-15T08:00:00Z is not in the future");
}

TEST(TokenName, LettersDigitsAndAFewMarks) {
  EXPECT_EQ(token_name_problem("ci-deploy_2.alice@laptop"), "");
  EXPECT_NE(token_name_problem(""), "");
  EXPECT_NE(token_name_problem(std::string(65, 'a')), "");
  EXPECT_EQ(token_name_problem("has space"),
            "token name \"has space\" may use only letters, digits and . _ @ -");
  EXPECT_NE(token_name_problem("tab\there"), "");
}

}  // namespace
}  // namespace sixpn::server
