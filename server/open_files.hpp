#pragma once
// The descriptors sixpnd serve may open: every API connection is one, besides the database,
// the listeners and the gateway's sockets. Linux starts most services with a soft limit of
// 1,024, far below what 1,000 parked host watches need, and a process at its limit has its
// new connections refused by accept(2) and retried until a descriptor is free.
#include <cstddef>
#include <cstdint>
#include <string>

namespace sixpn::server {

// Descriptors sixpnd keeps for itself besides connections: SQLite's files and reader pool,
// the listeners, DNS and gateway sockets, standard streams.
constexpr std::uint64_t kOwnDescriptors = 64;

// Raises the soft RLIMIT_NOFILE to the hard limit. Returns the soft limit in force afterwards.
std::uint64_t raise_open_file_limit();

// The warning for the log when `limit` descriptors cannot hold `max_connections` connections
// and sixpnd's own; "" when they can.
std::string open_file_limit_warning(std::uint64_t limit, std::size_t max_connections);

}  // namespace sixpn::server
