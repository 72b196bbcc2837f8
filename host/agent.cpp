#include "host/agent.hpp"

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "host/agent_machines.hpp"
#include "host/agent_outbox.hpp"
#include "host/agent_proxy.hpp"
#include "host/agent_shipper.hpp"
#include "host/agent_state.hpp"
#include "host/machine_runner.hpp"

namespace sixpn::host {

namespace {
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr int kWatchSeconds = 30;
constexpr auto kTick = 200ms;
constexpr auto kShipEvery = 1s;
constexpr auto kFirstBackoff = 1s;
constexpr auto kMaxBackoff = 10s;

std::string hex_id(std::uint32_t id) {
  char text[16];
  std::snprintf(text, sizeof text, "%08x", id);
  return text;
}

// Says once when the control plane stops answering and once when it answers again, however
// many retries lie between.
class Reachability {
 public:
  explicit Reachability(Log log) : log_(std::move(log)) {}
  void answered() {
    std::lock_guard lock(mutex_);
    if (down_) log_("the control plane answers again");
    down_ = false;
  }
  void failed(const std::string& why) {
    std::lock_guard lock(mutex_);
    if (!down_) {
      log_("the control plane does not answer (" + why +
           "); machines, mesh and DNS stay as they are, retrying");
    }
    down_ = true;
  }

