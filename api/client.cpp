#include "api/client.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "api/client_tls.hpp"
#include "api/http_log.hpp"

namespace sixpn::api {

namespace {

using Clock = std::chrono::steady_clock;

struct CurlDeleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
struct CurlUrlDeleter {
  void operator()(CURLU* u) const { curl_url_cleanup(u); }
};
struct CurlFreeDeleter {
  void operator()(char* p) const { curl_free(p); }
};
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

void append_header(SlistPtr& list, const std::string& line) {
  curl_slist* grown = curl_slist_append(list.get(), line.c_str());
  if (grown == nullptr) throw std::bad_alloc();
  (void)list.release();
  list.reset(grown);
}

// What one attempt collects from libcurl's callbacks.
struct Exchange {
  std::string body;
  std::size_t cap = 0;
  bool overflow = false;
  std::string request_id;
  std::string retry_after;
  const std::function<bool()>* cancelled = nullptr;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::size_t n = size * count;
  if (ex->body.size() + n > ex->cap) {
    ex->overflow = true;
    return 0;  // makes libcurl stop with CURLE_WRITE_ERROR
  }
  ex->body.append(data, n);
  return n;
}

std::string trim(std::string_view s) {
  auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':') return false;
  return std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) ==
           std::tolower(static_cast<unsigned char>(b));
  });
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  std::string_view line(data, size * count);
  if (header_is(line, "X-Request-Id")) ex->request_id = trim(line.substr(13));
  if (header_is(line, "Retry-After")) ex->retry_after = trim(line.substr(12));
  return size * count;
}

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* ex = static_cast<Exchange*>(user);
  return (*ex->cancelled && (*ex->cancelled)()) ? 1 : 0;
}

bool retryable_status(long status) {
  return status == 429 || status == 502 || status == 503 || status == 504;
}

// Nothing reached the server, so even a POST without an Idempotency-Key may go again.
bool nothing_sent(CURLcode code) {
  return code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST;
}

bool retryable_transport(CURLcode code) {
  return nothing_sent(code) || code == CURLE_SEND_ERROR || code == CURLE_RECV_ERROR ||
         code == CURLE_GOT_NOTHING || code == CURLE_PARTIAL_FILE ||
         code == CURLE_OPERATION_TIMEDOUT;
}

std::string reason_for(long status) {
  switch (status) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "";
  }
}

// One attempt's options. The handle is reset first, so nothing leaks from the last attempt.
void configure(CURL* curl, const ClientOptions& options, const std::string& url,
               curl_slist* headers, const char* method, const std::string& payload,
               long long remaining_ms, Exchange& ex, char* error_buffer) {
  curl_easy_reset(curl);
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  // No Accept-Encoding: documents are small, and compressing them costs the server more time
  // than the bytes saved on the wire (measured: 3x slower regions list on loopback).
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(std::min<double>(options.connect_timeout_seconds * 1000,
                                                      static_cast<double>(remaining_ms))));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(remaining_ms));
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(ex.cap));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &ex);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &ex);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  if (std::string_view(method) == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(payload.size()));
  } else if (std::string_view(method) != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
  }
}

}  // namespace

HttpError::HttpError(long status_, std::string message_, std::string code_, std::string request_id_)
    : ClientError(message_),
      status(status_),
      message(std::move(message_)),
      code(std::move(code_)),
      request_id(std::move(request_id_)) {}

struct Client::Handle {
  std::unique_ptr<CURL, CurlDeleter> curl;
  std::vector<tls::X509Ptr> anchors;  // from ca_file
  std::string pin;                    // libcurl's form of options.fingerprint
  std::string insecure_host;          // set when the URL is http:// to a host that is not loopback
};

