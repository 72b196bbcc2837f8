#include "host/agent_state.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;

unsigned mode_of(const fs::path& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

class AgentStateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sixpn-agent-state-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
  }
  void TearDown() override { fs::remove_all(root_); }
  fs::path root_;
};

api::HostRegistered answer() {
  api::HostRegistered out;
  out.host.id = 0x0c000001;
  out.host.name = "ams-1";
  out.host.region = "ams";
  out.host.endpoint = "10.0.0.2:51821";
  out.credential = "sixpn_host_abc";
  return out;
}

TEST_F(AgentStateDirTest, CreatesTheDirectory0700) {
  AgentStateDir dir((root_ / "a/b").string());
  EXPECT_EQ(mode_of(root_ / "a/b"), 0700u);
  fs::create_directories(root_ / "open");
  fs::permissions(root_ / "open", fs::perms::all);
  AgentStateDir again((root_ / "open").string());
  EXPECT_EQ(mode_of(root_ / "open"), 0700u);
}

TEST_F(AgentStateDirTest, MakesTheKeyOnce0600AndUsesItLater) {
  AgentStateDir dir(root_.string());
  bool created = false;
  auto key = dir.load_or_make_key(&created);
  EXPECT_TRUE(created);
  EXPECT_EQ(mode_of(root_ / "wireguard.key"), 0600u);
  auto again = dir.load_or_make_key(&created);
  EXPECT_FALSE(created);
  EXPECT_EQ(again.public_key(), key.public_key());
}

TEST_F(AgentStateDirTest, RefusesAKeyFileOthersCanRead) {
  AgentStateDir dir(root_.string());
  dir.load_or_make_key();
  fs::permissions(root_ / "wireguard.key", fs::perms::others_read, fs::perm_options::add);
  EXPECT_THROW(dir.load_or_make_key(), StateDirError);
}

TEST_F(AgentStateDirTest, RefusesAKeyFileThatIsNoKey) {
  std::ofstream(root_ / "wireguard.key") << "not a key\n";
  fs::permissions(root_ / "wireguard.key", fs::perms::owner_read | fs::perms::owner_write);
  AgentStateDir dir(root_.string());
  EXPECT_THROW(dir.load_or_make_key(), StateDirError);
}

TEST_F(AgentStateDirTest, KeepsTheRegistrationAndRefusesASecond) {
  AgentStateDir dir(root_.string());
  EXPECT_FALSE(dir.credential());
  EXPECT_FALSE(dir.registration());
  dir.keep_registration(answer());
  EXPECT_EQ(dir.credential(), "sixpn_host_abc");
  EXPECT_EQ(mode_of(root_ / "credential"), 0600u);
  EXPECT_EQ(mode_of(root_ / "host.json"), 0600u);
  auto host = dir.registration();
  ASSERT_TRUE(host);
  EXPECT_EQ(host->id, 0x0c000001u);
  EXPECT_EQ(host->region, "ams");
  EXPECT_THROW(dir.keep_registration(answer()), StateDirError);
  EXPECT_EQ(AgentStateDir(root_.string()).credential(), "sixpn_host_abc");
}

TEST_F(AgentStateDirTest, CreateSecretFileNeverFollowsOrReplaces) {
  const auto target = root_ / "elsewhere";
  std::ofstream(target) << "untouched";
  fs::create_symlink(target, root_ / "link");
  EXPECT_FALSE(create_secret_file((root_ / "link").string(), "secret"));
  EXPECT_FALSE(create_secret_file(target.string(), "secret"));
  EXPECT_EQ(read_file_if_exists(target.string()), "untouched");
  EXPECT_TRUE(create_secret_file((root_ / "new").string(), "secret"));
  EXPECT_EQ(mode_of(root_ / "new"), 0600u);
}

}  // namespace
}  // namespace sixpn::host
