// `sixpn doctor`: the troubleshooting section of Fly's private-networking guide as one command.
// Each step says PASS or FAIL, and on failure what the guide advises.
#include <cctype>
#include <cstdlib>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/dns_client.hpp"
#include "commands/doctor_checks.hpp"
#include "commands/doctor_machine.hpp"
#include "commands/doctor_probe.hpp"
#include "core/dns/endpoint.hpp"
#include "core/dns/message.hpp"
#include "core/dns/text.hpp"

namespace sixpn::commands {

namespace {

using doctor::Check;
using doctor::fail;
using doctor::pass;
using doctor::skip;
using doctor::Status;
using doctor::Tunnel;
namespace w = core::dns;

struct DoctorOptions {
  std::string interface;
  double wait_seconds = 2;
  std::uint16_t probe_port = 9;
};

const char* status_word(Status s) {
  switch (s) {
    case Status::pass:
      return "PASS";
    case Status::fail:
      return "FAIL";
    case Status::skip:
      return "SKIP";
  }
  return "";
}

const char* kNotConnected =
    "If no results are returned, either you do not have a WireGuard VPN connection open or there "
    "are no apps running in the org. Check 'wg show' for a recent handshake; the gateway's "
    "endpoint must be reachable over UDP.";
const char* kWrongOrg =
    "WireGuard connections are created to a specific org, and each org's network is isolated "
    "from the others: you may be connected to a different org than the one the app lives in. "
    "Check the app's owner with 'sixpn status -a APP', then remove this connection and create one "
    "for that org: 'sixpn wireguard create ORG REGION NAME FILE'.";

// Questions go to the tunnel's DNS server; the kernel routes them into the tunnel, so the
// server sees our 6PN address and answers for our org.
std::string join(const std::vector<std::string>& items, const char* sep) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : sep) + s;
  return out;
}

std::string ms(double value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f ms", value);
  return buf;
}

Check check_tunnel(const std::optional<Tunnel>& tunnel, const DoctorOptions& o) {
  const std::string advice =
      "Create a tunnel with 'sixpn wireguard create ORG REGION NAME NAME.conf' and bring it up "
      "with 'wg-quick up ./NAME.conf' (or import the file into the WireGuard app).";
  if (!tunnel) {
    return fail("tunnel",
                o.interface.empty() ? "no WireGuard interface with a 6PN address (fdaa::/16, /120)"
                                    : o.interface + " has no 6PN address (fdaa::/16, /120)",
                advice);
  }
  std::string name = tunnel->interface + (tunnel->kind.empty() ? "" : " (" + tunnel->kind + ")");
  std::string where = " with " + tunnel->address.str() + "/" +
                      std::to_string(tunnel->prefix_length) + " in org network " +
                      core::org_prefix_cidr(tunnel->network());
  if (!tunnel->up) {
    return fail("tunnel", name + " is down" + where,
                "Bring it up: 'wg-quick up " + tunnel->interface + "'.");
  }
  return pass("tunnel", name + " is up" + where);
}

Check check_dns(const Tunnel& tunnel, std::chrono::milliseconds wait) {
  auto server = core::org_dns_server(tunnel.network());
  try {
    auto reply = ask_values(server, "_apps.internal", w::type::TXT, wait);
    if (reply.rcode != w::rcode::NOERROR) {
      return fail("dns",
                  server.str() + " answered _apps.internal TXT with " + w::rcode_name(reply.rcode),
                  kNotConnected);
    }
    const auto& apps = reply.values;
    if (apps.empty() || join(apps, ",").empty()) {
      return pass("dns", server.str() + " answered _apps.internal TXT: the org has no apps yet");
    }
    return pass("dns", server.str() + " answered _apps.internal TXT: " + join(apps, ","));
  } catch (const std::exception& e) {
    return fail("dns", "no answer from " + server.str() + ": " + e.what(), kNotConnected);
  }
}

Check check_gateway(const Tunnel& tunnel, std::chrono::milliseconds wait) {
  auto server = core::org_dns_server(tunnel.network());
  auto ping = doctor::ping6(server, tunnel.address, wait);
  if (!ping.ok) {
    return fail("gateway", server.str() + " does not answer ping: " + ping.error,
                "The tunnel is configured but nothing comes back through it. Check 'wg show " +
                    tunnel.interface +
                    "' for a recent handshake; if there is none, the gateway does not know "
                    "this peer (removed?) or its endpoint is unreachable.");
  }
  return pass("gateway", server.str() + " answered ping in " + ms(ping.rtt_ms));
}

struct AppLookup {
  std::optional<api::App> app;
  std::string error;
};

