// Any bytes through sixpnd's request decoders and its router: the first byte picks what is
// decoded, the rest is the untrusted input (a body, a header, a query, a path). Besides crashes
// and sanitizer reports it checks what the handlers rely on: a decoded value obeys the rules
// the decoder promises, a refusal is a 400/401/422 with a code and a message, and the
// router only ever hands out non-empty parameters without '/'.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/keys.hpp"
#include "core/names.hpp"
#include "server/http/decode.hpp"
#include "server/http/router.hpp"

namespace {

using namespace sixpn::server::http;

void check_error(const HttpError& e) {
  if (e.status != 400 && e.status != 401 && e.status != 422) __builtin_trap();
  if (e.code.empty() || e.message.empty()) __builtin_trap();
}

template <class T, class Check>
void expect(const Result<T>& r, Check check) {
  if (r) {
    check(r.value());
  } else {
    check_error(r.error());
  }
}

void no_problem(const std::string& problem) {
  if (!problem.empty()) __builtin_trap();
}

void decode_body(std::uint8_t which, std::string_view in) {
  switch (which % 9) {
    case 7:
      return expect(decode_proxy_start(in), [](const sixpn::api::ProxyStart&) {});
    case 8:
      return expect(decode_proxy_report(in), [](const sixpn::api::ProxyReport& r) {
        if (r.services.size() > kMaxProxyServices) __builtin_trap();
        for (const auto& s : r.services) {
          if (s.port < 1 || s.port > 65535) __builtin_trap();
        }
      });
    case 4:
      return expect(decode_host_register(in), [](const sixpn::api::HostRegister& h) {
        no_problem(sixpn::core::public_key_problem(h.pubkey));
        if (h.join_token.empty() || h.endpoint.empty()) __builtin_trap();
      });
    case 5:
      return expect(decode_host_report(in), [](const sixpn::api::HostReport& r) {
        if (r.machines.size() > kMaxReportsPerBatch) __builtin_trap();
      });
    case 6:
      return expect(decode_host_logs(in), [](const sixpn::api::HostLogBatch& b) {
        for (const auto& line : b.lines) {
          if (line.message.size() > kMaxLogLineBytes) __builtin_trap();
        }
      });
    case 0:
      return expect(decode_peer_create(in), [](const sixpn::api::PeerCreate& p) {
        no_problem(sixpn::core::peer_name_problem(p.name));
        no_problem(sixpn::core::public_key_problem(p.pubkey));
        if (p.region.empty()) __builtin_trap();
      });
    case 1:
      return expect(decode_app_create(in), [](const sixpn::api::AppCreate& a) {
        no_problem(sixpn::core::dns_label_problem("app", a.app_name));
        if (a.org_slug.empty()) __builtin_trap();
      });
    case 2:
      return expect(decode_machine_create(in), [](const sixpn::api::MachineCreate& m) {
        if (m.region.empty() || m.metadata.size() > kMaxMetadataEntries) __builtin_trap();
        no_problem(sixpn::api::machine_config_problem(m.config));
      });
    default:
      return expect(decode_ip_assignment_create(in), [](const sixpn::api::IpAssignmentCreate& i) {
        if (i.type != "private_v6") __builtin_trap();
      });
  }
}

void decode_header_or_query(std::uint8_t which, std::string_view in) {
  switch (which % 5) {
    case 0: {
      // "limit\0cursor": either half may be missing.
      auto nul = in.find('\0');
      std::optional<std::string_view> limit = in.substr(0, nul);
      std::optional<std::string_view> cursor;
      if (nul != std::string_view::npos) cursor = in.substr(nul + 1);
      if (limit->empty()) limit.reset();
      return expect(decode_page(limit, cursor), [](const sixpn::server::store::PageRequest& p) {
        if (p.limit < 1 || p.limit > kMaxPageLimit || p.after < 0) __builtin_trap();
        auto back = decode_page(std::nullopt, encode_cursor(p.after));
        if (!back || back.value().after != p.after) __builtin_trap();
      });
    }
    case 1:
      return expect(decode_bearer(in), [](const std::string& token) {
        if (token.empty() || token.size() > 512 || token.front() == ' ' || token.back() == ' ')
          __builtin_trap();
      });
    case 2:
      return expect(decode_idempotency_key(in), [](const std::string& key) {
        if (key.empty() || key.size() > 255) __builtin_trap();
        for (unsigned char c : key) {
          if (c < 0x21 || c > 0x7e) __builtin_trap();
        }
      });
    case 3:
      return expect(decode_ip(in), [](const sixpn::core::Ipv6& ip) {
        auto again = decode_ip(ip.str());
        if (!again || !(again.value().bytes == ip.bytes)) __builtin_trap();
      });
    default: {
      auto nul = in.find('\0');
      std::optional<std::string_view> value;
      if (nul != std::string_view::npos) value = in.substr(nul + 1);
      return expect(decode_flag(in.substr(0, nul), value), [](bool) {});
    }
  }
}

void route(std::uint8_t which, std::string_view in) {
  static const Router router(route_table());
  static const char* const methods[] = {"GET", "POST", "DELETE", "PUT", "get", ""};
  // httplib refuses a request URI longer than this (CPPHTTPLIB_REQUEST_URI_MAX_LENGTH) before
  // any route is looked at.
  if (in.size() > 8192) return;
  auto m = router.match(methods[which % 6], std::string(in));
  if (m.route == nullptr) return;
  std::size_t expected = 0;
  for (char c : m.route->path) expected += c == '{';
  if (m.params.size() != expected) __builtin_trap();
  for (const auto& p : m.params) {
    if (p.empty() || p.find('/') != std::string::npos) __builtin_trap();
  }
}

}  // namespace