Client::Client(ClientOptions options) : options_(std::move(options)) {
  static std::once_flag once;
  std::call_once(once, [] {
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  });
  auto& url = options_.base_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  if (url.rfind("http://", 0) != 0 && url.rfind("https://", 0) != 0) {
    throw BadUrl("API URL \"" + url + "\" must start with http:// or https://");
  }
  std::unique_ptr<CURLU, CurlUrlDeleter> parsed(curl_url());
  if (!parsed) throw std::bad_alloc();
  if (curl_url_set(parsed.get(), CURLUPART_URL, url.c_str(), 0) != CURLUE_OK) {
    throw BadUrl("API URL \"" + url + "\" is not a valid URL");
  }
  handle_ = std::make_unique<Handle>();
  char* part = nullptr;
  if (url.rfind("http://", 0) == 0 &&
      curl_url_get(parsed.get(), CURLUPART_HOST, &part, 0) == CURLUE_OK) {
    std::unique_ptr<char, CurlFreeDeleter> host(part);
    if (!is_loopback_host(host.get())) handle_->insecure_host = host.get();
  }
  if (!options_.fingerprint.empty()) {
    handle_->pin = curl_pin_of(options_.fingerprint);
    if (handle_->pin.empty()) {
      throw BadTlsSetting("fingerprint \"" + options_.fingerprint +
                          "\" is not sha256: followed by 64 hex digits");
    }
  }
  if (!options_.ca_file.empty()) handle_->anchors = tls::read_ca_file(options_.ca_file);
  handle_->curl.reset(curl_easy_init());
  if (!handle_->curl) throw std::runtime_error("libcurl could not create a handle");
}

Client::~Client() = default;

