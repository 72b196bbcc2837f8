#pragma once
// The sixpnd REST client on libcurl. Commands call one typed function per endpoint and get the
// structs of api/types.hpp back; no command builds a URL or parses JSON itself.
//
// Requests are retried with jittered exponential backoff on connection errors, 429 and
// 502/503/504 when repeating them is safe: GET and DELETE always, POST only when it carries an
// Idempotency-Key (every create does, the same key on every attempt).
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "api/flycast_types.hpp"
#include "api/host_types.hpp"
#include "api/types.hpp"

namespace sixpn::api {

// Every failure the client reports derives from this.
struct ClientError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The server answered with an error status. `message` is the server's one sentence.
struct HttpError : ClientError {
  HttpError(long status, std::string message, std::string code, std::string request_id);
  long status;
  std::string message;
  std::string code;
  std::string request_id;
};

// No answer: refused connection, timeout, TLS failure, an oversized body.
struct TransportError : ClientError {
  using ClientError::ClientError;
};

// The endpoint needs a token and none was configured.
struct MissingToken : ClientError {
  MissingToken() : ClientError("no API token") {}
};

// The `cancelled` hook said stop (SIGINT) while a request was in flight or waiting to retry.
struct Cancelled : ClientError {
  Cancelled() : ClientError("interrupted") {}
};

// The base URL is not an http:// or https:// URL.
struct BadUrl : ClientError {
  using ClientError::ClientError;
};

// The TLS handshake failed: the certificate is not trusted, its name does not match, or its key
// is not the pinned one.
struct TlsFailure : TransportError {
  using TransportError::TransportError;
};

// A token would go in clear over http:// to a host that is not loopback; nothing was sent.
struct InsecureHttp : ClientError {
  explicit InsecureHttp(std::string host_)
      : ClientError("refusing to send the API token over plain http:// to " + host_ +
                    ", which is not a loopback address"),
        host(std::move(host_)) {}
  std::string host;
};

// The CA file cannot be read or holds no PEM certificate, or the fingerprint is malformed.
struct BadTlsSetting : ClientError {
  using ClientError::ClientError;
};

// "sha256:" + 64 hex digits (the SHA-256 of the server's DER SubjectPublicKeyInfo, as
// `sixpnd serve` prints it) → libcurl's "sha256//BASE64" pin; "" when the text is not one.
std::string curl_pin_of(std::string_view fingerprint);

// 127.0.0.0/8, ::1 (also IPv4-mapped), "localhost": hosts a token may reach over http://.
bool is_loopback_host(std::string_view host);

// GET /v1/apps/{app}/logs: which lines, from where, and how long to wait for a new one.
struct LogQuery {
  std::string machine_id;  // "": every machine of the app
  std::string cursor;      // "": from the oldest line kept
  int limit = 0;           // 0: the server's default
  int wait_seconds = 0;    // 0: answer at once
};

struct ClientOptions {
  std::string base_url;
  std::string token;  // "" when none; sent as "Authorization: Bearer …"
  std::string user_agent;
  double timeout_seconds = 30;  // budget for one call, retries included
  double connect_timeout_seconds = 10;
  int max_attempts = 4;
  double backoff_base_seconds = 0.2;
  double backoff_max_seconds = 3;
  std::size_t max_body_bytes = 32 * 1024 * 1024;
  // A PEM file of CA certificates trusted besides the system's.
  std::string ca_file;
  // "sha256:…" (see curl_pin_of): the server's key must be this one, and then it is trusted
  // without a CA (a self-signed sixpnd); "" verifies as libcurl does by default.
  std::string fingerprint;
  // Lets a token go over http:// to a host that is not loopback (labs).
  bool allow_insecure_http = false;
  // Receives one line per request/response event for --verbose; tokens never reach it.
  std::function<void(std::string_view)> log;
  // Polled while a request runs and between retries; true aborts with Cancelled.
  std::function<bool()> cancelled;
};

class Client {
 public:
  explicit Client(ClientOptions options);
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  const ClientOptions& options() const { return options_; }

  RegionList regions();  // needs no token
  std::vector<Org> orgs();
  TokenInfo current_token();  // the token this client sends

