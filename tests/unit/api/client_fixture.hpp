#pragma once
// What the client tests share: one peer as the API returns it, and client options pointed at a
// FakeApi with short backoffs.
#include <string>

#include "api/client.hpp"
#include "fake_api.hpp"

namespace sixpn::api::testing {

using sixpn::testing::FakeApi;

inline constexpr const char* kPeer =
    R"({"name":"p1","org":"acme","region":"ams","peer_ip":"fdaa:0:1:0:2:0:a:2",)"
    R"("endpoint_ip":"127.0.0.1","endpoint_port":51820,"endpoint":"127.0.0.1:51820",)"
    R"("gateway_pubkey":"","dns":"fdaa:0:1::3","network_prefix":"fdaa:0:1::/48",)"
    R"("created_at":"2024-01-01T00:00:00Z"})";

inline ClientOptions options_for(const FakeApi& api, std::string token = "secret-token") {
  ClientOptions o;
  o.base_url = api.url();
  o.token = std::move(token);
  o.user_agent = "sixpn/test";
  o.timeout_seconds = 5;
  o.backoff_base_seconds = 0.01;
  o.backoff_max_seconds = 0.05;
  return o;
}

}  // namespace sixpn::api::testing
