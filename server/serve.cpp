// `sixpnd serve`: open the store, bind, serve until SIGINT/SIGTERM, then finish the requests in
// flight, close the database and exit 0. SIGHUP reloads the TLS certificate and key.
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <system_error>
#include <thread>

#include "host/host_network.hpp"
#include "net/local_addresses.hpp"
#include "server/autostop.hpp"
#include "server/change_waiter.hpp"
#include "server/commands.hpp"
#include "server/dns_state.hpp"
#include "server/embedded_host.hpp"
#include "server/flycast_counters.hpp"
#include "server/flycast_state.hpp"
#include "server/gateway_flycast.hpp"
#include "server/gateway_state.hpp"
#include "server/hostport.hpp"
#include "server/http/server.hpp"
#include "server/open_files.hpp"
#include "server/seed.hpp"
#include "server/serve_tls.hpp"
#include "server/store/open_store.hpp"

namespace sixpn::server {

namespace {
int error(int code, const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return code;
}

std::optional<RegionCatalog> make_catalog(const std::optional<Seed>& seed,
                                          const std::string& nearest_flag, std::string& problem) {
  try {
    auto regions = seed && seed->regions ? *seed->regions : builtin_regions();
    std::string nearest = nearest_flag;
    if (nearest.empty() && seed && seed->nearest) nearest = *seed->nearest;
    return RegionCatalog(std::move(regions), std::move(nearest));
  } catch (const std::invalid_argument& e) {
    problem = e.what();
    return std::nullopt;
  }
}

// Brings the interface up and ties it to the store: every committed change resyncs it before the
// request that made the change is answered. nullptr (having said why) when it cannot start.
std::unique_ptr<net::Gateway> start_gateway(const ServeOptions& options, std::uint16_t port,
                                            const store::GatewayKeyPair& keys,
                                            store::Store& store, GatewayFlycast& flycast) {
  auto key = core::PrivateKey::from_base64(keys.private_key.view());
  if (!key) {
    error(kExitFailure,
          "the gateway key in " + store::describe_db(options.db) + " is not a WireGuard key");
    return nullptr;
  }
  net::GatewayOptions gateway_options;
  gateway_options.interface = options.gateway_interface;
  gateway_options.listen_port = port;
  gateway_options.resync_interval =
      std::chrono::milliseconds(static_cast<long>(options.gateway_resync_seconds * 1000));
  gateway_options.host_dns = options.host;
  gateway_options.after_sync = [&flycast](bool full) { flycast.sync(full); };
  auto gw = std::make_unique<net::Gateway>(std::move(gateway_options), std::move(*key),
                                           [&store, pubkey = keys.public_key] {
                                             return gateway_desired_state(store, pubkey);
                                           });
  try {
    gw->start();
  } catch (const std::exception& e) {
    error(kExitFailure, "gateway " + options.gateway_interface + ": " + e.what());
    return nullptr;
  }
  store.add_change_listener([g = gw.get()] { g->request_sync(); });
  return gw;
}

}  // namespace

int serve(const ServeOptions& options) {
  std::string problem;
  auto listen = parse_host_port(options.listen, std::nullopt, problem);
  if (!listen) return error(kExitUsage, "--listen " + options.listen + ": " + problem);
  auto endpoint = parse_host_port(options.gateway_endpoint, 51820, problem);
  if (!endpoint) {
    return error(kExitUsage, "--gateway-endpoint " + options.gateway_endpoint + ": " + problem);
  }
  std::optional<Seed> seed;
  if (!options.seed.empty()) {
    try {
      seed = load_seed(options.seed);
    } catch (const SeedError& e) {
      return error(kExitUsage, e.what());
    }
    for (const auto& org : seed->orgs) {
      if (auto p = org_slug_problem(org.slug); !p.empty()) {
        return error(kExitUsage, options.seed + ": " + p);
      }
    }
  }
  if (options.host && options.gateway_interface.empty()) {
    return error(kExitUsage,
                 "--host needs --gateway-interface: the embedded host's machines are reached "
                 "through the gateway");
  }
  if (options.host && geteuid() != 0) {
    return error(kExitUsage, "--host needs root (network namespaces, runc)");
  }
  auto catalog = make_catalog(seed, options.nearest, problem);
  if (!catalog) return error(kExitUsage, problem);
  dns::DnsFlags dns_flags;
  dns_flags.listen = options.dns_listen;
  dns_flags.upstream = options.dns_upstream;
  dns_flags.gateway_interface = options.gateway_interface;
  dns_flags.no_gateway_dns = options.no_gateway_dns;
  // The embedded host's machines ask fdaa::3, as on every host; the org is the querier's.
  dns_flags.machine_dns = options.host;
  auto dns_options = dns::parse_dns_flags(dns_flags, problem, [](const std::string& line) {
    std::fprintf(stderr, "sixpnd: %s\n", line.c_str());
  });
  if (!dns_options) return error(kExitUsage, problem);
  if (auto warning = open_file_limit_warning(raise_open_file_limit(), options.max_connections);
      !warning.empty()) {
    std::fprintf(stderr, "sixpnd: %s\n", warning.c_str());
  }
  int tls_exit = kExitOk;
  auto tls = ServeTls::setup(options, *listen, tls_exit);
  if (!tls) return tls_exit;

  // Signals are taken by one thread with sigwait; blocking them first means every thread
  // started later (the HTTP workers) inherits the mask and is never interrupted.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  try {
    auto opened = store::open_store(options.db, *catalog);
    auto& store = *opened;
    if (seed) {
      for (const auto& org : seed->orgs) {
        if (!store.find_org(org.slug)) store.create_org(org.slug, org.name);
      }
    }
    auto gateway = store.gateway_key();
    // Declared before the API server, so it outlives every request that could notify it; the
    // proxy before the gateway, whose thread brings it along.
    FlycastCounters flycast_counters;
    std::optional<GatewayFlycast> gateway_flycast;
    std::unique_ptr<net::Gateway> gateway_interface;
    if (!options.gateway_interface.empty()) {
      proxy::ProxyOptions proxy_options;
      proxy_options.start_machine = [&store](const std::string& app, const std::string& id) {
        try {
          if (proxy_may_start(flycast_services(store.network_view()), app, id)) {
            start_for_proxy(store, app, id);
          }
        } catch (const std::exception& e) {
          std::fprintf(stderr, "sixpnd: flycast: cannot start machine %s of %s: %s\n", id.c_str(),
                       app.c_str(), e.what());
        }
      };
      gateway_flycast.emplace(store, *catalog, std::move(proxy_options),
                              [](const std::string& line) {
                                std::fprintf(stderr, "sixpnd: flycast: %s\n", line.c_str());
                              });
      flycast_counters.set_local([&gateway_flycast] { return gateway_flycast->report(); });
      gateway_interface = start_gateway(options, endpoint->port, gateway, store, *gateway_flycast);
      if (!gateway_interface) return kExitFailure;
    }
    // Declared before the API server, so they outlive every request parked on them.
    ChangeWaiter changes;
    ChangeWaiter log_lines;
    store.add_change_listener([&changes] { changes.bump(); });
    http::ServerOptions server_options;
    server_options.tls = tls->slot();
    server_options.max_connections = options.max_connections;
    http::Services services{store, *catalog, *endpoint, gateway.public_key};
    services.changes = &changes;
    services.log_lines = &log_lines;
    services.gateway_in_mesh = gateway_interface != nullptr;
    services.flycast = &flycast_counters;
    AutostopLoop autostop(store, flycast_counters,
                          std::chrono::milliseconds(
                              static_cast<long>(options.autostop_interval_seconds * 1000)),
                          [](const std::string& line) {
                            std::fprintf(stderr, "sixpnd: flycast: %s\n", line.c_str());
                          });
    http::ApiServer server(std::move(services), std::move(server_options));
    if (!server.bind(*listen, problem)) return error(kExitFailure, problem);
    // Before the DNS binds it; removed at the end (by LocalAddresses) if it was put there here.
    std::optional<net::LocalAddresses> machine_dns;
    if (options.host) {
      machine_dns.emplace("lo", [](const std::string& line) {
        std::fprintf(stderr, "sixpnd: host: %s\n", line.c_str());
      });
      try {
        machine_dns->sync(host::host_dns_addresses());
      } catch (const std::exception& e) {
        return error(kExitFailure, std::string("--host: ") + e.what());
      }
    }
    std::optional<StoreDnsService> dns_service;
    if (!dns_options->listen.empty()) {
      try {
        dns_service.emplace(std::move(*dns_options), store, *catalog);
      } catch (const std::system_error& e) {
        error(kExitFailure, std::string("DNS listener ") + e.what());
        if (!options.gateway_interface.empty() && !options.no_gateway_dns) {
          std::fprintf(stderr, "hint: --no-gateway-dns leaves port 53 of %s to another server\n",
                       options.gateway_interface.c_str());
        }
        return kExitFailure;
      }
    }

    std::unique_ptr<EmbeddedHost> embedded;
    if (options.host) {
      EmbeddedHostOptions host_options;
      host_options.state_dir = options.host_state_dir.empty()
                                   ? (serve_state_dir(options) / "host").string()
                                   : options.host_state_dir;
      host_options.netns_prefix = options.host_netns_prefix;
      host_options.resync_seconds = options.gateway_resync_seconds;
      try {
        ensure_embedded_registration(store, gateway.public_key, *endpoint, host_options);
      } catch (const std::exception& e) {
        return error(kExitFailure, std::string("--host: ") + e.what());
      }
      api::ClientOptions self;
      self.base_url = local_url(tls->scheme(), *listen);
      self.fingerprint = tls->fingerprint();
      embedded = std::make_unique<EmbeddedHost>(std::move(host_options), std::move(self));
    }

    std::atomic<bool> finished{false};
    std::thread signals([&] {
      int sig = 0;
      while (sigwait(&stop_signals, &sig) == 0 && sig == SIGHUP && !finished) tls->reload();
      if (finished) return;  // woken by main() below, not by a user
      std::fprintf(stderr, "sixpnd: %s received, finishing requests in flight\n",
                   sig == SIGINT ? "SIGINT" : "SIGTERM");
      // The embedded host first, while the API still answers its last reports.
      if (embedded) embedded->stop();
      // Parked long-polls answer now instead of sitting out their wait.
      changes.shutdown();
      log_lines.shutdown();
      // stop() is a no-op until the server is running; repeat until run() has returned.
      while (!finished) {
        server.stop();
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
      }
    });
    std::fprintf(stderr, "sixpnd listening on %s://%s (database %s, %zu regions, nearest %s)\n",
                 tls->scheme(), listen->str().c_str(), store::describe_db(options.db).c_str(),
                 catalog->all().size(), catalog->nearest().c_str());
    if (embedded) embedded->start();
    server.run();
    if (embedded) embedded->stop();
    finished = true;
    kill(getpid(), SIGTERM);  // pending until the signal thread's sigwait takes it
    signals.join();
    std::fprintf(stderr, "sixpnd stopped\n");
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(kExitFailure, e.what());
  }
}

}  // namespace sixpn::server
