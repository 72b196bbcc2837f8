#include "core/names.hpp"

#include <gtest/gtest.h>

namespace sixpn::core {
namespace {

TEST(InterfaceName, AcceptsWgQuicksCharacterSetUpToFifteen) {
  for (const char* ok : {"a", "wg0", "my-laptop", "a_b=c+d.e-f", "fifteen-chars15"}) {
    EXPECT_EQ(interface_name_problem(ok), "") << ok;
  }
}

TEST(InterfaceName, SixteenCharactersIsRefusedNamingTheRule) {
  EXPECT_EQ(interface_name_problem("my-laptop-at-home"),
            "interface name \"my-laptop-at-home\" is 17 characters; wg-quick allows at most 15");
  EXPECT_NE(interface_name_problem("sixteen-chars-16"), "");
}

TEST(InterfaceName, RefusesEmptyDotsAndForeignCharacters) {
  EXPECT_EQ(interface_name_problem(""),
            "interface name is empty; wg-quick needs 1 to 15 characters");
  EXPECT_EQ(interface_name_problem("."), "interface name \".\" is refused by the kernel");
  EXPECT_EQ(interface_name_problem(".."), "interface name \"..\" is refused by the kernel");
  for (const char* bad : {"a b", "a/b", "caf\xc3\xa9", "a:b", "a@b"}) {
    EXPECT_NE(interface_name_problem(bad).find("wg-quick refuses"), std::string::npos) << bad;
  }
}

TEST(InterfaceName, SuggestionAlwaysPassesTheRule) {
  for (const char* name :
       {"my-laptop-at-home", "interactive-host-1234567", "....", "a b c", "\xc3\xa9\xc3\xa9", ""}) {
    auto suggestion = suggest_interface_name(name);
    EXPECT_EQ(interface_name_problem(suggestion), "") << name << " -> " << suggestion;
  }
  EXPECT_EQ(suggest_interface_name("my-laptop-at-home"), "my-laptop-at-ho");
}

TEST(PeerName, IsADnsLabel) {
  EXPECT_EQ(peer_name_problem("my-peer"), "");
  EXPECT_EQ(peer_name_problem(std::string(63, 'a')), "");
  EXPECT_EQ(
      peer_name_problem(std::string(64, 'a')),
      "peer name \"" + std::string(64, 'a') + "\" is 64 characters; a DNS label allows at most 63");
  EXPECT_EQ(peer_name_problem("-peer"),
            "peer name \"-peer\" may not start or end with '-' (it is a DNS label)");
  EXPECT_NE(peer_name_problem("peer-"), "");
  EXPECT_NE(peer_name_problem("my_peer"), "");
  EXPECT_NE(peer_name_problem("my.peer"), "");
  EXPECT_NE(peer_name_problem(""), "");
}

TEST(PeerName, ErrorsShowControlBytesEscapedOnOneLine) {
  auto problem = peer_name_problem(std::string("a\nb\0c", 5));
  EXPECT_EQ(problem.find('\n'), std::string::npos);
  EXPECT_NE(problem.find("\\x0a"), std::string::npos);
}

TEST(ConfigFileStem, TakesTheStemOfDotConfPathsOnly) {
  EXPECT_EQ(config_file_stem("dir/sub/wg0.conf"), "wg0");
  EXPECT_EQ(config_file_stem("wg0.conf"), "wg0");
  EXPECT_EQ(config_file_stem(".conf"), "");
  EXPECT_FALSE(config_file_stem("wg0.txt").has_value());
  EXPECT_FALSE(config_file_stem("wg0").has_value());
}

}  // namespace
}  // namespace sixpn::core
