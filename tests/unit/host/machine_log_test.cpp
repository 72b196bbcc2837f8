#include "host/machine_log.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-12-01T10:11:12.345Z
const system_clock::time_point kWhen = system_clock::time_point(milliseconds(1796119872345));

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Rfc3339Millis, IsUtcWithMilliseconds) {
  EXPECT_EQ(rfc3339_millis(kWhen), "2026-12-01T10:11:12.345Z");
  EXPECT_EQ(rfc3339_millis(system_clock::time_point(milliseconds(7))), "1970-01-01T00:00:00.007Z");
}

TEST(LineStamper, StampsEachCompleteLineAndKeepsThePartialOne) {
  LineStamper stamper(Stream::Stdout);
  EXPECT_EQ(stamper.feed("one\ntw", kWhen),
            std::vector<std::string>{"2026-12-01T10:11:12.345Z stdout one\n"});
  EXPECT_EQ(stamper.feed("o\n\nthree", kWhen),
            (std::vector<std::string>{"2026-12-01T10:11:12.345Z stdout two\n",
                                      "2026-12-01T10:11:12.345Z stdout \n"}));
  EXPECT_EQ(stamper.finish(kWhen), "2026-12-01T10:11:12.345Z stdout three\n");
  EXPECT_EQ(stamper.finish(kWhen), std::nullopt);
}

TEST(LineStamper, CutsAnOverlongLineIntoBoundedRecords) {
  LineStamper stamper(Stream::Stderr);
  std::string long_line(LineStamper::kMaxLineBytes + 10, 'x');
  auto records = stamper.feed(long_line + "\n", kWhen);
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0], "2026-12-01T10:11:12.345Z stderr " +
                            std::string(LineStamper::kMaxLineBytes, 'x') + "\n");
  EXPECT_EQ(records[1], "2026-12-01T10:11:12.345Z stderr xxxxxxxxxx\n");
}

TEST(LineStamper, ALineOfExactlyTheCapIsOneRecord) {
  LineStamper stamper(Stream::Stdout);
  std::string line(LineStamper::kMaxLineBytes, 'y');
  EXPECT_TRUE(stamper.feed(line, kWhen).empty());
  auto records = stamper.feed("\n", kWhen);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].size(), 24 + 8 + LineStamper::kMaxLineBytes + 1);
}

TEST(ParseLogRecord, ReadsWhatTheStamperWrites) {
  auto record = parse_log_record("2026-12-01T10:11:12.345Z stderr it broke: here\n");
  ASSERT_TRUE(record);
  EXPECT_EQ(record->timestamp, "2026-12-01T10:11:12.345Z");
  EXPECT_EQ(record->stream, Stream::Stderr);
  EXPECT_EQ(record->text, "it broke: here");
  EXPECT_EQ(parse_log_record("2026-12-01T10:11:12.345Z stdout ")->text, "");
}

TEST(ParseLogRecord, RefusesOtherLines) {
  for (const char* bad :
       {"", "hello", "2026-12-01T10:11:12.345Z stdin x", "2026-12-01 10:11:12.345Z stdout x",
        "2026-12-01T10:11:12.345Z stdoutx"}) {
    EXPECT_EQ(parse_log_record(bad), std::nullopt) << bad;
  }
}

class RotatingLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sixpn-log-test-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(RotatingLogTest, CreatesTheFileForTheOperatorOnly) {
  RotatingLog log((dir_ / "m.log").string(), 1024);
  log.append("a\n");
  struct stat st {};
  ASSERT_EQ(stat((dir_ / "m.log").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST_F(RotatingLogTest, RotatesBeforeARecordWouldPassTheCapAndKeepsOneOlderFile) {
  const auto path = dir_ / "m.log";
  {
    RotatingLog log(path.string(), 10);
    log.append("12345\n");
    log.append("6789\n");    // 6 + 5 would pass the cap: rotate first
    log.append("ab\n");      // 5 + 3 fits
    log.append("cdefgh\n");  // 8 + 7 does not: rotate again, "12345\n" is gone
    log.append("z\n");
  }
  EXPECT_EQ(slurp(dir_ / "m.log.1"), "6789\nab\n");
  EXPECT_EQ(slurp(path), "cdefgh\nz\n");
}

TEST_F(RotatingLogTest, ContinuesAnExistingFileAndCountsItsSize) {
  const auto path = dir_ / "m.log";
  { RotatingLog(path.string(), 10).append("1234567\n"); }
  RotatingLog log(path.string(), 10);
  log.append("abc\n");
  EXPECT_EQ(slurp(dir_ / "m.log.1"), "1234567\n");
  EXPECT_EQ(slurp(path), "abc\n");
}

TEST_F(RotatingLogTest, ARecordLargerThanTheCapStillLands) {
  const auto path = dir_ / "m.log";
  RotatingLog log(path.string(), 4);
  log.append("0123456789\n");
  EXPECT_EQ(slurp(path), "0123456789\n");
}

TEST_F(RotatingLogTest, AnUnwritableDirectoryIsASystemError) {
  EXPECT_THROW(RotatingLog((dir_ / "missing/m.log").string(), 10), std::system_error);
}

}  // namespace
}  // namespace sixpn::host
