#include "server/gateway/gateway.hpp"

#include <cctype>
#include <iostream>
#include <stdexcept>

#include <CLI/CLI.hpp>

namespace sixpn::server::gateway {

namespace {

std::uint16_t parse_port(std::string_view text, std::string_view whole) {
  int port = 0;
  for (char c : text) {
    if (c < '0' || c > '9' || port > 65535) {
      port = -1;
      break;
    }
    port = port * 10 + (c - '0');
  }
  if (text.empty() || port < 1 || port > 65535) {
    throw std::invalid_argument("bad port in gateway endpoint \"" + std::string(whole) +
                                "\" (want 1-65535)");
  }
  return static_cast<std::uint16_t>(port);
}

// A peer whose key wg(8) would refuse must not take down the whole batch of changes.
bool valid_peer(const DesiredPeer& peer) {
  return core::parse_public_key(peer.public_key).has_value() && core::is_sixpn(peer.address);
}

}  // namespace

Endpoint parse_endpoint(std::string_view text) {
  Endpoint endpoint;
  std::string_view host = text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos) {
      throw std::invalid_argument("gateway endpoint \"" + std::string(text) + "\" lacks a ']'");
    }
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        throw std::invalid_argument("unexpected text after ']' in gateway endpoint \"" +
                                    std::string(text) + "\"");
      }
      endpoint.port = parse_port(rest.substr(1), text);
    }
    if (!core::Ipv6::parse(host)) {
      throw std::invalid_argument("\"" + std::string(host) + "\" is not an IPv6 address");
    }
  } else if (auto colon = text.find(':');
             colon != std::string_view::npos && text.find(':', colon + 1) == text.npos) {
    host = text.substr(0, colon);
    endpoint.port = parse_port(text.substr(colon + 1), text);
  } else if (colon != std::string_view::npos && !core::Ipv6::parse(text)) {
    throw std::invalid_argument("gateway endpoint \"" + std::string(text) +
                                "\" is neither HOST[:PORT] nor [IPV6]:PORT");
  }
  if (host.empty()) {
    throw std::invalid_argument("gateway endpoint \"" + std::string(text) + "\" has no host");
  }
  endpoint.host = std::string(host);
  return endpoint;
}

void add_gateway_flags(CLI::App& serve, GatewayOptions& options) {
  auto* interface =
      serve
          .add_option("--gateway-interface", options.interface,
                      "Run the WireGuard gateway on this interface (created, or adopted if "
                      "it exists); needs root")
          ->check([](const std::string& name) -> std::string {
            if (name.empty() || name.size() > 15) return "interface names are 1-15 characters";
            for (char c : name) {
              bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '=' ||
                        c == '+' || c == '.' || c == '-';
              if (!ok) return "interface names use only [a-zA-Z0-9_=+.-]";
            }
            return {};
          });
  auto* endpoint =
      serve
          .add_option_function<std::string>(
              "--gateway-endpoint",
              [&options](const std::string& text) {
                try {
                  options.endpoint = parse_endpoint(text);
                } catch (const std::invalid_argument& e) {
                  throw CLI::ValidationError("--gateway-endpoint", e.what());
                }
              },
              "HOST[:PORT] peers dial to reach the gateway; PORT (default 51820) is also the "
              "UDP port the interface listens on")
          ->type_name("HOST[:PORT]");
  interface->needs(endpoint);
  endpoint->needs(interface);
}

Gateway::Gateway(GatewayOptions options, core::PrivateKey key, StateSource source, Log log)
    : options_(std::move(options)),
      key_(std::move(key)),
      source_(std::move(source)),
      log_(std::move(log)),
      firewall_(firewall_table_name(options_.interface)) {}

Gateway::~Gateway() {
  try {
    stop();
  } catch (const std::exception& e) {
    say(std::string("stopping failed: ") + e.what());
  }
}

void Gateway::say(const std::string& line) const {
  if (log_) {
    log_(line);
  } else {
    std::cerr << "sixpnd: gateway: " << line << std::endl;
  }
}

void Gateway::bring_up_device() {
  device_ = WgDevice::open(options_.interface, options_.userspace_binary);
  device_.configure(key_, options_.endpoint.port);
  say(std::string(device_.created() ? "created " : "adopted ") + options_.interface +
      (device_.userspace() ? " (userspace, " + options_.userspace_binary + ")" : "") +
      ", listening on UDP " + std::to_string(options_.endpoint.port) + ", public key " +
      key_.public_key().base64());
}

void Gateway::start() {
  if (worker_.joinable()) return;
  try {
    bring_up_device();
    forwarding_.enable();
    sync_once(true);
  } catch (...) {
    stop();
    throw;
  }
  {
    std::lock_guard lock(mutex_);
    stopping_ = false;
  }
  worker_ = std::thread([this] { run(); });
}

void Gateway::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  synced_cv_.notify_all();
  if (worker_.joinable()) worker_.join();
  // Each step runs even if an earlier one failed; the first failure is reported at the end.
  std::string failure;
  auto attempt = [&failure](const auto& step) {
    try {
      step();
    } catch (const std::exception& e) {
      if (failure.empty()) failure = e.what();
    }
  };
  attempt([this] { firewall_.remove(); });
  attempt([this] {
    // An interface sixpnd created goes away whole; an adopted one only loses what we added.
    if (!device_.name().empty() && !device_.created() && device_.healthy()) {
      sync_org_routing(device_.name(), {});
    }
  });
  attempt([this] { device_.close(); });
  attempt([this] { forwarding_.restore(); });
  if (!failure.empty()) throw CommandError(failure);
}

bool Gateway::request_sync(std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  if (!worker_.joinable() || stopping_) return false;
  auto ticket = ++requested_;
  wake_.notify_all();
  bool done = synced_cv_.wait_for(lock, wait, [&] { return completed_ >= ticket || stopping_; });
  return done && completed_ >= ticket && last_ok_;
}

void Gateway::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    bool woken = wake_.wait_for(lock, options_.resync_interval,
                                [this] { return stopping_ || requested_ > completed_; });
    if (stopping_) break;
    auto ticket = requested_;
    lock.unlock();
    bool ok = true;
    try {
      // A store change needs only the diff; the periodic pass also reloads the table.
      sync_once(!woken);
    } catch (const std::exception& e) {
      ok = false;
      say(std::string("sync failed: ") + e.what());
    }
    lock.lock();
    completed_ = ticket;
    last_ok_ = ok;
    synced_cv_.notify_all();
  }
}

void Gateway::sync_once(bool full) {
  if (!device_.healthy()) {
    say(options_.interface + " is gone; bringing it up again");
    device_.close();
    bring_up_device();
    full = true;
  }
  DesiredState state = source_();
  std::vector<DesiredPeer> peers;
  for (auto& peer : state.peers) {
    if (!valid_peer(peer)) {
      say("skipping peer with an unusable key or address: " + peer.public_key);
      continue;
    }
    state.networks.insert(core::split(peer.address).network);
    peers.push_back(std::move(peer));
  }
  sync_org_routing(device_.name(), state.networks);
  firewall_.apply(state.networks, full);
  auto plan = device_.sync_peers(peers);
  for (const auto& key : plan.remove) say("removed peer " + key);
  for (const auto& [key, cidr] : plan.set) say("peer " + key + " allowed " + cidr);
}

}  // namespace sixpn::server::gateway
