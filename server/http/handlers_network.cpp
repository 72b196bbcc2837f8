// Handlers: WireGuard peers and IP assignments (Flycast).
#include "server/http/handlers.hpp"

namespace sixpn::server::http {

Reply list_peers(const Services& s, const Call& call) {
  const auto& org = visible_org(call, call.params.at(0));
  auto result = s.store.list_peers(org, page_of(call));
  return Reply{200, page_json(result, [&](const auto& p) {
                 return to_api(p, s.gateway_endpoint, s.gateway_pubkey);
               })};
}

Reply create_peer(const Services& s, const Call& call) {
  const auto& org = visible_org(call, call.params.at(0));
  auto req = decoded(decode_peer_create(call.body));
  const auto* region = s.regions.find(req.region);
  if (region == nullptr) {
    throw HttpException(
        unprocessable("unknown_region",
                      "region " + printable(req.region, 40) +
                          " does not exist; regions with a gateway: " + s.regions.gateway_codes()));
  }
  if (!region->region.gateway_available) {
    throw HttpException(unprocessable(
        "no_gateway", "region " + req.region +
                          " has no WireGuard gateway; pick one of: " + s.regions.gateway_codes()));
  }
  store::NewPeer spec{req.name, region->region.code, region->gateway_host, req.pubkey};
  auto peer = s.store.create_peer(org, spec);
  return Reply{201, to_api(peer, s.gateway_endpoint, s.gateway_pubkey)};
}

Reply delete_peer(const Services& s, const Call& call) {
  const auto& org = visible_org(call, call.params.at(0));
  s.store.delete_peer(org, call.params.at(1));
  return Reply{204, nullptr};
}

Reply list_ip_assignments(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto result = s.store.list_ips(app, page_of(call));
  return Reply{200, page_json(result, [](const auto& ip) { return to_api(ip); })};
}

Reply create_ip_assignment(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto req = decoded(decode_ip_assignment_create(call.body));
  // The address lives in the target org's network; exposing an app to another org takes a
  // token that belongs to both (the app's org was checked by visible_app).
  const auto& target = req.org_slug ? visible_org(call, *req.org_slug) : app.org;
  return Reply{201, to_api(s.store.create_flycast(app, target))};
}

Reply delete_ip_assignment(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto ip = decoded(decode_ip(call.params.at(1)));
  s.store.delete_ip(app, ip);
  return Reply{204, nullptr};
}

}  // namespace sixpn::server::http
