#pragma once
// Forwarding of names outside .internal and .flycast, on the DNS server's poll thread and never
// blocking it: each query goes to one upstream over UDP with a fresh random id and source port;
// a truncated (TC) reply is asked again of the same upstream over TCP (RFC 7766 5); an upstream
// that times out, refuses the connection or answers SERVFAIL/REFUSED hands the query to the
// next; when every upstream has failed the client gets SERVFAIL. Nothing is cached, so no
// answer outlives its TTL here.
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "core/dns/endpoint.hpp"
#include "core/dns/message.hpp"
#include "dns/resolver.hpp"
#include "dns/socket.hpp"

namespace sixpn::dns {

// Where a forwarded query's answer goes; the forwarder only hands it back.
struct ForwardTarget {
  std::size_t listener = 0;
  std::optional<core::dns::Endpoint> udp_client;  // set: a UDP client; else a TCP connection
  std::uint64_t connection = 0;
};

struct ForwardOptions {
  std::vector<core::dns::Endpoint>
      upstreams;                            // tried in turn, starting with the last that answered
  std::chrono::milliseconds timeout{2000};  // per upstream, for its UDP and its TCP try each
  std::size_t max_pending = 1024;
  std::function<void(const std::string&)> log;
};

class Forwarder {
 public:
  using Clock = std::chrono::steady_clock;
  using Deliver = std::function<void(const ForwardTarget&, const std::vector<std::uint8_t>&)>;

  // `deliver` is called exactly once for every started query (also from within start() when
  // it cannot even be sent), with the reply already sized for the client's transport.
  Forwarder(ForwardOptions options, Deliver deliver);

  bool enabled() const { return !options_.upstreams.empty(); }

  // `query` is the decoded form of `wire`, which goes upstream as received but for its id.
  void start(ForwardTarget target, const core::dns::Message& query,
             std::span<const std::uint8_t> wire, Transport client);

  struct Watch {
    int fd;
    short events;
    std::uint64_t key;
  };
  void watches(std::vector<Watch>& out) const;
  void on_ready(std::uint64_t key);
  // Moves every query past its deadline on to the next upstream, or to SERVFAIL.
  void expire(Clock::time_point now);
  // The earliest deadline, or `cap` when that is sooner.
  Clock::time_point next_deadline(Clock::time_point cap) const;
  std::size_t pending() const { return pending_.size(); }
  void clear() { pending_.clear(); }  // at stop: nobody is left to answer

 private:
  struct Pending {
    enum class Stage { udp, tcp_connecting, tcp };
    ForwardTarget target;
    core::dns::Message query;        // the client's: its id, question and EDNS size
    std::vector<std::uint8_t> wire;  // what goes upstream, with our id in it
    Transport client = Transport::udp;
    std::uint16_t id = 0;
    std::size_t upstream = 0;  // index into options_.upstreams
    std::size_t tried = 1;     // upstreams asked so far, this one included
    Stage stage = Stage::udp;
    Fd fd;
    Clock::time_point deadline;
    std::vector<std::uint8_t> out, in;  // TCP: the framed query, what came back so far
    std::size_t sent = 0;
  };
  using Iter = std::map<std::uint64_t, Pending>::iterator;

  void send_udp(Iter it);
  void send_tcp(Iter it);
  void next_upstream(Iter it);
  void on_udp(Iter it);
  void on_tcp(Iter it);
  // A reply from upstream that matches the query: decides between done, TCP and the next one.
  void on_reply(Iter it, core::dns::Message reply, bool over_tcp);
  void finish(Iter it, const std::vector<std::uint8_t>& reply);
  void fail(Iter it);

  ForwardOptions options_;
  Deliver deliver_;
  std::map<std::uint64_t, Pending> pending_;
  std::uint64_t next_key_ = 1;
  std::size_t preferred_ = 0;  // the upstream that answered last
  std::mt19937 random_{std::random_device{}()};
  std::vector<std::uint8_t> buffer_ = std::vector<std::uint8_t>(core::dns::kMaxMessage);
};

}  // namespace sixpn::dns
