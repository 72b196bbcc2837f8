// One Flycast proxy (proxy::FlycastProxy) in front of fixed backends, for bench/proxy.sh: the
// proxy a host runs, without the host. Every backend is a started machine of region "bench",
// the node's own region, so the choice among them is the proxy's least-loaded one.
//
//   bench_proxy_node --listen [ADDR]:PORT --backend [ADDR]:PORT [--backend …] [--threads N]
// Prints "ready" on stdout once the proxy listens; runs until SIGTERM or SIGINT, then prints
// each backend's connection count on stderr.
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/dns/endpoint.hpp"
#include "proxy/flycast_proxy.hpp"

namespace {

using namespace sixpn;

constexpr const char* kRegion = "bench";

struct V6Endpoint {
  core::Ipv6 address;
  std::uint16_t port = 0;
};

// "[ADDR]:PORT" with an IPv6 address: the proxy's sockets are IPv6 only.
std::optional<V6Endpoint> parse_v6(const std::string& flag, const std::string& text,
                                   std::string& error) {
  auto endpoint = core::dns::parse_endpoint(text);
  if (!endpoint) {
    error = flag + " " + text + " is not [ADDR]:PORT";
    return std::nullopt;
  }
  if (endpoint->family() != AF_INET6) {
    error = flag + " " + text + ": the Flycast proxy speaks IPv6 only; give [ADDR]:PORT";
    return std::nullopt;
  }
  V6Endpoint out;
  const auto* sa = reinterpret_cast<const sockaddr_in6*>(endpoint->addr());
  std::memcpy(out.address.bytes.data(), &sa->sin6_addr, 16);
  out.port = endpoint->port();
  return out;
}

// The listener is opened by the proxy's thread: wait until its counters say how that went.
bool wait_listening(const proxy::FlycastProxy& proxy, std::string& problem) {
  for (int i = 0; i < 500; ++i) {
    for (const auto& service : proxy.counters()) {
      if (service.listening) return true;
      if (!service.listen_problem.empty()) {
        problem = service.listen_problem;
        return false;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  problem = "the proxy did not open its listener within 5 s";
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"One Flycast proxy in front of fixed backends, for bench/proxy.sh."};
  std::string listen_text;
  std::vector<std::string> backend_texts;
  std::size_t threads = 0;
  app.add_option("--listen", listen_text, "[ADDR]:PORT the proxy listens on")->required();
  app.add_option("--backend", backend_texts, "[ADDR]:PORT of a backend (repeat for more)")
      ->required()
      ->take_all();
  app.add_option("--threads", threads, "the proxy's threads (default: one per CPU, as a node's)")
      ->check(CLI::Range(1, 64));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) return app.exit(e);
    std::fprintf(stderr, "bench_proxy_node: %s\n", e.what());
    return 2;
  }

  std::string error;
  auto listen = parse_v6("--listen", listen_text, error);
  proxy::Service service;
  if (listen) {
    service.address = listen->address;
    service.port = listen->port;
    service.app = "bench";
  }
  for (std::size_t i = 0; listen && i < backend_texts.size(); ++i) {
    auto endpoint = parse_v6("--backend", backend_texts[i], error);
    if (!endpoint) break;
    proxy::Backend backend;
    backend.machine_id = "b" + std::to_string(i + 1);
    backend.region = kRegion;
    backend.address = endpoint->address;
    backend.port = endpoint->port;
    backend.started = true;
    service.backends.push_back(backend);
  }
  if (!error.empty()) {
    std::fprintf(stderr, "bench_proxy_node: %s\n", error.c_str());
    return 2;
  }

  // The proxy sizes its connection limit by RLIMIT_NOFILE, and HAProxy raises its own limit.
  rlimit files{};
  if (::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &files);
  }
  // Blocked before the proxy's thread exists, so that it inherits the mask and only sigwait
  // below takes them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  proxy::ProxyOptions options;
  options.threads = threads;
  options.log = [](const std::string& line) {
    std::fprintf(stderr, "bench_proxy_node: %s\n", line.c_str());
  };
  proxy::FlycastProxy proxy(options);
  proxy::ProxyConfig config;
  config.region = kRegion;
  config.services.push_back(service);
  proxy.update(config);
  std::string problem;
  if (!wait_listening(proxy, problem)) {
    std::fprintf(stderr, "bench_proxy_node: %s\n", problem.c_str());
    return 1;
  }
  std::printf("ready\n");
  std::fflush(stdout);

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  for (const auto& s : proxy.counters()) {
    for (const auto& b : s.backends) {
      std::fprintf(stderr, "bench_proxy_node: %s %llu connections, %llu refusals\n",
                   b.machine_id.c_str(), static_cast<unsigned long long>(b.connections),
                   static_cast<unsigned long long>(b.refusals));
    }
  }
  return 0;
}
