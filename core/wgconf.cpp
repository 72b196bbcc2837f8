#include "core/wgconf.hpp"

#include <stdexcept>
#include <string_view>

#include "wireguard_conf_template.hpp"

namespace sixpn::core {

std::string format_endpoint(const std::string& host, std::uint16_t port) {
  bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

namespace {
void replace_once(std::string& text, std::string_view placeholder, const std::string& value) {
  auto at = text.find(placeholder);
  if (at == std::string::npos) throw std::logic_error("template lacks " + std::string(placeholder));
  text.replace(at, placeholder.size(), value);
}
}  // namespace

SecretString render_config(const PeerConfig& config, const PrivateKey& key) {
  auto fields = split(config.peer_ip);
  std::string out = embedded::kWireGuardConfTemplate;
  replace_once(out, "{{address}}", config.peer_ip.str());
  replace_once(out, "{{dns}}", org_dns_server(fields.network).str());
  replace_once(out, "{{gateway_public_key}}", config.gateway_public_key);
  replace_once(out, "{{allowed_ips}}", org_prefix_cidr(fields.network));
  replace_once(out, "{{endpoint}}", format_endpoint(config.endpoint_host, config.endpoint_port));
  SecretString private_b64(key.base64());
  replace_once(out, "{{private_key}}", private_b64.view());
  return SecretString(std::move(out));
}

}  // namespace sixpn::core
