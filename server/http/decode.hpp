#pragma once
// Request decoding as pure functions: bytes in, a typed request or an HttpError out. They never
// throw and never crash, whatever the input, so tests and fuzzers call them directly.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api/host_types.hpp"
#include "api/types.hpp"
#include "core/address.hpp"
#include "server/http/result.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::http {

inline constexpr int kDefaultPageLimit = 100;
inline constexpr int kMaxPageLimit = 1000;
inline constexpr int kMaxJsonDepth = 16;
inline constexpr std::size_t kMaxMetadataEntries = 64;
inline constexpr std::size_t kMaxMetadataValue = 253;

Result<api::PeerCreate> decode_peer_create(std::string_view body);
Result<api::AppCreate> decode_app_create(std::string_view body);
Result<api::MachineCreate> decode_machine_create(std::string_view body);
// An empty body is a stop with the machine's own stop_config; a bad signal or timeout is 400.
Result<api::MachineStop> decode_machine_stop(std::string_view body);
Result<api::IpAssignmentCreate> decode_ip_assignment_create(std::string_view body);

// The host protocol's bodies (docs/host-protocol.md).
inline constexpr std::size_t kMaxReportsPerBatch = 1000;
inline constexpr std::size_t kMaxLogLinesPerBatch = 5000;
inline constexpr std::size_t kMaxLogLineBytes = 8192;
Result<api::HostRegister> decode_host_register(std::string_view body);
Result<api::HostReport> decode_host_report(std::string_view body);
Result<api::HostLogBatch> decode_host_logs(std::string_view body);
// The Flycast proxy's: a machine start, and its counters (at most this many services).
inline constexpr std::size_t kMaxProxyServices = 10000;
Result<api::ProxyStart> decode_proxy_start(std::string_view body);
Result<api::ProxyReport> decode_proxy_report(std::string_view body);

// A ?name= count of seconds in min..max; `fallback` when absent.
Result<int> decode_seconds(std::string_view name, std::optional<std::string_view> value, int min,
                           int max, int fallback);
// ?after= of the state watch: a version, 0 when absent.
Result<std::uint64_t> decode_version(std::optional<std::string_view> value);
// "IPv4:port" or "[IPv6]:port": what a host's mesh peers dial.
Result<std::string> decode_endpoint(std::string_view text);

// ?limit= and ?cursor= (either may be absent).
Result<store::PageRequest> decode_page(std::optional<std::string_view> limit,
                                       std::optional<std::string_view> cursor);
// The opaque cursor that points after the item with this sequence number.
std::string encode_cursor(std::int64_t seq);

// "Bearer <token>" → the token; 401 errors name what is wrong without echoing the header.
Result<std::string> decode_bearer(std::optional<std::string_view> authorization);

// An Idempotency-Key header: 1 to 255 printable ASCII characters.
Result<std::string> decode_idempotency_key(std::string_view header);

// The {ip} of DELETE /v1/apps/{app}/ip_assignments/{ip}.
Result<core::Ipv6> decode_ip(std::string_view text);

// A ?flag= value: true/false/1/0.
Result<bool> decode_flag(std::string_view name, std::optional<std::string_view> value);

}  // namespace sixpn::server::http