 private:
  Log log_;
  std::mutex mutex_;
  bool down_ = false;
};

// What the threads share: the newest state from the watch, and whether the host was removed.
struct Mailbox {
  std::mutex mutex;
  std::condition_variable wake;
  std::optional<api::HostState> fresh;
  bool removed = false;
  void mark_removed() {
    std::lock_guard lock(mutex);
    removed = true;
    wake.notify_all();
  }
};

bool is_removed(const api::ClientError& e) {
  auto* http = dynamic_cast<const api::HttpError*>(&e);
  return http && http->status == 401;
}

using Stopping = std::function<bool()>;

void sleep_unless_stopped(const Stopping& stopping, std::chrono::milliseconds how_long) {
  for (auto until = Clock::now() + how_long; !stopping() && Clock::now() < until;) {
    std::this_thread::sleep_for(std::min<Clock::duration>(100ms, until - Clock::now()));
  }
}

std::chrono::milliseconds doubled(std::chrono::milliseconds backoff) {
  return std::min<std::chrono::milliseconds>(backoff * 2, kMaxBackoff);
}

void watch(HostApi& api, Mailbox& mailbox, Reachability& reach, const Stopping& stopping) {
  // After 0 the first answer comes at once, so a restarted agent soon has a fresh state.
  std::uint64_t version = 0;
  std::chrono::milliseconds backoff = kFirstBackoff;
  while (!stopping()) {
    try {
      auto state = api.host_state(version, kWatchSeconds);
      reach.answered();
      backoff = kFirstBackoff;
      version = state.version;
      std::lock_guard lock(mailbox.mutex);
      mailbox.fresh = std::move(state);
      mailbox.wake.notify_all();
      continue;
    } catch (const api::Cancelled&) {
      return;
    } catch (const api::ClientError& e) {
      if (is_removed(e)) return mailbox.mark_removed();
      reach.failed(e.what());
    } catch (const std::exception& e) {  // an answer that is not a HostState
      reach.failed(e.what());
    }
    sleep_unless_stopped(stopping, backoff);
    backoff = doubled(backoff);
  }
}

// Sleeps up to how_long, and less when a report waits to be sent or the agent stops.
void sleep_until_report(const ReportOutbox& outbox, const Stopping& stopping,
                        std::chrono::milliseconds how_long) {
  for (auto until = Clock::now() + how_long; !stopping() && Clock::now() < until;) {
    auto slice = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::min<Clock::duration>(100ms, until - Clock::now()));
    if (outbox.wait_for_report(slice)) return;
  }
}

void ship(Shipper& shipper, const ReportOutbox& outbox, Mailbox& mailbox, Reachability& reach,
          const Stopping& stopping) {
  std::chrono::milliseconds backoff = kFirstBackoff;
  while (!stopping()) {
    try {
      const auto round = shipper.ship_once();
      // A round that sent nothing asked nothing: only the watch may tell then.
      if (round.contacted) reach.answered();
      backoff = kFirstBackoff;
      if (!round.more) sleep_until_report(outbox, stopping, kShipEvery);
      continue;
    } catch (const api::Cancelled&) {
      return;
    } catch (const api::ClientError& e) {
      if (is_removed(e)) return mailbox.mark_removed();
      reach.failed(e.what());
    } catch (const std::exception& e) {
      reach.failed(e.what());
    }
    sleep_unless_stopped(stopping, backoff);
    backoff = doubled(backoff);
  }
}

// The credential: the one given (embedded), the one kept, or a registration's.
std::optional<std::string> credential_of(const AgentOptions& options, const AgentStateDir& dir,
                                         const core::PublicKey& pubkey, const Stopping& stopping,
                                         const Log& log) {
  if (!options.credential.empty()) return options.credential;
  if (auto kept = dir.credential()) {
    if (!options.join_token.empty()) {
      log("note: --join-token is ignored: this host registered already (its credential is in " +
          dir.path() + "/credential)");
    }
    return kept;
  }
  if (options.join_token.empty()) {
    log("error: this host has not registered yet: pass --join-token (made by `sixpnd hosts "
        "create --region R`)");
    return std::nullopt;
  }
  if (options.endpoint.empty()) {
    log("error: registering needs --endpoint IP:PORT, the address the mesh dials");
    return std::nullopt;
  }
  auto client = options.client;
  client.token.clear();
  client.cancelled = stopping;
  auto api = make_host_api(client);
  api::HostRegister body{options.join_token, pubkey.base64(), options.endpoint, options.name};
  Reachability reach(log);
  for (std::chrono::milliseconds backoff = kFirstBackoff; !stopping(); backoff = doubled(backoff)) {
    try {
      auto answer = api->register_host(body);
      dir.keep_registration(answer);
      log("registered as host " + hex_id(answer.host.id) + " (" + answer.host.name + ", region " +
          answer.host.region + ")");
      return answer.credential;
    } catch (const api::HttpError& e) {
      if (e.status < 500 && e.status != 429) {
        log("error: the control plane refused the registration: " + e.message);
        return std::nullopt;
      }
      reach.failed(e.what());
    } catch (const api::Cancelled&) {
      return std::nullopt;
    } catch (const api::ClientError& e) {
      reach.failed(e.what());
    }
    sleep_unless_stopped(stopping, backoff);
  }
  return std::nullopt;
}

std::optional<api::HostState> kept_state(const std::string& path, const Log& log) {
  try {
    if (auto text = read_file_if_exists(path)) {
      return nlohmann::json::parse(*text).get<api::HostState>();
    }
  } catch (const std::exception& e) {
    log("the last desired state kept in " + path +
        " is unreadable, so it is not used: " + e.what());
  }
  return std::nullopt;
}

void apply_network(NetworkSide* network, const api::HostState& state, bool check,
                   const Log& log) {
  if (!network) return;
  try {
    network->apply(state, check);
  } catch (const std::exception& e) {
    log("the mesh and DNS could not be brought to version " + std::to_string(state.version) + ": " +
        e.what());
  }
}
}  // namespace