std::string Client::new_idempotency_key() {
  unsigned char raw[16];
  randombytes_buf(raw, sizeof raw);
  char hex[sizeof raw * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
  return hex;
}

std::string Client::escape(std::string_view part) {
  std::unique_ptr<char, CurlFreeDeleter> out(
      curl_easy_escape(handle_->curl.get(), part.data(), static_cast<int>(part.size())));
  if (!out) throw std::bad_alloc();
  return out.get();
}

Client::Response Client::send(const Request& req) {
  if (req.needs_token && options_.token.empty()) throw MissingToken();
  // Checked before any connection: the token must not leave in clear, not even once.
  if (!options_.token.empty() && !handle_->insecure_host.empty() && !options_.allow_insecure_http) {
    throw InsecureHttp(handle_->insecure_host);
  }
  CURL* curl = handle_->curl.get();
  const bool idempotent = std::string_view(req.method) != "POST" || !req.idempotency_key.empty();
  std::string url = options_.base_url + req.path;
  for (std::size_t i = 0; i < req.query.size(); ++i) url += (i ? "&" : "?") + req.query[i];
  const std::string payload = req.body ? req.body->dump() : "";
  HttpLog log(options_.log);

  SlistPtr headers;
  append_header(headers, "Accept: application/json");
  if (req.body) append_header(headers, "Content-Type: application/json");
  if (!options_.token.empty()) append_header(headers, "Authorization: Bearer " + options_.token);
  if (!req.idempotency_key.empty()) {
    append_header(headers, "Idempotency-Key: " + req.idempotency_key);
  }

  const auto budget = std::chrono::duration<double>(options_.timeout_seconds);
  const auto deadline = req.deadline
                            ? *req.deadline
                            : Clock::now() + std::chrono::duration_cast<Clock::duration>(budget);
  const int attempts = std::max(1, options_.max_attempts);
  for (int attempt = 1;; ++attempt) {
    if (options_.cancelled && options_.cancelled()) throw Cancelled();
    auto remaining_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (remaining_ms <= 0) {
      throw TransportError("no answer from " + options_.base_url + " within " +
                           log.seconds(options_.timeout_seconds) + " s");
    }
    Exchange ex;
    ex.cap = options_.max_body_bytes;
    ex.cancelled = &options_.cancelled;
    char error_buffer[CURL_ERROR_SIZE] = {0};

    configure(curl, options_, url, headers.get(), req.method, payload, remaining_ms, ex,
              error_buffer);
    if (!handle_->pin.empty()) {
      // The pinned key is the identity: a self-signed certificate names no CA, and the pin is
      // stricter than any CA and host name check. libcurl checks the pin in either case.
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 0L);
      curl_easy_setopt(curl, CURLOPT_PINNEDPUBLICKEY, handle_->pin.c_str());
    }
    if (!handle_->anchors.empty()) {
      curl_easy_setopt(curl, CURLOPT_SSL_CTX_FUNCTION, tls::add_trust_anchors);
      curl_easy_setopt(curl, CURLOPT_SSL_CTX_DATA, &handle_->anchors);
    }

    log.request(req.method, url, !options_.token.empty(), req.idempotency_key, payload, attempt);
    const auto started = Clock::now();
    CURLcode code = curl_easy_perform(curl);
    const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, nullptr);

    if (code == CURLE_ABORTED_BY_CALLBACK) throw Cancelled();
    if (code == CURLE_URL_MALFORMAT) {
      throw BadUrl("API URL \"" + options_.base_url + "\" is not a valid URL");
    }
    if (ex.overflow || code == CURLE_FILESIZE_EXCEEDED) {
      const std::size_t cap = options_.max_body_bytes;
      const std::string limit = cap % (1024 * 1024) == 0
                                    ? std::to_string(cap / (1024 * 1024)) + " MiB"
                                    : std::to_string(cap) + " bytes";
      throw TransportError("the response from " + options_.base_url + " is larger than " + limit +
                           "; refusing to read it");
    }
    const bool budget_left = Clock::now() < deadline;
    if (code != CURLE_OK) {
      std::string detail = error_buffer[0] ? error_buffer : curl_easy_strerror(code);
      log.failure(detail, elapsed);
      auto give_up = [&] {
        if (code == CURLE_OPERATION_TIMEDOUT) {
          return TransportError("no answer from " + options_.base_url + " within " +
                                log.seconds(options_.timeout_seconds) + " s");
        }
        return TransportError("cannot reach the API at " + options_.base_url + ": " + detail);
      };
      if (tls::tls_failure(code)) {
        throw TlsFailure("TLS with " + options_.base_url + " failed: " + detail);
      }
      bool again = attempt < attempts && budget_left && retryable_transport(code) &&
                   (idempotent || nothing_sent(code));
      if (!again) throw give_up();
      double wait = wait_before_retry(attempt, "", deadline);
      if (wait < 0) throw give_up();
      log.retry(wait, attempt + 1, attempts);
      continue;
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    log.response(status, reason_for(status), ex.request_id, ex.body, elapsed);
    if (retryable_status(status) && idempotent && attempt < attempts && budget_left) {
      double wait = wait_before_retry(attempt, ex.retry_after, deadline);
      if (wait >= 0) {
        log.retry(wait, attempt + 1, attempts);
        continue;
      }
    }
    return Response{status, std::move(ex.body), std::move(ex.request_id)};
  }
}

double Client::wait_before_retry(int attempt, const std::string& retry_after,
                                 Clock::time_point deadline) {
  // Exponential backoff with equal jitter: half the step is fixed, half random, so clients
  // that failed together do not come back together.
  double step = std::min(options_.backoff_max_seconds,
                         options_.backoff_base_seconds * std::pow(2.0, attempt - 1));
  double wait = step / 2 + step / 2 * (randombytes_uniform(1001) / 1000.0);
  if (!retry_after.empty()) {
    char* end = nullptr;
    double asked = std::strtod(retry_after.c_str(), &end);
    if (end != retry_after.c_str() && *end == '\0' && asked >= 0) {
      wait = std::max(wait, std::min(asked, options_.backoff_max_seconds * 4));
    }
  }
  const double left = std::chrono::duration<double>(deadline - Clock::now()).count();
  if (wait >= left) return -1;  // the answer we have beats waiting past the deadline
  const auto until = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(wait));
  // Sleep in slices so Ctrl-C is honoured within a tenth of a second.
  while (Clock::now() < until) {
    if (options_.cancelled && options_.cancelled()) throw Cancelled();
    std::this_thread::sleep_for(
        std::min<Clock::duration>(std::chrono::milliseconds(50), until - Clock::now()));
  }
  return wait;
}

}  // namespace sixpn::api
