#include "host/agent_logs.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

namespace sixpn::host {
namespace {

namespace fs = std::filesystem;

const std::string kStamp = "2026-12-01T10:11:12.345Z ";

std::string record(const std::string& text, const char* stream = "stdout") {
  return kStamp + stream + " " + text + "\n";
}

TEST(PlanLogReads, ReadsOnInTheSameFile) {
  EXPECT_EQ(plan_log_reads({7, 100}, LogFileInfo{7, 250}, std::nullopt),
            (std::vector<LogSpan>{{false, 7, 100, 250}}));
  EXPECT_TRUE(plan_log_reads({7, 250}, LogFileInfo{7, 250}, std::nullopt).empty());
}

TEST(PlanLogReads, AFileThatShrankIsReadFromItsStart) {
  EXPECT_EQ(plan_log_reads({7, 300}, LogFileInfo{7, 40}, std::nullopt),
            (std::vector<LogSpan>{{false, 7, 0, 40}}));
}

TEST(PlanLogReads, AfterARotationTheRestOfTheOldFileThenTheNewOne) {
  EXPECT_EQ(plan_log_reads({7, 100}, LogFileInfo{9, 30}, LogFileInfo{7, 250}),
            (std::vector<LogSpan>{{true, 7, 100, 250}, {false, 9, 0, 30}}));
}

TEST(PlanLogReads, NothingSentYetStartsAtTheOldestFile) {
  EXPECT_EQ(plan_log_reads({}, LogFileInfo{9, 30}, LogFileInfo{7, 250}),
            (std::vector<LogSpan>{{true, 7, 0, 250}, {false, 9, 0, 30}}));
  EXPECT_EQ(plan_log_reads({}, LogFileInfo{9, 30}, std::nullopt),
            (std::vector<LogSpan>{{false, 9, 0, 30}}));
  EXPECT_TRUE(plan_log_reads({}, std::nullopt, std::nullopt).empty());
}

TEST(SplitRecords, KeepsAPartialLineForLater) {
  auto text = record("one") + record("two", "stderr") + "not a record\n" + kStamp + "stdout thr";
  auto split = split_records(text);
  ASSERT_EQ(split.records.size(), 2u);
  EXPECT_EQ(split.records[0].text, "one");
  EXPECT_EQ(split.records[1].stream, Stream::Stderr);
  EXPECT_EQ(split.consumed, text.size() - (kStamp.size() + 10));
}

class ReadNewRecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/sixpn-agent-logs-XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    root_ = dir;
    path_ = (root_ / "machine.log").string();
  }
  void TearDown() override { fs::remove_all(root_); }

  std::vector<std::string> texts(const NewRecords& got) {
    std::vector<std::string> out;
    for (const auto& r : got.records) out.push_back(r.text);
    return out;
  }

  fs::path root_;
  std::string path_;
};

TEST_F(ReadNewRecordsTest, SendsEachLineOnceAcrossARotation) {
  // Each record is 35 bytes: the cap of 100 rotates the file after the second.
  RotatingLog log(path_, 100);
  log.append(record("line-1"));
  log.append(record("line-2"));
  auto first = read_new_records(path_, {}, 1 << 20);
  EXPECT_EQ(texts(first), (std::vector<std::string>{"line-1", "line-2"}));
  log.append(record("line-3"));  // rotates: line-1 and line-2 are in machine.log.1 now
  log.append(record("line-4"));
  auto second = read_new_records(path_, first.next, 1 << 20);
  EXPECT_EQ(texts(second), (std::vector<std::string>{"line-3", "line-4"}));
  EXPECT_TRUE(read_new_records(path_, second.next, 1 << 20).records.empty());
}

TEST_F(ReadNewRecordsTest, ABudgetSplitsTheWorkWithoutLosingLines) {
  RotatingLog log(path_, 1 << 20);
  for (int i = 0; i < 10; ++i) log.append(record("n" + std::to_string(i)));
  std::vector<std::string> all;
  LogCursor cursor;
  for (int round = 0; round < 20; ++round) {
    auto got = read_new_records(path_, cursor, 70);  // two records a round
    for (auto& t : texts(got)) all.push_back(t);
    cursor = got.next;
  }
  ASSERT_EQ(all.size(), 10u);
  EXPECT_EQ(all.front(), "n0");
  EXPECT_EQ(all.back(), "n9");
}

TEST_F(ReadNewRecordsTest, TheCursorSurvivesInAFile) {
  const auto cursor_path = (root_ / "log.offset").string();
  EXPECT_EQ(load_log_cursor(cursor_path), LogCursor{});
  ASSERT_TRUE(save_log_cursor(cursor_path, {12345, 678}));
  EXPECT_EQ(load_log_cursor(cursor_path), (LogCursor{12345, 678}));
  EXPECT_FALSE(save_log_cursor((root_ / "gone/log.offset").string(), {1, 2}));
}

}  // namespace
}  // namespace sixpn::host