int run_agent(const AgentOptions& options, std::atomic<bool>& stop) {
  Log log = options.log ? options.log : [](const std::string& line) {
    std::fprintf(stderr, "sixpnd host: %s\n", line.c_str());
  };
  // The caller's flag, or the agent's own decision to end (the host was removed); the
  // caller's flag is only read, as an embedding server may share it.
  std::atomic<bool> quit{false};
  const Stopping stopping = [&] { return stop.load() || quit.load(); };
  std::unique_ptr<NetworkSide> network;
  std::optional<std::string> credential;
  try {
    AgentStateDir dir(options.state_dir);
    bool created = false;
    auto key = dir.load_or_make_key(&created);
    const auto pubkey = key.public_key();
    if (created) log("made this host's WireGuard key pair; public key " + pubkey.base64());
    credential = credential_of(options, dir, pubkey, stopping, log);
    if (!credential) return stop ? kAgentStopped : kAgentFailed;
    if (options.network) network = options.network(std::move(key));
  } catch (const std::exception& e) {
    log("error: " + std::string(e.what()));
    return kAgentFailed;
  }

  RunnerOptions runner_options{options.state_dir, options.netns_prefix, options.shim_command};
  if (runner_options.shim_command.empty()) {
    runner_options.shim_command = {fs::read_symlink("/proc/self/exe").string(), "machine-shim"};
  }
  MachineRunner runner(runner_options);
  ReportOutbox outbox(options.state_dir + "/reports.json");
  if (!outbox.problem().empty()) log(outbox.problem());
  MachineKeeper keeper(runner, outbox, log);

  const std::string state_path = options.state_dir + "/state.json";
  auto state = kept_state(state_path, log);
  std::vector<api::HostMachine> desired = state ? state->machines : std::vector<api::HostMachine>{};
  bool fetched = false;

  auto client = options.client;
  client.token = *credential;
  client.max_attempts = 1;  // the loops below retry, with their own backoff
  client.cancelled = stopping;
  std::optional<ProxyLink> proxy_link;
  if (network) {
    proxy_link.emplace(client, *network, log);
    try {
      network->start();
    } catch (const std::exception& e) {
      log("error: cannot start the mesh: " + std::string(e.what()));
      return kAgentFailed;
    }
    if (state) apply_network(network.get(), *state, true, log);
  }
  // Adopt what runs, supervised by the last state this host was given, until a new one comes.
  keeper.converge(desired, false);

  auto watch_api = make_host_api(client);
  auto ship_api = make_host_api(client);
  Shipper shipper(*ship_api, runner, outbox);
  Mailbox mailbox;
  Reachability reach(log);
  std::thread watcher(watch, std::ref(*watch_api), std::ref(mailbox), std::ref(reach),
                      std::cref(stopping));
  std::thread shipping(ship, std::ref(shipper), std::cref(outbox), std::ref(mailbox),
                       std::ref(reach), std::cref(stopping));
  log("watching " + options.client.base_url + " for this host's desired state");

  auto next_full = Clock::now() + options.resync;
  // The network's own schedule: a pass for a fresh state syncs only what changed, so drift on
  // the system (a peer or route removed by hand) is looked for every --resync seconds even
  // while fresh states keep coming.
  auto next_network_check = next_full;
  bool removed = false;
  while (!stopping()) {
    std::optional<api::HostState> fresh;
    {
      std::unique_lock lock(mailbox.mutex);
      mailbox.wake.wait_for(lock, kTick, [&] { return mailbox.fresh || mailbox.removed; });
      removed = mailbox.removed;
      fresh.swap(mailbox.fresh);
    }
    if (removed) break;
    if (fresh) {
      try {
        replace_file(state_path, nlohmann::json(*fresh).dump() + "\n");
      } catch (const std::exception& e) {
        log("cannot keep the desired state: " + std::string(e.what()));
      }
      state = std::move(fresh);
      desired = state->machines;
      fetched = true;
    }
    if (fresh || Clock::now() >= next_full) {
      keeper.converge(desired, fetched);
      const bool check = Clock::now() >= next_network_check;
      if (state) apply_network(network.get(), *state, check, log);
      if (check) next_network_check = Clock::now() + options.resync;
      next_full = Clock::now() + options.resync;
    } else {
      keeper.tick(desired);
    }
  }

  quit = true;
  watcher.join();
  shipping.join();
  if (removed) {
    log("this host was removed from the control plane (its credential is refused): destroying "
        "its machines and exiting; to serve again, register with a new join token and an empty "
        "--state-dir");
    keeper.destroy_all();
    if (network) network->stop();
    return kAgentRemoved;
  }
  // The mesh and DNS live in this process: they go with it and come back at the next start.
  if (network) network->stop();
  if (options.stop_machines_on_exit) {
    keeper.stop_all(desired);
    log("stopped, and so are its machines");
  } else {
    log("stopped; its machines keep running and are adopted on the next start");
  }
  return kAgentStopped;
}

}  // namespace sixpn::host
