#include "commands/common.hpp"

#include <cstdio>

#include <CLI/CLI.hpp>

namespace sixpn::commands {

void document(CLI::App& cmd, std::string_view details, const std::vector<std::string>& examples) {
  std::string text = "\n" + std::string(details) + "\n";
  if (!examples.empty()) {
    text += "\nExamples:\n";
    for (const auto& e : examples) text += "  " + e + "\n";
  }
  cmd.footer(text);
}

nlohmann::json peer_json(const api::Peer& p) {
  // Field by field rather than from a braced list, which copies every value once more: this
  // runs once per peer, 10,000 times for a large org's `wg list --json`.
  nlohmann::json j = nlohmann::json::object();
  j["name"] = p.name;
  j["region"] = p.region;
  j["peer_ip"] = p.peer_ip;
  j["endpoint"] = p.endpoint;
  j["created_at"] = p.created_at;
  return j;
}

nlohmann::json machine_json(const api::Machine& m) {
  // The API's own document, config included: scripts read what the API says.
  return m;
}

nlohmann::json ip_json(const api::IpAssignment& ip) {
  return {{"address", ip.address},
          {"type", ip.type},
          {"region", ip.region},
          {"org", ip.org},
          {"created_at", ip.created_at}};
}

nlohmann::json region_json(const api::Region& r) {
  // Field by field, as peer_json: `platform regions` is start-up bound (bench/cli.sh).
  nlohmann::json j = nlohmann::json::object();
  j["code"] = r.code;
  j["name"] = r.name;
  j["gateway_available"] = r.gateway_available;
  j["latitude"] = r.latitude;
  j["longitude"] = r.longitude;
  return j;
}

nlohmann::json org_json(const api::Org& o) {
  return {{"slug", o.slug},
          {"name", o.name},
          {"network_prefix", o.network_prefix},
          {"dns_server", o.dns_server},
          {"created_at", o.created_at}};
}

nlohmann::json app_json(const api::App& a) {
  return {{"name", a.name},
          {"org", a.org},
          {"status", a.status},
          {"hostname", a.hostname},
          {"network_prefix", a.network_prefix},
          {"created_at", a.created_at}};
}

std::vector<std::string> ip_row(const api::IpAssignment& ip, std::time_t now) {
  // The API's type names the kind and scope; flyctl's table splits them as v6 / private.
  std::string version = ip.address.find(':') != std::string::npos ? "v6" : "v4";
  std::string type = ip.type;
  if (auto us = type.find('_'); us != std::string::npos) type = type.substr(0, us);
  return {version, ip.address, type, ip.region, ip.org, ago(ip.created_at, now)};
}

std::optional<std::time_t> parse_time(std::string_view text) {
  std::string s(text);
  int y, mo, d, h, mi, sec, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &used) != 6 ||
      used != 19) {
    return std::nullopt;
  }
  std::size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
  }
  long offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
    offset = 0;
  } else if (i + 6 == s.size() && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(s.c_str() + i + 1, "%2d:%2d", &oh, &om) != 2) return std::nullopt;
    offset = (s[i] == '-' ? -1 : 1) * (oh * 3600L + om * 60L);
  } else {
    return std::nullopt;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::tm tm = {};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = sec;
  return timegm(&tm) - offset;
}

std::string ago(std::string_view timestamp, std::time_t now) {
  auto t = parse_time(timestamp);
  if (!t) return std::string(timestamp);
  long long secs = static_cast<long long>(now - *t);
  if (secs < 60) return "just now";
  if (secs < 3600) return std::to_string(secs / 60) + "m ago";
  if (secs < 86400) return std::to_string(secs / 3600) + "h ago";
  return std::to_string(secs / 86400) + "d ago";
}

}  // namespace sixpn::commands
