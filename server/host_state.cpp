#include "server/host_state.hpp"

#include <set>

#include "core/address.hpp"
#include "server/flycast_state.hpp"

namespace sixpn::server {

api::Host to_api_host(const store::HostRecord& h) {
  api::Host out;
  out.id = h.id;
  out.name = h.name;
  out.region = h.region;
  out.pubkey = h.pubkey;
  out.endpoint = h.endpoint;
  out.state = h.live ? "live" : "unreachable";
  out.machines = h.machines;
  out.last_seen_at = h.last_seen_at;
  out.created_at = h.created_at;
  return out;
}

std::vector<std::string> host_allowed_ips(const store::HostRecord& h) {
  std::vector<std::string> out;
  for (auto network : h.networks) out.push_back(core::host_prefix_cidr(network, h.id));
  return out;
}

std::string proxy_allowed_ip(std::uint32_t node_host) {
  return core::proxy_address(node_host).str() + "/128";
}

api::MeshNode host_mesh_node(const store::HostRecord& h) {
  auto allowed = host_allowed_ips(h);
  allowed.push_back(proxy_allowed_ip(h.id));
  return api::MeshNode{"host", h.id, h.name, h.region, h.pubkey, h.endpoint, std::move(allowed)};
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> peer_prefixes(
    const std::vector<store::GatewayPeer>& peers) {
  std::set<std::pair<std::uint32_t, std::uint32_t>> seen;
  for (const auto& p : peers) seen.emplace(p.network_id, core::split(p.peer_ip).host);
  return {seen.begin(), seen.end()};
}

namespace {
api::HostMachine host_machine(const store::MachineRecord& m) {
  api::HostMachine out;
  out.id = m.id;
  out.app = m.app;
  out.org = m.org;
  out.network_id = m.network_id;
  out.region = m.region;
  out.process_group = m.process_group;
  out.private_ip = m.private_ip.str();
  out.desired = store::to_string(m.desired);
  out.generation = m.generation;
  out.config = m.config;
  if (m.desired == store::MachineState::Stopped && !m.stop_request.empty()) {
    out.stop = api::stop_config_for(m.config.stop_config, m.stop_request);
  }
  return out;
}

api::DnsOrg dns_org(const dns::OrgZone& zone) {
  api::DnsOrg out;
  out.slug = zone.slug;
  out.network_id = zone.network_id;
  for (const auto& a : zone.apps) {
    api::DnsApp app{a.name, {}, a.in_org};
    for (const auto& ip : a.flycast) app.flycast.push_back(ip.str());
    out.apps.push_back(std::move(app));
  }
  for (const auto& m : zone.machines) {
    out.machines.push_back(api::DnsMachine{m.id, m.app, m.region, m.process_group, m.metadata,
                                           m.address.str(), m.started});
  }
  for (const auto& p : zone.peers) {
    out.peers.push_back(api::DnsPeer{p.name, p.region, p.address.str()});
  }
  return out;
}
}  // namespace

api::HostState build_host_state(const HostStateInputs& in) {
  api::HostState out;
  out.version = in.version;
  out.host = to_api_host(in.host);
  std::set<std::uint32_t> networks;
  for (const auto& m : in.machines) {
    out.machines.push_back(host_machine(m));
    networks.insert(m.network_id);
  }
  // The embedded host of `sixpnd serve --host` carries the gateway's key: its machines sit
  // beside the gateway, so its /80s are reached through the gateway's node, not a node of
  // their own; and for the embedded host itself the gateway is not a peer but itself.
  const bool embedded = in.gateway && in.host.pubkey == in.gateway->pubkey;
  std::vector<std::string> beside_gateway;
  for (const auto& h : in.live_hosts) {
    if (h.id == in.host.id) continue;
    if (in.gateway && h.pubkey == in.gateway->pubkey) {
      beside_gateway = host_allowed_ips(h);
      continue;
    }
    out.mesh.push_back(host_mesh_node(h));
  }
  if (in.gateway && !embedded) {
    api::MeshNode gw;
    gw.kind = "gateway";
    gw.name = "gateway";
    gw.region = "*";
    gw.pubkey = in.gateway->pubkey;
    gw.endpoint = in.gateway->endpoint;
    for (const auto& [network, host] : in.gateway->peer_prefixes) {
      gw.allowed_ips.push_back(core::host_prefix_cidr(network, host));
    }
    gw.allowed_ips.insert(gw.allowed_ips.end(), beside_gateway.begin(), beside_gateway.end());
    gw.allowed_ips.push_back(proxy_allowed_ip(core::kGatewayProxyHost));
    out.mesh.push_back(std::move(gw));
  }
  for (auto network : networks) {
    auto zone = in.dns.by_network.find(network);
    if (zone != in.dns.by_network.end()) out.dns.push_back(dns_org(zone->second));
  }
  for (const auto& [code, r] : in.dns.regions) {
    out.regions.push_back(api::DnsRegion{r.code, r.latitude, r.longitude});
  }
  out.flycast = flycast_services_on(in.flycast, networks);
  return out;
}

}  // namespace sixpn::server