// The router is fuzzed on the real route table (server/http/routes.cpp), which names every
// handler; none of them runs here, so they are defined as traps rather than linking the store.
namespace sixpn::server::http {
#define SIXPN_NEVER_CALLED(name)             \
  Reply name(const Services&, const Call&) { \
    __builtin_trap();                        \
  }
SIXPN_NEVER_CALLED(list_regions)
SIXPN_NEVER_CALLED(show_current_token)
SIXPN_NEVER_CALLED(list_orgs)
SIXPN_NEVER_CALLED(list_apps)
SIXPN_NEVER_CALLED(create_app)
SIXPN_NEVER_CALLED(show_app)
SIXPN_NEVER_CALLED(list_machines)
SIXPN_NEVER_CALLED(create_machine)
SIXPN_NEVER_CALLED(show_machine)
SIXPN_NEVER_CALLED(start_machine)
SIXPN_NEVER_CALLED(stop_machine)
SIXPN_NEVER_CALLED(destroy_machine)
SIXPN_NEVER_CALLED(list_peers)
SIXPN_NEVER_CALLED(create_peer)
SIXPN_NEVER_CALLED(delete_peer)
SIXPN_NEVER_CALLED(list_ip_assignments)
SIXPN_NEVER_CALLED(create_ip_assignment)
SIXPN_NEVER_CALLED(delete_ip_assignment)
SIXPN_NEVER_CALLED(wait_machine)
SIXPN_NEVER_CALLED(app_logs)
SIXPN_NEVER_CALLED(register_host)
SIXPN_NEVER_CALLED(host_state)
SIXPN_NEVER_CALLED(host_reports)
SIXPN_NEVER_CALLED(host_logs)
SIXPN_NEVER_CALLED(list_hosts)
SIXPN_NEVER_CALLED(remove_host)
SIXPN_NEVER_CALLED(proxy_report)
SIXPN_NEVER_CALLED(proxy_start)
SIXPN_NEVER_CALLED(app_services)
#undef SIXPN_NEVER_CALLED
}  // namespace sixpn::server::http

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::uint8_t selector = data[0];
  switch ((selector >> 4) % 3) {
    case 0:
      decode_body(selector & 0x0f, in);
      break;
    case 1:
      decode_header_or_query(selector & 0x0f, in);
      break;
    default:
      route(selector & 0x0f, in);
      break;
  }
  return 0;
}