AppLookup lookup_app(cli::Context& ctx, const std::string& name) {
  try {
    return {ctx.client().app(name), ""};
  } catch (const std::exception& e) {
    return {std::nullopt, e.what()};
  }
}

// The org network of an app's "fdaa:0:18::/48".
std::optional<std::uint32_t> network_of(const std::string& prefix_cidr) {
  auto address = core::Ipv6::parse(prefix_cidr.substr(0, prefix_cidr.find('/')));
  if (!address || !core::is_sixpn(*address)) return std::nullopt;
  return core::split(*address).network;
}

Check check_org(const std::string& app_name, const AppLookup& lookup, const Tunnel& tunnel) {
  if (!lookup.app) {
    return fail("org", "cannot look up app " + app_name + ": " + lookup.error,
                "Check the app's name and your API token ('sixpn apps list').");
  }
  const auto& app = *lookup.app;
  auto tunnel_prefix = core::org_prefix_cidr(tunnel.network());
  if (network_of(app.network_prefix) != tunnel.network()) {
    return fail("org",
                app_name + " belongs to org " + app.org + " (" + app.network_prefix +
                    "), but the tunnel is in " + tunnel_prefix,
                kWrongOrg);
  }
  return pass("org", app_name + " belongs to org " + app.org + " (" + app.network_prefix +
                         "), the tunnel's org");
}

// The guide's last step: ping the app's machine itself.
Check check_app(const std::string& app_name, const Tunnel& tunnel, std::chrono::milliseconds wait) {
  auto server = core::org_dns_server(tunnel.network());
  const std::string advice =
      "If the ping fails, check which org the application is deployed in ('sixpn status -a " +
      app_name + "') and that it has a started machine; only started machines are in DNS.";
  std::vector<std::string> addresses;
  try {
    auto reply = ask_values(server, app_name + ".internal", w::type::AAAA, wait);
    addresses = reply.values;
    if (addresses.empty()) {
      return fail("app", app_name + ".internal has no address (" + w::rcode_name(reply.rcode) + ")",
                  advice);
    }
  } catch (const std::exception& e) {
    return fail("app", "cannot resolve " + app_name + ".internal: " + e.what(), advice);
  }
  auto target = *core::Ipv6::parse(addresses.front());
  auto ping = doctor::ping6(target, tunnel.address, wait);
  if (!ping.ok) {
    return fail(
        "app",
        app_name + ".internal is " + target.str() + ", which does not answer ping: " + ping.error,
        advice);
  }
  return pass("app", app_name + ".internal is " + target.str() + ", which answered ping in " +
                         ms(ping.rtt_ms));
}

// `where`: what the checks looked at (interface, address, dns_server, machine_id), for --json.
void show(cli::Context& ctx, const nlohmann::json& where, const std::vector<Check>& checks) {
  if (ctx.out.json()) {
    auto list = nlohmann::json::array();
    bool ok = true;
    for (const auto& c : checks) {
      std::string status = status_word(c.status);
      for (auto& ch : status) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      list.push_back({{"name", c.name}, {"status", status}, {"detail", c.detail}});
      if (!c.advice.empty()) list.back()["advice"] = c.advice;
      ok = ok && c.status != Status::fail;
    }
    nlohmann::json doc{{"ok", ok}, {"checks", list}};
    doc.update(where);
    ctx.out.json_document(doc);
    return;
  }
  std::string text;
  for (const auto& c : checks) {
    std::string word = status_word(c.status);
    if (c.status == Status::pass) word = ctx.out.green(word);
    if (c.status == Status::fail) word = ctx.out.red(word);
    std::string name = c.name;
    name.resize(9, ' ');
    text += word + "  " + name + c.detail + "\n";
    if (!c.advice.empty()) text += std::string(15, ' ') + c.advice + "\n";
  }
  ctx.out.raw(text);
}

void fail_if_any(const std::vector<Check>& checks) {
  int failed = 0;
  for (const auto& c : checks) failed += c.status == Status::fail;
  if (failed > 0) {
    throw cli::Failure(std::to_string(failed) + " of " + std::to_string(checks.size()) +
                       " checks failed");
  }
}

// Inside a machine there is no tunnel to examine: the machine's own view of the network is.
void run_machine_doctor(cli::Context& ctx, const doctor::MachineIdentity& self,
                        const DoctorOptions& o, std::chrono::milliseconds wait) {
  auto checks = doctor::machine_checks(self, {}, o.probe_port, wait);
  show(ctx,
       {{"machine_id", self.machine_id},
        {"app", self.app},
        {"address", self.private_ip},
        {"dns_server", "fdaa::3"}},
       checks);
  fail_if_any(checks);
}

