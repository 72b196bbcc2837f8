#include "server/embedded_host.hpp"

#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "host/agent.hpp"
#include "host/agent_state.hpp"
#include "server/host_state.hpp"
#include "server/tokens.hpp"
#include "server/util.hpp"

namespace sixpn::server {

namespace {
void say(const std::string& line) {
  std::fprintf(stderr, "sixpnd: host: %s\n", line.c_str());
}
}  // namespace

void ensure_embedded_registration(store::Store& store, const std::string& gateway_pubkey,
                                  const HostPort& gateway_endpoint,
                                  const EmbeddedHostOptions& options) {
  host::AgentStateDir dir(options.state_dir);
  if (auto kept = dir.credential()) {
    if (store.host_for(sha256(*kept))) return;
    throw std::runtime_error(
        options.state_dir + " holds the credential of a host this database does not know (the " +
        "directory belongs to another database, or the host was removed): give --host-state-dir "
        "an empty directory");
  }
  for (const auto& h : store.list_hosts()) {
    if (h.pubkey == gateway_pubkey) {
      throw std::runtime_error("this database's embedded host " + h.name + " keeps its " +
                               "credential in another directory than " + options.state_dir +
                               ": pass that one as --host-state-dir, or remove the host with "
                               "`sixpnd hosts remove " + h.name + "`");
    }
  }
  // A join token used at once, in the same process: the same path as any registration, so the
  // store's rules (single use, unique key and name) hold for the embedded host too.
  const std::string join = new_token(kJoinTokenPrefix);
  store.create_join_token(sha256(join),
                          store::NewJoinToken{"*", options.name, rfc3339(std::time(nullptr) + 60)});
  const std::string credential = new_token(kHostCredentialPrefix);
  auto host = store.register_host(
      sha256(join), store::NewHost{options.name, gateway_pubkey, gateway_endpoint.str()},
      sha256(credential));
  dir.keep_registration(api::HostRegistered{to_api_host(host), credential});
  say("registered the embedded host " + host.name + " (region *), state in " + options.state_dir);
}

EmbeddedHost::EmbeddedHost(EmbeddedHostOptions options, api::ClientOptions api)
    : options_(std::move(options)), api_(std::move(api)) {}

EmbeddedHost::~EmbeddedHost() { stop(); }

void EmbeddedHost::start() {
  host::AgentOptions agent;
  agent.client = api_;
  agent.state_dir = options_.state_dir;
  agent.netns_prefix = options_.netns_prefix;
  agent.resync = std::chrono::milliseconds(static_cast<long long>(options_.resync_seconds * 1000));
  agent.log = say;
  agent_ = std::thread([this, agent = std::move(agent)] {
    const int code = host::run_agent(agent, stop_);
    if (code == host::kAgentRemoved) {
      say("the embedded host was removed; sixpnd serves on without one");
    } else if (code == host::kAgentFailed) {
      say("the embedded host could not start (said above); sixpnd serves on without it");
    }
  });
}

void EmbeddedHost::stop() {
  stop_ = true;
  std::lock_guard lock(joining_);
  if (agent_.joinable()) agent_.join();
}

std::string local_url(const char* scheme, const HostPort& listen) {
  HostPort local = listen;
  if (local.host == "0.0.0.0" || local.host.empty()) local.host = "127.0.0.1";
  if (local.host == "::") local.host = "::1";
  return std::string(scheme) + "://" + local.str();
}

}  // namespace sixpn::server
