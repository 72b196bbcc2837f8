#include "server/http/auth_limiter.hpp"

#include <gtest/gtest.h>

namespace sixpn::server::http {
namespace {

using namespace std::chrono_literals;
using Clock = AuthLimiter::Clock;

TEST(AuthLimiter, RefusesAnAddressAfterTheLimitUntilTheWindowEnds) {
  AuthLimiter limiter(3, 60s);
  auto t0 = Clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.retry_after("10.0.0.1", t0), 0);
    limiter.record_failure("10.0.0.1", t0);
  }
  EXPECT_GT(limiter.retry_after("10.0.0.1", t0 + 1s), 0);
  EXPECT_LE(limiter.retry_after("10.0.0.1", t0 + 1s), 60);
  EXPECT_EQ(limiter.retry_after("10.0.0.2", t0 + 1s), 0) << "other addresses are not affected";
  EXPECT_EQ(limiter.retry_after("10.0.0.1", t0 + 61s), 0) << "the window has ended";
}

TEST(AuthLimiter, FailuresInAnOldWindowDoNotCount) {
  AuthLimiter limiter(2, 10s);
  auto t0 = Clock::now();
  limiter.record_failure("a", t0);
  limiter.record_failure("a", t0 + 11s);
  EXPECT_EQ(limiter.retry_after("a", t0 + 12s), 0);
  limiter.record_failure("a", t0 + 12s);
  EXPECT_GT(limiter.retry_after("a", t0 + 12s), 0);
}

}  // namespace
}  // namespace sixpn::server::http
