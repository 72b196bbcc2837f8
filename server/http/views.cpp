#include "server/http/views.hpp"

namespace sixpn::server::http {

api::Org to_api(const store::OrgRecord& org) {
  return api::Org{org.slug,
                  org.name,
                  org.network_id,
                  core::org_prefix_cidr(org.network_id),
                  core::org_dns_server(org.network_id).str(),
                  org.created_at};
}

std::string app_status(const store::AppRecord& app) {
  if (app.started_machines > 0) return "deployed";
  if (app.machines > 0) return "suspended";
  return "pending";
}

api::App to_api(const store::AppRecord& app) {
  return api::App{app.name,
                  app.org.slug,
                  app_status(app),
                  app.name + ".internal",
                  core::org_prefix_cidr(app.org.network_id),
                  app.created_at};
}

api::Machine to_api(const store::MachineRecord& m) {
  api::Machine out;
  out.id = m.id;
  out.name = m.name;
  out.app = m.app;
  out.region = m.region;
  out.state = m.state;
  out.process_group = m.process_group;
  out.metadata = m.metadata;
  out.private_ip = m.private_ip.str();
  out.host_id = m.host_id;
  out.host = m.host;
  out.config = m.config;
  out.exit_code = m.exit_code;
  out.message = m.message;
  out.created_at = m.created_at;
  out.updated_at = m.updated_at;
  return out;
}

api::IpAssignment to_api(const store::IpRecord& ip) {
  return api::IpAssignment{ip.address.str(), "private_v6", "global",
                           ip.org.slug,      ip.app,       ip.created_at};
}

api::Peer to_api(const store::PeerRecord& peer, const HostPort& endpoint,
                 const std::string& gateway_pubkey) {
  api::Peer out;
  out.name = peer.name;
  out.org = peer.org.slug;
  out.region = peer.region;
  out.pubkey = peer.pubkey;
  out.peer_ip = peer.peer_ip.str();
  out.endpoint_ip = endpoint.host;
  out.endpoint_port = endpoint.port;
  out.endpoint = endpoint.str();
  out.gateway_pubkey = gateway_pubkey;
  out.dns = core::org_dns_server(peer.org.network_id).str();
  out.network_prefix = core::org_prefix_cidr(peer.org.network_id);
  out.created_at = peer.created_at;
  return out;
}

}  // namespace sixpn::server::http
