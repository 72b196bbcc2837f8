#pragma once
// Refuses callers that keep presenting bad tokens: after `limit` failed authentications from
// one address within a window, further requests from it that do not carry a valid token are
// answered 429 until the window ends. Valid tokens are never refused, so a misbehaving script
// on a shared host does not lock out its neighbours; the point is to make token guessing and
// log flooding expensive, not to meter honest traffic.
#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace sixpn::server::http {

class AuthLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  AuthLimiter(int limit, std::chrono::seconds window) : limit_(limit), window_(window) {}

  // Seconds until `address` may try again, or 0 when it may try now.
  long retry_after(const std::string& address, Clock::time_point now = Clock::now());
  void record_failure(const std::string& address, Clock::time_point now = Clock::now());

 private:
  struct Window {
    Clock::time_point start;
    int failures = 0;
  };
  void forget_expired(Clock::time_point now);

  int limit_;
  std::chrono::seconds window_;
  std::mutex mu_;
  std::map<std::string, Window> windows_;
};

}  // namespace sixpn::server::http
