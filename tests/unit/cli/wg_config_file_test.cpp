#include "commands/wg_config_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include "cli/errors.hpp"
#include "core/names.hpp"
#include "env.hpp"

namespace sixpn::commands {
namespace {

namespace fs = std::filesystem;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

mode_t mode_of(const fs::path& p) {
  struct stat st;
  EXPECT_EQ(::stat(p.c_str(), &st), 0);
  return st.st_mode & 0777;
}

TEST(ConfigTarget, StdoutAndConfFiles) {
  EXPECT_TRUE(parse_config_target("stdout").to_stdout);
  auto t = parse_config_target("dir/my-laptop.conf");
  EXPECT_FALSE(t.to_stdout);
  EXPECT_EQ(t.path, "dir/my-laptop.conf");
  EXPECT_EQ(parse_config_target("fifteen-chars15.conf").path, "fifteen-chars15.conf");
}

TEST(ConfigTarget, SixteenCharacterStemNamesTheRuleAndSuggests) {
  try {
    parse_config_target("sixteen-chars-16.conf");
    FAIL();
  } catch (const cli::UsageError& e) {
    EXPECT_STREQ(e.what(),
                 "file name \"sixteen-chars-16.conf\" will not load: interface name "
                 "\"sixteen-chars-16\" is 16 characters; wg-quick allows at most 15");
    EXPECT_EQ(e.hint(), "the file's stem becomes the interface name; try sixteen-chars-1.conf");
    EXPECT_EQ(e.exit_code(), 2);
  }
}

TEST(ConfigTarget, SuggestionKeepsTheDirectory) {
  try {
    parse_config_target("out/a very long name!.conf");
    FAIL();
  } catch (const cli::UsageError& e) {
    EXPECT_EQ(e.hint(), "the file's stem becomes the interface name; try out/averylongname.conf");
  }
}

TEST(ConfigTarget, MustEndInConf) {
  EXPECT_THROW(parse_config_target("peer.txt"), cli::UsageError);
  EXPECT_THROW(parse_config_target("peer"), cli::UsageError);
  EXPECT_THROW(parse_config_target(".conf"), cli::UsageError);
}

TEST(ConfigTarget, DefaultFileIsNameDotConfShortenedWhenTooLong) {
  EXPECT_EQ(default_config_file("laptop"), "laptop.conf");
  auto long_one = default_config_file("interactive-host-0a1b2c3d");
  EXPECT_EQ(core::interface_name_problem(*core::config_file_stem(long_one)), "");
}

TEST(ClaimedFile, IsCreatedWithMode0600WhateverTheUmask) {
  testing::ScopedEnv env;
  auto path = env.dir() / "p.conf";
  mode_t old = ::umask(0);
  {
    auto f = ClaimedFile::claim(path, false);
    f.commit("[Interface]\n");
  }
  ::umask(old);
  EXPECT_EQ(mode_of(path), 0600u);
  EXPECT_EQ(slurp(path), "[Interface]\n");
}

TEST(ClaimedFile, RefusesAnExistingFileAndLeavesItAlone) {
  testing::ScopedEnv env;
  auto path = env.dir() / "p.conf";
  std::ofstream(path) << "keep me";
  try {
    ClaimedFile::claim(path, false);
    FAIL();
  } catch (const cli::Conflict& e) {
    EXPECT_EQ(e.exit_code(), 5);
  }
  EXPECT_EQ(slurp(path), "keep me");
}

TEST(ClaimedFile, RefusesADanglingSymlink) {
  testing::ScopedEnv env;
  auto path = env.dir() / "p.conf";
  fs::create_symlink(env.dir() / "elsewhere", path);
  EXPECT_THROW(ClaimedFile::claim(path, false), cli::Conflict);
  EXPECT_FALSE(fs::exists(env.dir() / "elsewhere"));
}

TEST(ClaimedFile, UncommittedClaimIsRemoved) {
  testing::ScopedEnv env;
  auto path = env.dir() / "p.conf";
  { auto f = ClaimedFile::claim(path, false); }
  EXPECT_FALSE(fs::exists(path));
}

TEST(ClaimedFile, ForceReplacesAtomicallyAndLeavesNoTemporaryFile) {
  testing::ScopedEnv env;
  auto path = env.dir() / "p.conf";
  std::ofstream(path) << "old";
  {
    auto f = ClaimedFile::claim(path, true);
    EXPECT_EQ(slurp(path), "old") << "the old file stays until the new one is complete";
    f.commit("new");
  }
  EXPECT_EQ(slurp(path), "new");
  EXPECT_EQ(mode_of(path), 0600u);
  int named_like_it = 0;
  for (auto& e : fs::directory_iterator(env.dir())) {
    named_like_it += e.path().filename().string().rfind("p.conf", 0) == 0;
  }
  EXPECT_EQ(named_like_it, 1) << "a temporary p.conf.tmp.* was left behind";
}

TEST(ClaimedFile, ForceWithoutCommitKeepsTheOldFile) {
  testing::ScopedEnv env;
  auto path = env.dir() / "p.conf";
  std::ofstream(path) << "old";
  { auto f = ClaimedFile::claim(path, true); }
  EXPECT_EQ(slurp(path), "old");
  int files = 0;
  for (auto& e : fs::directory_iterator(env.dir())) files += e.is_regular_file();
  EXPECT_EQ(files, 1);
}

TEST(ClaimedFile, UnwritableDirectoryFailsBeforeAnythingElse) {
  EXPECT_THROW(ClaimedFile::claim("/nonexistent-dir/p.conf", false), cli::Failure);
}

TEST(PeerName, DefaultStartsWithInteractiveAndIsADnsLabel) {
  EXPECT_EQ(default_peer_name("my-laptop", "0a1b2c3d"), "interactive-my-laptop-0a1b2c3d");
  EXPECT_EQ(default_peer_name("My_Laptop.local", "0a1b2c3d"), "interactive-my-laptop-0a1b2c3d");
  EXPECT_EQ(default_peer_name("", "0a1b2c3d"), "interactive-0a1b2c3d");
  EXPECT_EQ(default_peer_name("---", "0a1b2c3d"), "interactive-0a1b2c3d");
  auto long_host = default_peer_name(std::string(100, 'h'), "0a1b2c3d");
  EXPECT_EQ(long_host.size(), 63u);
  EXPECT_EQ(core::peer_name_problem(long_host), "");
  auto generated = generate_peer_name();
  EXPECT_EQ(generated.rfind("interactive-", 0), 0u);
  EXPECT_EQ(core::peer_name_problem(generated), "");
  EXPECT_NE(generate_peer_name(), generated);
}

}  // namespace
}  // namespace sixpn::commands
