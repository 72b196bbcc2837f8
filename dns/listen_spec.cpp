#include <string>

#include "dns/server.hpp"

namespace sixpn::dns {

std::optional<ListenSpec> parse_listen_spec(std::string_view text, std::string& problem) {
  ListenSpec spec;
  std::string_view address = text;
  if (auto eq = text.find('='); eq != std::string_view::npos) {
    std::string_view org = text.substr(eq + 1);
    if (org.empty() || org.find_first_of(" \t=:") != std::string_view::npos) {
      problem = "DNS listener \"" + std::string(text) + "\" names no valid org after '='";
      return std::nullopt;
    }
    spec.org = std::string(org);
    address = text.substr(0, eq);
  }
  auto endpoint = core::dns::parse_endpoint(address);
  if (!endpoint) {
    problem = "DNS listener \"" + std::string(text) +
              "\" is not HOST:PORT[=ORG] with a literal address (127.0.0.1:5353, [::1]:53=my-org)";
    return std::nullopt;
  }
  spec.endpoint = *endpoint;
  return spec;
}

}  // namespace sixpn::dns
