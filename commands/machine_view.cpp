#include "commands/machine_view.hpp"

#include <cstdio>
#include <utility>

#include "cli/output.hpp"

namespace sixpn::commands {

namespace {

std::string or_dash(const std::string& s) {
  return s.empty() ? "-" : s;
}

bool plain_word(const std::string& w) {
  if (w.empty()) return false;
  for (unsigned char c : w) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    for (char extra : std::string("_./:=,@%+-")) ok = ok || c == static_cast<unsigned char>(extra);
    if (!ok) return false;
  }
  return true;
}

std::string block(const std::string& title,
                  const std::vector<std::pair<std::string, std::string>>& lines) {
  std::size_t width = 0;
  for (const auto& [key, value] : lines) width = std::max(width, key.size());
  std::string out = title + "\n";
  for (const auto& [key, value] : lines) {
    out += "  " + key + std::string(width - key.size(), ' ') + " = " + value + "\n";
  }
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// "5432→5432/tcp (autostart, autostop stop, min 0, limits 20/25)" per service, "none" without.
std::string services_line(const std::vector<api::MachineService>& services) {
  std::string out;
  for (const auto& s : services) {
    if (!out.empty()) out += "; ";
    out += api::services_summary({s}) + " (" + (s.autostart ? "autostart" : "no autostart") +
           ", autostop " + s.autostop + ", min " + std::to_string(s.min_machines_running) +
           ", limits " + std::to_string(s.concurrency.soft_limit) + "/" +
           std::to_string(s.concurrency.hard_limit) + ")";
  }
  return out.empty() ? "none" : out;
}

}  // namespace

const std::vector<std::string> kMachineHeaders = {"ID",     "NAME",  "PROCESS",     "HOST",
                                                  "REGION", "STATE", "6PN ADDRESS", "LAST UPDATED"};

std::vector<std::string> machine_row(const api::Machine& m) {
  return {m.id,    m.name,         m.process_group, or_dash(m.host), m.region,
          m.state, m.private_ip, m.updated_at};
}

const std::vector<std::string> kStatusMachineHeaders = {
    "PROCESS", "ID", "HOST", "REGION", "STATE", "6PN ADDRESS", "LAST UPDATED"};

std::vector<std::string> status_machine_row(const api::Machine& m) {
  return {m.process_group, m.id,         or_dash(m.host), m.region,
          m.state,         m.private_ip, m.updated_at};
}

std::string shell_words(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    if (plain_word(w)) {
      out += w;
      continue;
    }
    out += '\'';
    for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    out += '\'';
  }
  return out;
}

std::string machine_detail(const api::Machine& m) {
  const auto& c = m.config;
  std::string restart = c.restart.policy;
  if (restart == "on-failure") {
    restart += " (at most " + std::to_string(c.restart.max_retries) + " retries)";
  }
  std::string guest;
  if (c.guest.cpus) guest += number(*c.guest.cpus) + " CPUs";
  if (c.guest.memory_mb) {
    guest += (guest.empty() ? "" : ", ") + std::to_string(*c.guest.memory_mb) + " MB";
  }
  std::string metadata;
  for (const auto& [k, v] : m.metadata) metadata += (metadata.empty() ? "" : ", ") + k + "=" + v;
  std::string env;
  for (const auto& [k, v] : c.env) env += (env.empty() ? "" : ", ") + k + "=" + v;
  std::string out = block("Machine", {{"ID", m.id},
                                      {"Name", or_dash(m.name)},
                                      {"App", or_dash(m.app)},
                                      {"Process group", or_dash(m.process_group)},
                                      {"Host", or_dash(m.host)},
                                      {"Region", m.region},
                                      {"State", m.state},
                                      {"6PN address", m.private_ip},
                                      {"Exit code", m.exit_code ? std::to_string(*m.exit_code) : "-"},
                                      {"Message", or_dash(cli::one_line(m.message))},
                                      {"Created", or_dash(m.created_at)},
                                      {"Updated", or_dash(m.updated_at)}});
  out += "\n";
  out += block("Config",
               {{"Image", c.image},
                {"Command", c.init_cmd.empty() ? "(the image's default)"
                                               : cli::one_line(shell_words(c.init_cmd))},
                {"Env", or_dash(cli::one_line(env))},
                {"Metadata", or_dash(cli::one_line(metadata))},
                {"Restart", restart},
                {"Stop", c.stop_config.signal + ", then SIGKILL after " +
                             std::to_string(c.stop_config.timeout_seconds) + "s"},
                {"Limits", guest.empty() ? "none" : guest},
                {"Services", services_line(c.services)}});
  return out;
}

}  // namespace sixpn::commands
