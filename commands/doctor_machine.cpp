#include "commands/doctor_machine.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <memory>
#include <sstream>

#include "commands/dns_client.hpp"
#include "core/dns/message.hpp"
#include "core/dns/text.hpp"

namespace sixpn::commands::doctor {

namespace {

using Clock = std::chrono::steady_clock;
namespace w = core::dns;

constexpr std::size_t kMostProbes = 32;

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line.substr(0, line.find('#')));
  for (std::string word; in >> word;) out.push_back(word);
  return out;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::optional<std::string> read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

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

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Reach reach_of(int err) {
  if (err == ECONNREFUSED) return Reach::refused;
  if (err == EHOSTUNREACH || err == ENETUNREACH || err == EADDRNOTAVAIL) return Reach::unreachable;
  if (err == ETIMEDOUT) return Reach::silent;
  return Reach::error;
}

const char* kDnsAdvice =
    "A machine's resolver is fdaa::3 on its host. Check that the host runs ('sixpnd host') and "
    "that the machine's /etc/resolv.conf says 'nameserver fdaa::3'.";

}  // namespace

std::optional<MachineIdentity> machine_identity(
    const std::function<const char*(const char*)>& getenv) {
  auto get = [&](const char* name) {
    const char* v = getenv(name);
    return std::string(v == nullptr ? "" : v);
  };
  MachineIdentity id{get("FLY_MACHINE_ID"), get("FLY_APP_NAME"), get("FLY_REGION"),
                     get("FLY_PRIVATE_IP")};
  if (id.machine_id.empty()) return std::nullopt;
  return id;
}

std::vector<std::string> resolv_nameservers(std::string_view text) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(text)) {
    auto w = words(line);
    if (w.size() >= 2 && w[0] == "nameserver") out.push_back(w[1]);
  }
  return out;
}

std::vector<std::string> hosts_addresses(std::string_view text, std::string_view name) {
  std::vector<std::string> out;
  for (const auto& line : lines_of(text)) {
    auto w = words(line);
    for (std::size_t i = 1; i < w.size(); ++i) {
      if (w[i] == name) {
        out.push_back(w[0]);
        break;
      }
    }
  }
  return out;
}

std::vector<Instance> parse_instances(std::string_view txt) {
  std::vector<Instance> out;
  std::string all(txt);
  std::size_t start = 0;
  while (start <= all.size()) {
    auto end = all.find(';', start);
    if (end == std::string::npos) end = all.size();
    std::string item = all.substr(start, end - start);
    Instance inst;
    std::size_t at = 0;
    while (at < item.size()) {
      auto comma = item.find(',', at);
      if (comma == std::string::npos) comma = item.size();
      std::string field = item.substr(at, comma - at);
      auto eq = field.find('=');
      if (eq != std::string::npos) {
        std::string key = field.substr(0, eq), value = field.substr(eq + 1);
        if (key == "instance") inst.id = value;
        if (key == "app") inst.app = value;
        if (key == "ip") inst.ip = value;
        if (key == "region") inst.region = value;
      }
      at = comma + 1;
    }
    if (!inst.ip.empty()) out.push_back(std::move(inst));
    start = end + 1;
  }
  return out;
}

InterfaceAddresses interface_addresses() {
  InterfaceAddresses out;
  ifaddrs* raw = nullptr;
  if (::getifaddrs(&raw) != 0) return out;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> list(raw, &::freeifaddrs);
  for (auto* ifa = raw; ifa != nullptr; ifa = ifa->ifa_next) {
    if (ifa->ifa_addr == nullptr || ifa->ifa_addr->sa_family != AF_INET6) continue;
    core::Ipv6 address;
    std::memcpy(address.bytes.data(),
                reinterpret_cast<const sockaddr_in6*>(ifa->ifa_addr)->sin6_addr.s6_addr, 16);
    out.emplace_back(ifa->ifa_name, address);
  }
  return out;
}

