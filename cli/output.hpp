#pragma once
// The one place that decides how things are shown: tables or JSON on stdout, everything said to
// a person on stderr, colour only on a terminal and never with NO_COLOR.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace sixpn::cli {

// The text Output::json_document prints for a JSON array, built one element at a time.
class JsonListText {
 public:
  void add(const nlohmann::json& element);
  std::string finish();  // the whole text, newline-terminated

 private:
  std::string text_ = "[";
};

class Output {
 public:
  Output(std::FILE* data = stdout, std::FILE* talk = stderr);

  void set_json(bool on) { json_ = on; }
  bool json() const { return json_; }
  bool color() const { return color_; }

  // stdout: data only.
  void table(const std::vector<std::string>& headers,
             const std::vector<std::vector<std::string>>& rows);
  void json_document(const nlohmann::json& doc);
  // Prints a list exactly as json_document prints the array of to_json(item), but one element
  // at a time: a 10,000-peer list is then never held a second time as a JSON document.
  template <class T, class ToJson>
  void json_list(const std::vector<T>& items, ToJson to_json) {
    JsonListText text;
    for (const auto& item : items) text.add(to_json(item));
    raw(text.finish());
  }
  void raw(std::string_view text);
  // Writes straight to the data descriptor, bypassing stdio's buffer so a secret (a rendered
  // config) leaves no copy there. Returns false, with errno set, when the write failed.
  bool write_unbuffered(std::string_view text);

  // stderr: messages for a person.
  void info(std::string_view line);
  void warn(std::string_view line);
  void error(std::string_view message, std::string_view hint = {});

  std::string bold(std::string_view s) const;
  std::string green(std::string_view s) const;
  std::string red(std::string_view s) const;

 private:
  std::string paint(std::string_view code, std::string_view s) const;

  std::FILE* data_;
  std::FILE* talk_;
  bool json_ = false;
  bool color_ = false;
};

// Display width of UTF-8 text in terminal columns (one per code point; enough for our tables).
std::size_t display_width(std::string_view s);

// Flattens control characters so a server's or user's text cannot break a one-line message.
std::string one_line(std::string_view s);

}  // namespace sixpn::cli
