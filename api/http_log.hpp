#pragma once
// The --verbose request/response log. It is handed only what is safe to show: whether a token
// was sent, never the token itself.
#include <functional>
#include <string>
#include <string_view>

namespace sixpn::api {

class HttpLog {
 public:
  explicit HttpLog(const std::function<void(std::string_view)>& sink) : sink_(sink) {}

  void request(std::string_view method, std::string_view url, bool sends_token,
               std::string_view idempotency_key, std::string_view body, int attempt) const;
  void response(long status, std::string_view reason, std::string_view request_id,
                std::string_view body, double seconds) const;
  void failure(std::string_view detail, double seconds) const;
  void retry(double wait_seconds, int next_attempt, int attempts) const;

  // "0.25", "30": short decimal seconds for messages.
  static std::string seconds(double s);

 private:
  void line(const std::string& text) const;

  const std::function<void(std::string_view)>& sink_;
};

// Bodies are shown up to this many bytes, control characters flattened.
inline constexpr std::size_t kLoggedBodyBytes = 2048;

}  // namespace sixpn::api