Probe tcp_probe(const core::Ipv6& target, std::uint16_t port, std::chrono::milliseconds timeout) {
  Probe probe;
  Fd fd(::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (fd.get() < 0) {
    probe.detail = std::string("cannot open a socket: ") + std::strerror(errno);
    return probe;
  }
  sockaddr_in6 sa{};
  sa.sin6_family = AF_INET6;
  sa.sin6_port = htons(port);
  std::memcpy(sa.sin6_addr.s6_addr, target.bytes.data(), 16);
  const auto start = Clock::now();
  auto done = [&](Reach reach, int err) {
    probe.reach = reach;
    probe.rtt_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    if (err != 0) probe.detail = std::strerror(err);
    return probe;
  };
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0) {
    return done(Reach::connected, 0);
  }
  if (errno != EINPROGRESS) return done(reach_of(errno), errno);
  const auto deadline = start + timeout;
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return done(Reach::silent, 0);
    pollfd p{fd.get(), POLLOUT, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) return done(Reach::error, errno);
    if (ready == 0) return done(Reach::silent, 0);
    int err = 0;
    socklen_t len = sizeof err;
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
    return err == 0 ? done(Reach::connected, 0) : done(reach_of(err), err);
  }
}

Check check_resolv_conf(const std::string& path) {
  auto text = read_file(path);
  if (!text) return fail("resolv", "cannot read " + path, kDnsAdvice);
  auto servers = resolv_nameservers(*text);
  auto fdaa3 = std::find(servers.begin(), servers.end(), "fdaa::3");
  if (fdaa3 == servers.end()) {
    return fail("resolv",
                path + " does not list nameserver fdaa::3" +
                    (servers.empty() ? std::string(" (it lists none)")
                                     : " (it lists " + join(servers, ", ") + ")"),
                kDnsAdvice);
  }
  if (fdaa3 != servers.begin()) {
    return pass("resolv", path + " lists nameserver fdaa::3, after " +
                              join({servers.begin(), fdaa3}, ", ") +
                              ", which are asked first for .internal names");
  }
  return pass("resolv", path + " lists nameserver fdaa::3 first");
}

Check check_hosts_file(const std::string& path, const MachineIdentity& self) {
  const std::string advice =
      "The host writes fly-local-6pn, the machine's own 6PN address, into /etc/hosts; a "
      "missing or different entry means the file was replaced inside the machine.";
  auto text = read_file(path);
  if (!text) return fail("hosts", "cannot read " + path, advice);
  auto found = hosts_addresses(*text, "fly-local-6pn");
  if (found.empty()) return fail("hosts", path + " has no fly-local-6pn entry", advice);
  if (self.private_ip.empty()) {
    return fail("hosts", "FLY_PRIVATE_IP is not set, so fly-local-6pn (" + found.front() +
                             ") cannot be compared", advice);
  }
  auto mine = core::Ipv6::parse(self.private_ip);
  auto listed = core::Ipv6::parse(found.front());
  if (!mine || !listed || !(*mine == *listed)) {
    return fail("hosts",
                "fly-local-6pn is " + found.front() + " but FLY_PRIVATE_IP is " + self.private_ip,
                advice);
  }
  return pass("hosts", "fly-local-6pn is " + found.front() + ", FLY_PRIVATE_IP");
}

Check check_address(const MachineIdentity& self, const InterfaceAddresses& addresses) {
  const std::string advice =
      "The machine's network namespace should hold its /112 on eth0; without it nothing on "
      "the private network can reach it. Restart the machine ('sixpn machine stop', 'start').";
  auto mine = core::Ipv6::parse(self.private_ip);
  if (!mine) {
    return fail("address", "FLY_PRIVATE_IP \"" + self.private_ip + "\" is not an IPv6 address",
                advice);
  }
  for (const auto& [name, address] : addresses) {
    if (address == *mine) return pass("address", mine->str() + " is on " + name);
  }
  return fail("address", mine->str() + " is on no interface", advice);
}

Check check_machine_dns(const core::Ipv6& server, std::chrono::milliseconds wait) {
  try {
    auto reply = ask_values(server, "_apps.internal", w::type::TXT, wait);
    if (reply.rcode != w::rcode::NOERROR) {
      return fail("dns",
                  server.str() + " answered _apps.internal TXT with " + w::rcode_name(reply.rcode),
                  kDnsAdvice);
    }
    return pass("dns", server.str() + " answered _apps.internal TXT: " +
                           (join(reply.values, ",").empty() ? std::string("(no apps)")
                                                            : join(reply.values, ",")));
  } catch (const std::exception& e) {
    return fail("dns", "no answer from " + server.str() + ": " + e.what(), kDnsAdvice);
  }
}

