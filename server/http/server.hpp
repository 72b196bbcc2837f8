#pragma once
// The HTTP side of sixpnd: cpp-httplib serving the route table, with one log line per request,
// an X-Request-Id on every response, a body size limit and JSON errors for everything,
// including what the library itself refuses (unknown route, oversized body, bad request line).
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>

#include "server/hostport.hpp"
#include "server/http/routes.hpp"
#include "server/http/tls.hpp"

namespace sixpn::server::http {

struct ServerOptions {
  std::size_t max_body_bytes = 64 * 1024;
  // Connections served at once. Each holds a thread of its own while it is open (a kept-alive
  // connection between its requests, a long-poll for its whole wait); threads are started on
  // demand and retire when idle (elastic_pool.hpp). Connections beyond the cap wait for one
  // to close.
  std::size_t max_connections = 4096;
  bool log = true;  // one line per request on stderr
  // Failed authentications one address may make per window before it is answered 429.
  int auth_failure_limit = 100;
  std::chrono::seconds auth_failure_window{60};
  // When set, HTTPS only, with the certificate each handshake takes from this slot.
  std::shared_ptr<TlsSlot> tls;
};

class ApiServer {
 public:
  ApiServer(Services services, ServerOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Binds the listening socket and starts the resident threads; false with one sentence in
  // `error` when it cannot (also when the TLS context could not be set up).
  bool bind(const HostPort& listen, std::string& error);
  // Serves until stop(); requests in flight when stop() is called are finished first.
  void run();
  // Safe from any thread, also before run() has started (run() then returns at once). Wakes
  // the waiters of Services::changes, so parked long-polls answer and let go, and shuts the
  // reading side of every connection but those whose request is being handled, so idle ones
  // close at once. Calls 10 s after the first shut those too (serve() repeats stop() until
  // run() has returned).
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sixpn::server::http
