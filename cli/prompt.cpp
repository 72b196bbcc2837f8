#include "cli/prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "cli/errors.hpp"
#include "cli/output.hpp"
#include "cli/signals.hpp"

namespace sixpn::cli {

namespace {
std::string trimmed(std::string s) {
  auto b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return "";
  auto e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// Restores the terminal's echo however the read ends.
class EchoOff {
 public:
  explicit EchoOff(int fd) : fd_(fd) {
    if (isatty(fd_) && tcgetattr(fd_, &saved_) == 0) {
      termios quiet = saved_;
      quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
      active_ = tcsetattr(fd_, TCSAFLUSH, &quiet) == 0;
    }
  }
  ~EchoOff() {
    if (active_) tcsetattr(fd_, TCSAFLUSH, &saved_);
  }
  EchoOff(const EchoOff&) = delete;
  EchoOff& operator=(const EchoOff&) = delete;

 private:
  int fd_;
  termios saved_{};
  bool active_ = false;
};
}  // namespace

std::string Prompter::read_line() {
  std::string line;
  for (;;) {
    errno = 0;
    int c = std::fgetc(in_);
    if (c == EOF) {
      throw_if_interrupted();
      if (errno == EINTR) {
        std::clearerr(in_);
        continue;
      }
      if (line.empty()) throw UsageError("no answer given (end of input)");
      return line;
    }
    if (c == '\n') return line;
    line += static_cast<char>(c);
    if (line.size() > 4096) throw UsageError("answer is too long");
  }
}

std::size_t Prompter::select(std::string_view question, const std::vector<std::string>& choices) {
  if (choices.empty()) throw UsageError("nothing to choose from");
  for (;;) {
    std::fprintf(out_, "? %.*s\n", static_cast<int>(question.size()), question.data());
    for (std::size_t i = 0; i < choices.size(); ++i) {
      std::fprintf(out_, "  %zu) %s\n", i + 1, one_line(choices[i]).c_str());
    }
    std::fprintf(out_, "Enter a number (1-%zu): ", choices.size());
    std::fflush(out_);
    std::string answer = trimmed(read_line());
    char* end = nullptr;
    unsigned long n = std::strtoul(answer.c_str(), &end, 10);
    if (!answer.empty() && *end == '\0' && n >= 1 && n <= choices.size()) return n - 1;
    std::fprintf(out_, "Please enter a number from 1 to %zu.\n", choices.size());
  }
}

bool Prompter::confirm(std::string_view question) {
  std::fprintf(out_, "? %.*s [y/N]: ", static_cast<int>(question.size()), question.data());
  std::fflush(out_);
  std::string answer = trimmed(read_line());
  return answer == "y" || answer == "Y" || answer == "yes" || answer == "Yes" || answer == "YES";
}

std::string Prompter::ask(std::string_view question, std::string_view default_value) {
  std::fprintf(out_, "? %.*s", static_cast<int>(question.size()), question.data());
  if (!default_value.empty()) {
    std::fprintf(out_, " (%.*s)", static_cast<int>(default_value.size()), default_value.data());
  }
  std::fprintf(out_, ": ");
  std::fflush(out_);
  std::string answer = trimmed(read_line());
  return answer.empty() ? std::string(default_value) : answer;
}

std::string Prompter::secret(std::string_view question) {
  std::fprintf(out_, "? %.*s: ", static_cast<int>(question.size()), question.data());
  std::fflush(out_);
  std::string answer;
  {
    EchoOff quiet(fileno(in_));
    answer = read_line();
  }
  std::fprintf(out_, "\n");
  return trimmed(answer);
}

}  // namespace sixpn::cli