Check check_mesh(const MachineIdentity& self, const core::Ipv6& server, std::uint16_t port,
                 std::chrono::milliseconds wait) {
  const std::string advice =
      "An instance that stays silent is on a host the mesh does not reach from here (check "
      "'sixpnd host' on both hosts and their WireGuard handshakes), or is not running any more.";
  std::vector<Instance> others;
  std::string source;
  try {
    auto reply = ask_values(server, "_instances.internal", w::type::TXT, wait);
    for (const auto& txt : reply.values) {
      for (auto& inst : parse_instances(txt)) others.push_back(std::move(inst));
    }
    source = "_instances.internal";
    if (others.empty() && !self.app.empty()) {
      for (auto& ip : ask_values(server, self.app + ".internal", w::type::AAAA, wait).values) {
        others.push_back({"", self.app, std::move(ip), ""});
      }
      source = self.app + ".internal";
    }
  } catch (const std::exception& e) {
    return fail("mesh", std::string("cannot list the other instances: ") + e.what(), kDnsAdvice);
  }
  auto mine = core::Ipv6::parse(self.private_ip);
  std::vector<std::pair<Instance, core::Ipv6>> targets;
  for (auto& inst : others) {
    auto ip = core::Ipv6::parse(inst.ip);
    if (!ip || (mine && *ip == *mine) || inst.id == self.machine_id) continue;
    targets.emplace_back(std::move(inst), *ip);
  }
  if (targets.empty()) {
    return skip("mesh", source + " lists no other started instance to try");
  }
  const std::size_t total = targets.size();
  if (targets.size() > kMostProbes) targets.resize(kMostProbes);
  std::vector<std::future<Probe>> probes;
  for (const auto& target : targets) {
    probes.push_back(std::async(std::launch::async, [ip = target.second, port, wait] {
      return tcp_probe(ip, port, wait);
    }));
  }
  std::vector<std::string> reached, missed;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    auto p = probes[i].get();
    const auto& inst = targets[i].first;
    std::string who = (inst.id.empty() ? inst.ip : inst.id + " (" + inst.app + ", " + inst.ip + ")");
    switch (p.reach) {
      case Reach::connected:
      case Reach::refused:
        reached.push_back(who + " in " + ms(p.rtt_ms));
        break;
      case Reach::silent:
        missed.push_back(who + ": no answer within " + std::to_string(wait.count()) + " ms");
        break;
      case Reach::unreachable:
      case Reach::error:
        missed.push_back(who + ": " + p.detail);
        break;
    }
  }
  std::string tried = std::to_string(targets.size()) + " of " + std::to_string(total) +
                      " other instances from " + source + " tried on TCP port " +
                      std::to_string(port) + " (an answer, even a refusal, proves the path)";
  if (!missed.empty()) {
    return fail("mesh", tried + "; unreachable: " + join(missed, "; ") +
                            (reached.empty() ? "" : "; reached: " + join(reached, "; ")),
                advice);
  }
  return pass("mesh", tried + "; all answered: " + join(reached, "; "));
}

std::vector<Check> machine_checks(const MachineIdentity& self, const MachinePaths& paths,
                                  std::uint16_t port, std::chrono::milliseconds wait) {
  const auto server = *core::Ipv6::parse("fdaa::3");
  std::vector<Check> checks;
  checks.push_back(check_resolv_conf(paths.resolv_conf));
  checks.push_back(check_machine_dns(server, wait));
  checks.push_back(check_hosts_file(paths.hosts, self));
  checks.push_back(check_address(self, interface_addresses()));
  // Without answers from fdaa::3 there is no list of instances to try.
  checks.push_back(checks[1].status == Status::pass
                       ? check_mesh(self, server, port, wait)
                       : skip("mesh", "needs fdaa::3 to answer, to list the other instances"));
  return checks;
}

}  // namespace sixpn::commands::doctor
