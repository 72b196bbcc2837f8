#include "api/http_log.hpp"

#include <cstdio>

namespace sixpn::api {

namespace {
std::string shown_body(std::string_view body) {
  std::string out;
  for (unsigned char c : body.substr(0, kLoggedBodyBytes)) {
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  if (body.size() > kLoggedBodyBytes) {
    out += " … (" + std::to_string(body.size()) + " bytes)";
  }
  return out;
}
}  // namespace

std::string HttpLog::seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3g", s);
  return buf;
}

void HttpLog::line(const std::string& text) const {
  if (sink_) sink_(text);
}

void HttpLog::request(std::string_view method, std::string_view url, bool sends_token,
                      std::string_view idempotency_key, std::string_view body, int attempt) const {
  if (!sink_) return;
  std::string first = "> " + std::string(method) + " " + std::string(url);
  if (attempt > 1) first += " (attempt " + std::to_string(attempt) + ")";
  line(first);
  if (sends_token) line("> Authorization: Bearer [redacted]");
  if (!idempotency_key.empty()) line("> Idempotency-Key: " + std::string(idempotency_key));
  if (!body.empty()) line("> " + shown_body(body));
}

void HttpLog::response(long status, std::string_view reason, std::string_view request_id,
                       std::string_view body, double secs) const {
  if (!sink_) return;
  std::string first = "< " + std::to_string(status);
  if (!reason.empty()) first += " " + std::string(reason);
  first += " (" + seconds(secs * 1000) + " ms)";
  if (!request_id.empty()) first += " request id " + std::string(request_id);
  line(first);
  if (!body.empty()) line("< " + shown_body(body));
}

void HttpLog::failure(std::string_view detail, double secs) const {
  if (!sink_) return;
  line("< no response after " + seconds(secs * 1000) + " ms: " + std::string(detail));
}

void HttpLog::retry(double wait_seconds, int next_attempt, int attempts) const {
  if (!sink_) return;
  line("* retrying in " + seconds(wait_seconds) + " s (attempt " + std::to_string(next_attempt) +
       " of " + std::to_string(attempts) + ")");
}

}  // namespace sixpn::api
