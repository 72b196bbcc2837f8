#pragma once
// Questions to a person: written to stderr, answered on stdin. Callers ask only when
// Context::interactive() is true; these functions never decide that themselves.
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace sixpn::cli {

class Prompter {
 public:
  explicit Prompter(std::FILE* in = stdin, std::FILE* out = stderr) : in_(in), out_(out) {}

  // A numbered list; returns the index of the chosen entry. Asks again on a bad answer.
  std::size_t select(std::string_view question, const std::vector<std::string>& choices);
  // y/N: only an explicit yes says yes.
  bool confirm(std::string_view question);
  // A free-text answer; an empty answer takes the default.
  std::string ask(std::string_view question, std::string_view default_value);
  // Like ask, without echoing what is typed when stdin is a terminal.
  std::string secret(std::string_view question);

 private:
  // One line without its newline. End of input is a UsageError, Ctrl-C is Interrupted.
  std::string read_line();

  std::FILE* in_;
  std::FILE* out_;
};

}  // namespace sixpn::cli