void run_doctor(cli::Context& ctx, const DoctorOptions& o) {
  auto wait = std::chrono::milliseconds(static_cast<long>(o.wait_seconds * 1000));
  if (auto self = doctor::machine_identity(std::getenv); self && o.interface.empty()) {
    return run_machine_doctor(ctx, *self, o, wait);
  }
  const std::string app_name = ctx.settings().app;
  auto tunnels = doctor::find_tunnels();
  auto tunnel = doctor::choose_tunnel(tunnels, o.interface, std::nullopt);
  bool usable = tunnel && tunnel->up;

  AppLookup lookup;
  if (!app_name.empty() && usable) {
    lookup = lookup_app(ctx, app_name);
    // With tunnels to several orgs, examine the one to the app's org.
    if (lookup.app && o.interface.empty()) {
      tunnel = doctor::choose_tunnel(tunnels, "", network_of(lookup.app->network_prefix));
      usable = tunnel && tunnel->up;
    }
  }

  const char* needs = "needs a tunnel that is up";
  std::vector<Check> checks;
  checks.push_back(check_tunnel(tunnel, o));
  checks.push_back(usable ? check_dns(*tunnel, wait) : skip("dns", needs));
  checks.push_back(usable ? check_gateway(*tunnel, wait) : skip("gateway", needs));
  if (app_name.empty()) {
    checks.push_back(skip("org", "no app given; pass -a APP to compare its org with the tunnel's"));
    checks.push_back(skip("app", "no app given; pass -a APP to ping its machines"));
  } else {
    checks.push_back(usable ? check_org(app_name, lookup, *tunnel) : skip("org", needs));
    checks.push_back(usable ? check_app(app_name, *tunnel, wait) : skip("app", needs));
  }
  nlohmann::json where{{"interface", nullptr}, {"address", nullptr}, {"dns_server", nullptr}};
  if (tunnel) {
    where["interface"] = tunnel->interface;
    where["address"] = tunnel->address.str();
    where["dns_server"] = core::org_dns_server(tunnel->network()).str();
  }
  show(ctx, where, checks);
  fail_if_any(checks);
}

}  // namespace

void add_doctor(CLI::App& root, cli::Context& ctx) {
  auto* cmd = root.add_subcommand("doctor", "Check this machine's connection to a 6PN network");
  auto options = std::make_shared<DoctorOptions>();
  cli::add_app_flag(*cmd, ctx);
  cmd->add_option("--interface,-i", options->interface,
                  "The WireGuard interface to examine (default: the one up with a 6PN address)");
  cmd->add_option("--wait", options->wait_seconds, "Seconds to wait for each DNS or ping reply")
      ->check(CLI::Range(0.1, 60.0))
      ->capture_default_str();
  cmd->add_option("--probe-port", options->probe_port,
                  "Inside a machine: the TCP port tried on each other instance")
      ->check(CLI::Range(1, 65535))
      ->capture_default_str();
  document(*cmd,
           "Works through the troubleshooting steps of a private network connection:\n"
           "  tunnel   a WireGuard interface with a 6PN address is up\n"
           "  dns      _apps.internal TXT answers from the tunnel's DNS server (prefix::3)\n"
           "  gateway  the gateway answers ping at prefix::3\n"
           "  org      the app's org is the tunnel's org (with -a)\n"
           "  app      <app>.internal resolves and its first machine answers ping (with -a)\n"
           "Inside a machine (FLY_MACHINE_ID set) it checks the machine's side instead:\n"
           "  resolv   /etc/resolv.conf lists nameserver fdaa::3\n"
           "  dns      fdaa::3 answers _apps.internal TXT\n"
           "  hosts    /etc/hosts has fly-local-6pn, equal to FLY_PRIVATE_IP\n"
           "  address  FLY_PRIVATE_IP is on one of the machine's interfaces\n"
           "  mesh     each other instance in _instances.internal (else <app>.internal)\n"
           "           answers a TCP connection on --probe-port: a connection or a refusal\n"
           "           proves the path there and back; silence cannot tell a missing mesh\n"
           "           route from a machine that is gone or a firewall that drops\n"
           "Each prints PASS, FAIL (with advice) or SKIP; the exit code is 1 when one fails.",
           {"sixpn doctor", "sixpn doctor -a my-app", "sixpn doctor -i my-peer --json"});
  cmd->callback([&ctx, options] { run_doctor(ctx, *options); });
}

}  // namespace sixpn::commands
