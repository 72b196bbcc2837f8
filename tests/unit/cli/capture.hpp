#pragma once
// A FILE* that tests can write to through Output/Prompter and read back.
#include <cstdio>
#include <string>

namespace sixpn::testing {

class Capture {
 public:
  Capture() : f_(std::tmpfile()) {}
  explicit Capture(const std::string& input) : f_(std::tmpfile()) {
    std::fputs(input.c_str(), f_);
    std::rewind(f_);
  }
  ~Capture() { std::fclose(f_); }
  Capture(const Capture&) = delete;
  Capture& operator=(const Capture&) = delete;

  std::FILE* file() { return f_; }
  std::string text() {
    std::fflush(f_);
    std::string out;
    std::rewind(f_);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, f_)) > 0) out.append(buf, n);
    return out;
  }

 private:
  std::FILE* f_;
};

}  // namespace sixpn::testing