  std::vector<Peer> peers(const std::string& org);  // every page
  // Every page, handed to consume in order as it is decoded, on a thread of the client's: the
  // next page is fetched meanwhile. consume must not touch the client.
  void each_peer_page(const std::string& org,
                      const std::function<void(std::vector<Peer>&&)>& consume);
  Page<Peer> peers_page(const std::string& org, int limit, const std::string& cursor);
  Peer create_peer(const std::string& org, const PeerCreate& body);
  void delete_peer(const std::string& org, const std::string& name);

  std::vector<App> apps(const std::optional<std::string>& org);
  App create_app(const AppCreate& body);
  App app(const std::string& name);

  std::vector<Machine> machines(const std::string& app);
  Machine machine(const std::string& app, const std::string& id);
  Machine create_machine(const std::string& app, const MachineCreate& body);
  Machine start_machine(const std::string& app, const std::string& id);
  // With a non-empty `stop`, its signal and timeout are this stop's (the body Fly's API takes).
  Machine stop_machine(const std::string& app, const std::string& id, const MachineStop& stop = {});
  void destroy_machine(const std::string& app, const std::string& id);

  // Waits (up to timeout_seconds, 1..60) until the machine is in `state` ("started", "stopped"
  // or "destroyed"); HttpError 408 ("timeout") when it is not by then, 409 ("machine_failed")
  // when it failed while a start was awaited.
  MachineWait wait_machine(const std::string& app, const std::string& id, const std::string& state,
                           int timeout_seconds);
  // One page of an app's logs, oldest first, after `query.cursor`; with wait_seconds > 0 the
  // server holds the request until a newer line arrives. next_cursor is always set.
  Page<LogLine> app_logs(const std::string& app, const LogQuery& query);

  std::vector<IpAssignment> ips(const std::string& app);
  IpAssignment allocate_ip(const std::string& app, const IpAssignmentCreate& body);
  void release_ip(const std::string& app, const std::string& address);
  // The app's Flycast services with their machines and the proxies' counters.
  AppServices services(const std::string& app);

  // The host's side of docs/host-protocol.md (client_host.cpp). register_host sends no bearer
  // token (the join token is in the body); the others send the host credential as the token.
  HostRegistered register_host(const HostRegister& body);
  // The long-poll: answers at once when the state's version is past `after`, else when it
  // changes or wait_seconds (0..60) run out. The call's budget is wait_seconds plus the
  // client's timeout, so a full wait is not mistaken for a lost server.
  HostState host_state(std::uint64_t after, int wait_seconds);
  void report_machines(const HostReport& body);
  void send_logs(const HostLogBatch& body);
  // The host's Flycast proxy: a stopped machine started for a connection that needs it (only
  // one whose service allows autostart), and what the proxy counted.
  void proxy_start_machine(const ProxyStart& body);
  void report_proxy(const ProxyReport& body);

  // The operator's view of hosts (an operator token).
  std::vector<Host> hosts();
  void remove_host(std::uint32_t id);

  // A fresh random Idempotency-Key (32 hex characters).
  static std::string new_idempotency_key();

 private:
  struct Request {
    const char* method = "GET";
    std::string path;                // every caller-supplied part already escaped
    std::vector<std::string> query;  // "key=escaped-value"
    std::optional<Json> body;
    std::string idempotency_key;
    bool needs_token = true;
    // When set, the budget ends here instead of timeout_seconds from now: every page of one
    // listing shares a single budget, so a server that never stops paging cannot hold us.
    std::optional<std::chrono::steady_clock::time_point> deadline;
  };
  struct Response {
    long status = 0;
    std::string body;
    std::string request_id;
  };

  Response send(const Request& request);
  // Sleeps before the next attempt; -1 (without sleeping) when the deadline comes first.
  double wait_before_retry(int attempt, const std::string& retry_after,
                           std::chrono::steady_clock::time_point deadline);
  Json call(const Request& request);
  template <class T>
  void each_page(const std::string& path, std::vector<std::string> query,
                 const std::function<void(std::vector<T>&&)>& consume);
  template <class T>
  std::vector<T> all_pages(const std::string& path, std::vector<std::string> query);
  // "/v1/orgs/<escaped org>/…": every caller-supplied part goes through this.
  std::string escape(std::string_view part);

  ClientOptions options_;
  struct Handle;
  std::unique_ptr<Handle> handle_;
};

}  // namespace sixpn::api
