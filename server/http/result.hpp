#pragma once
// What a request handler or decoder gives back when it refuses: the HTTP status and the
// {"error", "code"} body. Result<T> is either a value or such an error.
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace sixpn::server::http {

struct HttpError {
  int status = 500;
  std::string code;     // machine word, e.g. "invalid_pubkey"
  std::string message;  // one sentence
};

template <class T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}          // NOLINT: implicit by design
  Result(HttpError error) : v_(std::move(error)) {}  // NOLINT: implicit by design
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const HttpError& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, HttpError> v_;
};

// Thrown by handlers to answer with an error; the dispatcher turns it into the JSON body.
struct HttpException : std::runtime_error {
  explicit HttpException(HttpError e) : std::runtime_error(e.message), error(std::move(e)) {}
  HttpError error;
};

inline HttpError bad_request(std::string code, std::string message) {
  return {400, std::move(code), std::move(message)};
}
inline HttpError unprocessable(std::string code, std::string message) {
  return {422, std::move(code), std::move(message)};
}
inline HttpError forbidden(std::string message) {
  return {403, "forbidden", std::move(message)};
}
inline HttpError not_found(std::string message) {
  return {404, "not_found", std::move(message)};
}

}  // namespace sixpn::server::http
