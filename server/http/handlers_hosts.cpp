// Handlers: hosts — registration, the desired-state watch, reports and logs (a host's
// credential), and the operator's list and removal (docs/host-protocol.md).
#include <charconv>

#include "server/dns_state.hpp"
#include "server/flycast_state.hpp"
#include "server/host_state.hpp"
#include "server/http/auth_limiter.hpp"
#include "server/http/handlers.hpp"
#include "server/http/long_poll.hpp"
#include "server/tokens.hpp"

namespace sixpn::server::http {

Reply register_host(const Services& s, const Call& call) {
  // A join token is a credential like a bearer token: guessing one costs what guessing a
  // token costs (AuthLimiter's 429 after repeated failures from one address).
  if (s.auth_limiter != nullptr) {
    if (long wait = s.auth_limiter->retry_after(call.remote_addr); wait > 0) {
      throw HttpException(HttpError{429, "too_many_requests",
                                    "too many failed registrations from this address; retry in " +
                                        std::to_string(wait) + " s"});
    }
  }
  auto req = decoded(decode_host_register(call.body));
  // The gateway's key is the embedded host's (`sixpnd serve --host`), made in-process; a
  // host that claims it would be taken for the gateway by every other node.
  if (req.pubkey == s.gateway_pubkey) {
    throw HttpException(HttpError{409, "host_key_taken",
                                  "this public key is the gateway's; generate a new key pair"});
  }
  core::SecretString credential(new_token(kHostCredentialPrefix));
  try {
    auto host = s.store.register_host(sha256(req.join_token),
                                      store::NewHost{req.name, req.pubkey, req.endpoint},
                                      sha256(credential.view()));
    api::HostRegistered out{to_api_host(host), std::string(credential.view())};
    return Reply{201, out};
  } catch (const store::StoreError& e) {
    if (e.code() == "join_token_invalid") {
      if (s.auth_limiter != nullptr) s.auth_limiter->record_failure(call.remote_addr);
      throw HttpException(HttpError{401, e.code(), e.what()});
    }
    throw;
  }
}

Reply host_state(const Services& s, const Call& call) {
  const auto after = decoded(decode_version(call.query_value("after")));
  const auto wait = decoded(decode_seconds("wait", call.query_value("wait"), 0, 60, 30));
  // A version beyond the current one comes from before a restart of sixpnd (the counter
  // starts again): that host is behind, not ahead, and is answered at once.
  wait_until(s.changes, std::chrono::seconds(wait), [&] {
    const auto now = s.changes != nullptr ? s.changes->version() : 0;
    return now != after;
  });
  HostStateInputs in;
  in.version = s.changes != nullptr ? s.changes->version() : 0;
  in.host = *call.host;
  in.machines = s.store.host_machines(call.host->id);
  in.live_hosts = s.store.live_hosts();
  if (s.gateway_in_mesh) {
    in.gateway = GatewayMeshNode{s.gateway_pubkey, s.gateway_endpoint.str(),
                                 peer_prefixes(s.store.all_peers())};
  }
  const auto view = s.store.network_view();
  in.dns = dns_snapshot(view, s.regions);
  in.flycast = flycast_services(view);
  return Reply{200, build_host_state(in)};
}

Reply host_reports(const Services& s, const Call& call) {
  auto req = decoded(decode_host_report(call.body));
  s.store.apply_reports(call.host->id, req.machines);
  return Reply{204, nullptr};
}

Reply host_logs(const Services& s, const Call& call) {
  auto req = decoded(decode_host_logs(call.body));
  s.store.append_logs(call.host->id, req.lines);
  if (s.log_lines != nullptr && !req.lines.empty()) s.log_lines->bump();
  return Reply{204, nullptr};
}

Reply list_hosts(const Services& s, const Call&) {
  // Hosts are few (one per server); the list is one page, in the shape of every list.
  api::Json items = api::Json::array();
  for (const auto& h : s.store.list_hosts()) items.push_back(to_api_host(h));
  return Reply{200, api::Json{{"items", std::move(items)}, {"next_cursor", nullptr}}};
}

Reply remove_host(const Services& s, const Call& call) {
  const auto& text = call.params.at(0);
  std::uint32_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) {
    throw HttpException(
        bad_request("invalid_host_id", "host id \"" + printable(text, 40) +
                                           "\" is not a decimal number (the id of GET /v1/hosts)"));
  }
  s.store.remove_host(id);
  return Reply{204, nullptr};
}

}  // namespace sixpn::server::http
