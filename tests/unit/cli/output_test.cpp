#include "cli/output.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture.hpp"

namespace sixpn::cli {
namespace {

using nlohmann::json;

// What json_list prints must be byte for byte what json_document prints for the same array:
// scripts read `--json` output, and the two paths must not drift apart.
std::string as_document(const std::vector<json>& items) {
  testing::Capture out, err;
  Output o(out.file(), err.file());
  o.json_document(json(items));
  return out.text();
}

std::string as_list(const std::vector<json>& items) {
  testing::Capture out, err;
  Output o(out.file(), err.file());
  o.json_list(items, [](const json& j) { return j; });
  return out.text();
}

TEST(OutputJsonList, EmptyListIsTheSameAsTheDocument) {
  EXPECT_EQ(as_list({}), "[]\n");
  EXPECT_EQ(as_list({}), as_document({}));
}

TEST(OutputJsonList, NestedElementsAreIndentedAsInTheDocument) {
  std::vector<json> items = {
      json{{"name", "a"}, {"tags", json::array({"x", "y"})}, {"empty", json::object()}},
      json{{"name", "line\nbreak"}, {"nested", {{"deep", {{"n", 1}}}}}, {"none", nullptr}},
      json("plain string"),
      json::array(),
  };
  EXPECT_EQ(as_list(items), as_document(items));
  EXPECT_EQ(as_list({json{{"a", 1}}}), "[\n  {\n    \"a\": 1\n  }\n]\n");
}

TEST(OutputJsonList, InvalidUtf8IsReplacedAsInTheDocument) {
  std::vector<json> items = {json{{"name", std::string("bad\xff")}}};
  EXPECT_EQ(as_list(items), as_document(items));
}

TEST(OutputJsonList, ListsLongerThanOneFlushMatchTheDocument) {
  std::vector<json> items;
  for (int i = 0; i < 3000; ++i) {
    items.push_back({{"name", "peer-" + std::to_string(i)}, {"peer_ip", "fdaa:0:1:a7b::a:2"}});
  }
  EXPECT_EQ(as_list(items), as_document(items));
}

}  // namespace
}  // namespace sixpn::cli
