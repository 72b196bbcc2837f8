#include "commands/service_flags.hpp"

#include <cctype>

#include "cli/errors.hpp"
#include "cli/output.hpp"

namespace sixpn::commands {

namespace {

[[noreturn]] void bad_port_flag(const std::string& text, const std::string& why) {
  throw cli::UsageError("--port \"" + cli::one_line(text.substr(0, 40)) + "\" " + why,
                        "write it as [PORT:]INTERNAL/tcp, e.g. --port 5432/tcp or --port "
                        "80:8080/tcp");
}

int port_number(const std::string& digits, const std::string& text) {
  if (digits.empty() || digits.size() > 6) bad_port_flag(text, "is not [PORT:]INTERNAL/tcp");
  for (unsigned char c : digits) {
    if (!std::isdigit(c)) bad_port_flag(text, "is not [PORT:]INTERNAL/tcp");
  }
  int n = std::stoi(digits);
  if (n < 1 || n > 65535) {
    bad_port_flag(text, "has port " + std::to_string(n) + ", not one from 1 to 65535");
  }
  return n;
}

int count_flag(const std::optional<int>& value, const char* flag, int min, int max) {
  if (*value < min || *value > max) {
    throw cli::UsageError(std::string(flag) + " must be from " + std::to_string(min) + " to " +
                          std::to_string(max) + ", not " + std::to_string(*value));
  }
  return *value;
}

}  // namespace

PortFlag parse_port_flag(const std::string& text) {
  PortFlag out;
  std::string ports = text;
  if (auto slash = text.find('/'); slash != std::string::npos) {
    ports = text.substr(0, slash);
    out.protocol = text.substr(slash + 1);
    if (out.protocol.find(':') != std::string::npos) {
      bad_port_flag(text, "names handlers, which Flycast does not have (it carries TCP as is)");
    }
    if (out.protocol != "tcp") bad_port_flag(text, "is not tcp; only tcp services are served");
  }
  if (auto colon = ports.find(':'); colon != std::string::npos) {
    out.port = port_number(ports.substr(0, colon), text);
    out.internal_port = port_number(ports.substr(colon + 1), text);
  } else {
    out.port = out.internal_port = port_number(ports, text);
  }
  return out;
}

std::vector<api::MachineService> plan_services(const ServiceFlags& flags,
                                               const FileServices& file) {
  std::vector<api::MachineService> services;
  if (flags.ports.empty()) {
    if (!file.force_https_at.empty()) {
      throw cli::UsageError(file.source + " sets " + file.force_https_at +
                                " = true, which is refused: " + api::kFlycastHttpsReason,
                            "remove force_https, or give the services as --port flags");
    }
    services = file.services;
  } else {
    for (const auto& text : flags.ports) {
      auto port = parse_port_flag(text);
      api::MachineService* service = nullptr;
      for (auto& s : services) {
        if (s.internal_port == port.internal_port && s.protocol == port.protocol) service = &s;
      }
      for (const auto& s : services) {
        for (const auto& p : s.ports) {
          if (p.port == port.port) {
            throw cli::UsageError("--port " + std::to_string(port.port) + " is given twice");
          }
        }
      }
      if (service == nullptr) {
        services.push_back(api::MachineService{.protocol = port.protocol,
                                               .internal_port = port.internal_port});
        service = &services.back();
      }
      service->ports.push_back(api::ServicePort{.port = port.port});
    }
  }
  if (services.empty() && flags.any()) {
    throw cli::UsageError("service flags need a service to apply to",
                          "add --port [PORT:]INTERNAL/tcp, or [[services]] to fly.toml");
  }
  if (!flags.autostop.empty() && flags.autostop != "stop" && flags.autostop != "off") {
    throw cli::UsageError("--autostop must be stop or off, not \"" +
                          cli::one_line(flags.autostop.substr(0, 20)) + "\"");
  }
  for (auto& s : services) {
    if (flags.autostart) s.autostart = *flags.autostart;
    if (!flags.autostop.empty()) s.autostop = flags.autostop;
    if (flags.min_machines_running) {
      s.min_machines_running = count_flag(flags.min_machines_running, "--min-machines-running", 0, 1000);
    }
    if (flags.soft_limit) s.concurrency.soft_limit = count_flag(flags.soft_limit, "--soft-limit", 1, 1000000);
    if (flags.hard_limit) s.concurrency.hard_limit = count_flag(flags.hard_limit, "--hard-limit", 1, 1000000);
    if (s.concurrency.soft_limit > s.concurrency.hard_limit && (flags.soft_limit || flags.hard_limit)) {
      throw cli::UsageError("the soft limit (" + std::to_string(s.concurrency.soft_limit) +
                                ") must not be over the hard limit (" +
                                std::to_string(s.concurrency.hard_limit) + ")",
                            "set both --soft-limit and --hard-limit (defaults 20 and 25)");
    }
  }
  return services;
}

}  // namespace sixpn::commands
