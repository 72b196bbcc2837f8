#pragma once
// File descriptors owned by one object each, and the few socket set-ups the DNS server needs.
// Every function throws std::system_error on failure, naming what it tried.
#include <string>

#include "core/dns/endpoint.hpp"
#include "net/fd.hpp"

namespace sixpn::dns {

using Fd = net::Fd;

// Non-blocking, close-on-exec; IPv6 sockets are IPv6-only so a listener on [::] does not also
// take IPv4 traffic under a mapped address. With a `device` (SO_BINDTODEVICE, before bind), the
// socket only sees traffic that arrived on that interface, and does not clash with another
// program's socket on the same port of another interface's address.
// `share_port`: SO_REUSEPORT, for two listeners of this process on one port where one is bound
// to a device and the other to an address (the gateway's [::]:53%dev beside fdaa::3:53); the
// kernel picks the socket whose address and device match, so neither takes the other's queries.
Fd bind_udp(const core::dns::Endpoint& at, const std::string& device = {}, bool share_port = false);
Fd listen_tcp(const core::dns::Endpoint& at, int backlog = 128, const std::string& device = {},
              bool share_port = false);
Fd connect_udp(const core::dns::Endpoint& to);  // an unbound source port picked by the kernel
// Non-blocking: the connection is usually still being made on return (poll for POLLOUT, then
// read SO_ERROR).
Fd connect_tcp(const core::dns::Endpoint& to);
Fd make_eventfd();

core::dns::Endpoint local_endpoint(int fd);

}  // namespace sixpn::dns
