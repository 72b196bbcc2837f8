#include "cli/output.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>

namespace sixpn::cli {

Output::Output(std::FILE* data, std::FILE* talk) : data_(data), talk_(talk) {
  const char* no_color = std::getenv("NO_COLOR");
  color_ = isatty(fileno(talk_)) && (no_color == nullptr || *no_color == '\0');
}

std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::string one_line(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

void Output::table(const std::vector<std::string>& headers,
                   const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(headers.size());
  for (std::size_t i = 0; i < headers.size(); ++i) width[i] = display_width(headers[i]);
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
      width[i] = std::max(width[i], display_width(row[i]));
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < headers.size(); ++i) {
      const std::string cell = i < cells.size() ? cells[i] : "";
      text += cell;
      if (i + 1 < headers.size()) text += std::string(width[i] - display_width(cell) + 2, ' ');
    }
    // An empty last cell must not leave trailing blanks for scripts to trip over.
    while (!text.empty() && text.back() == ' ') text.pop_back();
    out += text + "\n";
  };
  line(headers);
  for (const auto& row : rows) line(row);
  raw(out);
}

void Output::json_document(const nlohmann::json& doc) {
  // Invalid UTF-8 from anywhere is replaced rather than aborting the whole document.
  raw(doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

void JsonListText::add(const nlohmann::json& element) {
  // dump(2) of an array puts each element on its own lines, indented two more spaces; a JSON
  // text has no raw newline inside a string, so re-indenting after each newline is exact.
  const std::string text = element.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  if (text_.size() > 1) text_ += ',';
  text_ += "\n  ";
  std::size_t from = 0;
  for (auto nl = text.find('\n'); nl != std::string::npos; nl = text.find('\n', from)) {
    text_.append(text, from, nl + 1 - from).append("  ");
    from = nl + 1;
  }
  text_.append(text, from);
}

std::string JsonListText::finish() {
  return text_.size() > 1 ? text_ + "\n]\n" : "[]\n";
}

void Output::raw(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), data_);
  std::fflush(data_);
}

bool Output::write_unbuffered(std::string_view text) {
  if (std::fflush(data_) != 0) return false;
  const int fd = fileno(data_);
  std::size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

void Output::info(std::string_view line) {
  std::fprintf(talk_, "%.*s\n", static_cast<int>(line.size()), line.data());
}

void Output::warn(std::string_view line) {
  std::string text = paint("33", "Warning:") + " " + std::string(line);
  std::fprintf(talk_, "%s\n", text.c_str());
}

void Output::error(std::string_view message, std::string_view hint) {
  std::string text = paint("31", "Error:") + " " + one_line(message);
  std::fprintf(talk_, "%s\n", text.c_str());
  if (!hint.empty()) std::fprintf(talk_, "hint: %s\n", one_line(hint).c_str());
}

std::string Output::paint(std::string_view code, std::string_view s) const {
  if (!color_) return std::string(s);
  return "\033[" + std::string(code) + "m" + std::string(s) + "\033[0m";
}
std::string Output::bold(std::string_view s) const {
  return paint("1", s);
}
std::string Output::green(std::string_view s) const {
  return paint("32", s);
}
std::string Output::red(std::string_view s) const {
  return paint("31", s);
}

}  // namespace sixpn::cli
