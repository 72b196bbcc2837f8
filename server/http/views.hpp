#pragma once
// Store records → the api/ JSON types the REST contract promises.
#include "api/types.hpp"
#include "server/hostport.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::http {

api::Org to_api(const store::OrgRecord& org);
api::App to_api(const store::AppRecord& app);
api::Machine to_api(const store::MachineRecord& machine);
api::IpAssignment to_api(const store::IpRecord& ip);
// The peer with everything its WireGuard config needs: the gateway's endpoint and key.
api::Peer to_api(const store::PeerRecord& peer, const HostPort& endpoint,
                 const std::string& gateway_pubkey);

// "deployed" when a machine is started, "suspended" when all are stopped, "pending" when the
// app has no machine yet.
std::string app_status(const store::AppRecord& app);

}  // namespace sixpn::server::http
