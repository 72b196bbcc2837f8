#include "host/shim.hpp"

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "host/machine_log.hpp"

namespace sixpn::host {
namespace {

class ShimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sixpn-shim-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    options_ = {(dir_ / "runc").string(), (dir_ / "bundle").string(), "3d8d9e1b2c4a70",
                (dir_ / "machine.log").string(), (dir_ / "exit").string()};
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  ShimOptions options_;
};

TEST_F(ShimTest, RunsRuncInTheForegroundWithTheHostsStateDirectory) {
  EXPECT_EQ(runc_run_argv(options_),
            (std::vector<std::string>{"runc", "--root", options_.runc_root, "run", "--bundle",
                                      options_.bundle, "3d8d9e1b2c4a70"}));
}

TEST_F(ShimTest, ARuncThatCannotStartIsALogRecordAndExitCode127) {
  const char* saved = getenv("PATH");
  std::string path = saved ? saved : "";
  setenv("PATH", dir_.c_str(), 1);  // no runc in an empty directory
  int code = run_shim(options_);
  setenv("PATH", path.c_str(), 1);
  EXPECT_EQ(code, kShimCannotRun);
  EXPECT_EQ(read_exit_code(options_.exit_path), kShimCannotRun);
  std::ifstream log(options_.log_path);
  std::string line;
  ASSERT_TRUE(std::getline(log, line));
  auto record = parse_log_record(line);
  ASSERT_TRUE(record) << line;
  EXPECT_EQ(record->stream, Stream::Stderr);
  EXPECT_EQ(record->text, "sixpnd: cannot run runc: No such file or directory");
}

TEST_F(ShimTest, ReadExitCodeRefusesWhatIsNotACode) {
  EXPECT_EQ(read_exit_code(options_.exit_path), std::nullopt);
  for (const char* text : {"", "x\n", "-1\n", "256\n"}) {
    std::ofstream(options_.exit_path) << text;
    EXPECT_EQ(read_exit_code(options_.exit_path), std::nullopt) << text;
  }
  std::ofstream(options_.exit_path) << "137\n";
  EXPECT_EQ(read_exit_code(options_.exit_path), 137);
}

}  // namespace
}  // namespace sixpn::host
