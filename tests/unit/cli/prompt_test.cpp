#include "cli/prompt.hpp"

#include <gtest/gtest.h>

#include "capture.hpp"
#include "cli/errors.hpp"

namespace sixpn::cli {
namespace {

using testing::Capture;

TEST(Prompt, SelectAsksAgainUntilTheAnswerIsInRange) {
  Capture in("x\n0\n3\n2\n"), out;
  Prompter p(in.file(), out.file());
  EXPECT_EQ(p.select("Select organization:", {"Acme (acme)", "Beta (beta)"}), 1u);
  auto text = out.text();
  EXPECT_NE(text.find("? Select organization:\n  1) Acme (acme)\n  2) Beta (beta)\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("Please enter a number from 1 to 2."), std::string::npos);
}

TEST(Prompt, SelectAtEndOfInputIsAUsageError) {
  Capture in(""), out;
  Prompter p(in.file(), out.file());
  EXPECT_THROW(p.select("Pick", {"a"}), UsageError);
}

TEST(Prompt, ConfirmSaysYesOnlyToAnExplicitYes) {
  for (const char* yes : {"y\n", "Y\n", "yes\n", " yes \n"}) {
    Capture in(yes), out;
    EXPECT_TRUE(Prompter(in.file(), out.file()).confirm("Remove?")) << yes;
  }
  for (const char* no : {"\n", "n\n", "no\n", "yess\n", "sure\n"}) {
    Capture in(no), out;
    EXPECT_FALSE(Prompter(in.file(), out.file()).confirm("Remove?")) << no;
  }
  Capture in("y\n"), out;
  Prompter(in.file(), out.file()).confirm("Remove peer x?");
  EXPECT_EQ(out.text(), "? Remove peer x? [y/N]: ");
}

TEST(Prompt, AskTakesTheDefaultOnAnEmptyAnswer) {
  Capture in("\nmine.conf\n"), out;
  Prompter p(in.file(), out.file());
  EXPECT_EQ(p.ask("File", "peer.conf"), "peer.conf");
  EXPECT_EQ(p.ask("File", "peer.conf"), "mine.conf");
  EXPECT_EQ(out.text(), "? File (peer.conf): ? File (peer.conf): ");
}

TEST(Prompt, AnswerWithoutFinalNewlineStillCounts) {
  Capture in("2"), out;
  EXPECT_EQ(Prompter(in.file(), out.file()).select("Pick", {"a", "b"}), 1u);
}

}  // namespace
}  // namespace sixpn::cli
