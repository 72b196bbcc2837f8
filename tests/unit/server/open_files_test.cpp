#include "server/open_files.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>

namespace sixpn::server {
namespace {

TEST(OpenFiles, NoWarningWhenTheLimitHoldsEveryConnectionAndSixpndsOwn) {
  EXPECT_EQ(open_file_limit_warning(4096 + kOwnDescriptors, 4096), "");
  EXPECT_EQ(open_file_limit_warning(1048576, 4096), "");
}

TEST(OpenFiles, TheWarningNamesTheLimitAndWhatFitsUnderIt) {
  auto warning = open_file_limit_warning(1024, 4096);
  EXPECT_NE(warning.find("1024"), std::string::npos) << warning;
  EXPECT_NE(warning.find("about " + std::to_string(1024 - kOwnDescriptors) + " connections"),
            std::string::npos)
      << warning;
  EXPECT_NE(warning.find("--max-connections 4096"), std::string::npos) << warning;
  EXPECT_NE(open_file_limit_warning(10, 4096).find("about 0 connections"), std::string::npos);
}

TEST(OpenFiles, RaisesTheSoftLimitToTheHardOne) {
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit lowered = before;
  if (lowered.rlim_max == RLIM_INFINITY || lowered.rlim_max > 256) lowered.rlim_cur = 256;
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &lowered), 0);
  auto now = raise_open_file_limit();
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &after), 0);
  EXPECT_EQ(after.rlim_cur, after.rlim_max);
  if (after.rlim_cur != RLIM_INFINITY) {
    EXPECT_EQ(now, after.rlim_cur);
  }
  setrlimit(RLIMIT_NOFILE, &before);
}

}  // namespace
}  // namespace sixpn::server
