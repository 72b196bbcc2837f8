#include "server/http/decode.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <initializer_list>

#include "core/keys.hpp"
#include "core/names.hpp"
#include "server/util.hpp"

namespace sixpn::server::http {

namespace {
struct TooDeep {};

// Parses an object body. Depth is bounded so a hostile "[[[[…" cannot make nesting costly.
Result<api::Json> parse_object(std::string_view body,
                               std::initializer_list<std::string_view> allowed) {
  if (body.empty())
    return bad_request("invalid_json", "the request body is empty; send a JSON object");
  api::Json j;
  try {
    j = api::Json::parse(body.begin(), body.end(),
                         [](int depth, api::Json::parse_event_t, api::Json&) {
                           if (depth > kMaxJsonDepth) throw TooDeep{};
                           return true;
                         });
  } catch (const TooDeep&) {
    return bad_request("invalid_json", "the request body nests deeper than " +
                                           std::to_string(kMaxJsonDepth) + " levels");
  } catch (const api::Json::exception& e) {
    return bad_request("invalid_json", std::string("the request body is not valid JSON: ") +
                                           printable(e.what(), 160));
  }
  if (!j.is_object()) return bad_request("invalid_json", "the request body must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      return unprocessable("unknown_field", "unknown field \"" + printable(key, 60) + "\"");
    }
  }
  return j;
}

template <class T>
Result<T> shape(const api::Json& j) {
  try {
    return j.get<T>();
  } catch (const api::ShapeError& e) {
    return unprocessable("invalid_field", e.what());
  } catch (const api::Json::exception& e) {
    return unprocessable("invalid_field", printable(e.what(), 160));
  }
}

std::optional<HttpError> label(const char* code, std::string_view what, std::string_view value) {
  auto problem = core::dns_label_problem(what, value);
  if (!problem.empty()) return unprocessable(code, problem);
  return std::nullopt;
}

std::optional<HttpError> lower_label(const char* code, std::string_view what,
                                     std::string_view value) {
  if (auto e = label(code, what, value)) return e;
  for (char c : value) {
    if (c >= 'A' && c <= 'Z') {
      return unprocessable(
          code, std::string(what) + " \"" + std::string(value) + "\" must be lower-case");
    }
  }
  return std::nullopt;
}

std::optional<HttpError> region_code(std::string_view value) {
  if (value.empty()) return unprocessable("invalid_region", "region is empty");
  return std::nullopt;
}
}  // namespace

Result<api::PeerCreate> decode_peer_create(std::string_view body) {
  auto j = parse_object(body, {"name", "region", "pubkey"});
  if (!j) return j.error();
  auto v = shape<api::PeerCreate>(j.value());
  if (!v) return v.error();
  const auto& p = v.value();
  if (auto problem = core::peer_name_problem(p.name); !problem.empty()) {
    return unprocessable("invalid_name", problem);
  }
  if (auto e = region_code(p.region)) return *e;
  if (auto problem = core::public_key_problem(p.pubkey); !problem.empty()) {
    return unprocessable("invalid_pubkey", "pubkey is not a WireGuard public key: " + problem);
  }
  return v;
}

Result<api::AppCreate> decode_app_create(std::string_view body) {
  auto j = parse_object(body, {"app_name", "org_slug"});
  if (!j) return j.error();
  auto v = shape<api::AppCreate>(j.value());
  if (!v) return v.error();
  if (auto e = lower_label("invalid_name", "app name", v.value().app_name)) return *e;
  if (v.value().org_slug.empty()) return unprocessable("invalid_field", "org_slug is empty");
  return v;
}

Result<api::MachineCreate> decode_machine_create(std::string_view body) {
  auto j = parse_object(body, {"name", "region", "process_group", "metadata", "config"});
  if (!j) return j.error();
  auto v = shape<api::MachineCreate>(j.value());
  if (!v) return v.error();
  auto& m = v.value();
  if (auto problem = api::machine_config_problem(m.config); !problem.empty()) {
    return unprocessable("invalid_config", problem);
  }
  // One set of metadata, as Fly keeps it in config.metadata; the top-level map wins a clash.
  for (const auto& [key, value] : m.config.metadata) m.metadata.try_emplace(key, value);
  m.config.metadata = m.metadata;
  if (m.name) {
    if (auto e = label("invalid_name", "machine name", *m.name)) return *e;
  }
  if (auto e = region_code(m.region)) return *e;
  if (m.process_group) {
    if (auto e = lower_label("invalid_process_group", "process group", *m.process_group)) {
      return *e;
    }
  }
  // Metadata keys and values become DNS names (<value>.<key>.kv._metadata.<app>.internal).
  if (m.metadata.size() > kMaxMetadataEntries) {
    return unprocessable("invalid_metadata", "metadata may hold at most " +
                                                 std::to_string(kMaxMetadataEntries) + " entries");
  }
  for (const auto& [key, value] : m.metadata) {
    if (auto e = label("invalid_metadata", "metadata key", key)) return *e;
    if (value.size() > kMaxMetadataValue) {
      return unprocessable("invalid_metadata", "metadata value of \"" + key + "\" is longer than " +
                                                   std::to_string(kMaxMetadataValue) + " bytes");
    }
    for (unsigned char c : value) {
      if (c < 0x20 || c == 0x7f) {
        return unprocessable("invalid_metadata",
                             "metadata value of \"" + key + "\" contains a control character");
      }
    }
  }
  return v;
}

Result<api::MachineStop> decode_machine_stop(std::string_view body) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) return api::MachineStop{};
  auto j = parse_object(body, {"signal", "timeout"});
  if (!j) return bad_request("invalid_stop", j.error().message);
  auto v = shape<api::MachineStop>(j.value());
  if (!v) return bad_request("invalid_stop", v.error().message);
  if (auto problem = api::machine_stop_problem(v.value()); !problem.empty()) {
    return bad_request("invalid_stop", problem);
  }
  return v;
}

Result<api::IpAssignmentCreate> decode_ip_assignment_create(std::string_view body) {
  auto j = parse_object(body, {"type", "org_slug"});
  if (!j) return j.error();
  auto v = shape<api::IpAssignmentCreate>(j.value());
  if (!v) return v.error();
  if (v.value().type != "private_v6") {
    return unprocessable("unsupported_type", "type \"" + printable(v.value().type, 40) +
                                                 "\" is not supported; only \"private_v6\" "
                                                 "(a Flycast address) is");
  }
  if (v.value().org_slug && v.value().org_slug->empty()) {
    return unprocessable("invalid_field", "org_slug is empty");
  }
  return v;
}

Result<api::HostRegister> decode_host_register(std::string_view body) {
  auto j = parse_object(body, {"join_token", "pubkey", "endpoint", "name"});
  if (!j) return j.error();
  auto v = shape<api::HostRegister>(j.value());
  if (!v) return v.error();
  auto& h = v.value();
  if (h.join_token.empty() || h.join_token.size() > 512) {
    return bad_request("invalid_join_token", "join_token is empty or too long");
  }
  if (auto problem = core::public_key_problem(h.pubkey); !problem.empty()) {
    return bad_request("invalid_pubkey", "pubkey is not a WireGuard public key: " + problem);
  }
  auto endpoint = decode_endpoint(h.endpoint);
  if (!endpoint) return endpoint.error();
  h.endpoint = endpoint.value();
  if (!h.name.empty()) {
    if (auto e = lower_label("invalid_name", "host name", h.name)) {
      return bad_request(e->code, e->message);
    }
  }
  return v;
}

Result<api::ProxyStart> decode_proxy_start(std::string_view body) {
  auto j = parse_object(body, {"app", "machine_id"});
  if (!j) return j.error();
  return shape<api::ProxyStart>(j.value());
}

Result<api::ProxyReport> decode_proxy_report(std::string_view body) {
  auto j = parse_object(body, {"services"});
  if (!j) return j.error();
  auto v = shape<api::ProxyReport>(j.value());
  if (!v) return v.error();
  if (v.value().services.size() > kMaxProxyServices) {
    return unprocessable("too_many_services", "a proxy report may hold at most " +
                                                  std::to_string(kMaxProxyServices) + " services");
  }
  return v;
}

Result<api::HostReport> decode_host_report(std::string_view body) {
  auto j = parse_object(body, {"machines"});
  if (!j) return j.error();
  auto v = shape<api::HostReport>(j.value());
  if (!v) return v.error();
  if (v.value().machines.size() > kMaxReportsPerBatch) {
    return unprocessable("too_many_reports", "a report may hold at most " +
                                                 std::to_string(kMaxReportsPerBatch) + " machines");
  }
  for (const auto& r : v.value().machines) {
    const auto& st = r.state;
    if (st != "starting" && st != "started" && st != "stopped" && st != "failed" &&
        st != "destroyed") {
      return unprocessable("invalid_state", "machine state \"" + printable(st, 20) +
                                                "\" is not starting, started, stopped, failed "
                                                "or destroyed");
    }
    if (r.message.size() > 1024) {
      return unprocessable("invalid_message", "a report's message is longer than 1024 bytes");
    }
  }
  return v;
}

Result<api::HostLogBatch> decode_host_logs(std::string_view body) {
  auto j = parse_object(body, {"lines"});
  if (!j) return j.error();
  auto v = shape<api::HostLogBatch>(j.value());
  if (!v) return v.error();
  if (v.value().lines.size() > kMaxLogLinesPerBatch) {
    return unprocessable("too_many_lines", "a batch may hold at most " +
                                               std::to_string(kMaxLogLinesPerBatch) + " lines");
  }
  for (auto& line : v.value().lines) {
    if (line.stream != "stdout" && line.stream != "stderr") {
      return unprocessable("invalid_stream", "a line's stream is stdout or stderr");
    }
    if (line.timestamp.empty() || line.timestamp.size() > 40) {
      return unprocessable("invalid_timestamp", "a line's timestamp is RFC 3339 (up to 40 bytes)");
    }
    if (line.message.size() > kMaxLogLineBytes) line.message.resize(kMaxLogLineBytes);
    line.region.clear();  // the control plane's to fill in, from the machine
  }
  return v;
}

Result<int> decode_seconds(std::string_view name, std::optional<std::string_view> value, int min,
                           int max, int fallback) {
  if (!value) return fallback;
  int n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (value->empty() || ec != std::errc() || end != value->data() + value->size() || n < min ||
      n > max) {
    return bad_request("invalid_parameter", std::string(name) + " must be a number of seconds from " +
                                                std::to_string(min) + " to " +
                                                std::to_string(max));
  }
  return n;
}

Result<std::uint64_t> decode_version(std::optional<std::string_view> value) {
  if (!value) return std::uint64_t{0};
  std::uint64_t n = 0;
  auto [end, ec] = std::from_chars(value->data(), value->data() + value->size(), n);
  if (value->empty() || ec != std::errc() || end != value->data() + value->size()) {
    return bad_request("invalid_parameter", "after must be a version the state carried");
  }
  return n;
}

Result<std::string> decode_endpoint(std::string_view text) {
  auto invalid = [&] {
    return bad_request("invalid_endpoint", "endpoint \"" + printable(text, 60) +
                                               "\" is not IPv4:PORT or [IPv6]:PORT");
  };
  auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return invalid();
  auto host = text.substr(0, colon);
  auto port_text = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (ec != std::errc() || end != port_text.data() + port_text.size() || port == 0 ||
      port > 65535) {
    return invalid();
  }
  unsigned char buf[16];
  std::string address(host);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    address = std::string(host.substr(1, host.size() - 2));
    if (inet_pton(AF_INET6, address.c_str(), buf) != 1) return invalid();
    return "[" + core::Ipv6::parse(address)->str() + "]:" + std::to_string(port);
  }
  if (inet_pton(AF_INET, address.c_str(), buf) != 1) return invalid();
  return address + ":" + std::to_string(port);
}

Result<store::PageRequest> decode_page(std::optional<std::string_view> limit,
                                       std::optional<std::string_view> cursor) {
  store::PageRequest page;
  page.limit = kDefaultPageLimit;
  if (limit) {
    int n = 0;
    auto [end, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), n);
    if (ec != std::errc() || end != limit->data() + limit->size() || n < 1 || n > kMaxPageLimit) {
      return bad_request("invalid_limit",
                         "limit must be an integer from 1 to " + std::to_string(kMaxPageLimit));
    }
    page.limit = n;
  }
  if (cursor && !cursor->empty()) {
    std::string raw;
    std::int64_t seq = 0;
    bool ok = from_base64url(*cursor, raw) && raw.size() > 2 && raw.rfind("c1", 0) == 0;
    if (ok) {
      auto [end, ec] = std::from_chars(raw.data() + 2, raw.data() + raw.size(), seq);
      ok = ec == std::errc() && end == raw.data() + raw.size() && seq >= 0;
    }
    if (!ok) {
      return bad_request("invalid_cursor",
                         "cursor is not one this server handed out; pass next_cursor unchanged");
    }
    page.after = seq;
  }
  return page;
}

std::string encode_cursor(std::int64_t seq) {
  return base64url("c1" + std::to_string(seq));
}

Result<std::string> decode_bearer(std::optional<std::string_view> authorization) {
  if (!authorization || authorization->empty()) {
    return HttpError{401, "unauthorized",
                     "missing Authorization header; send \"Authorization: Bearer <token>\""};
  }
  auto h = *authorization;
  constexpr std::string_view scheme = "bearer ";
  bool is_bearer = h.size() > scheme.size();
  for (std::size_t i = 0; is_bearer && i < scheme.size(); ++i) {
    is_bearer = (h[i] | 0x20) == scheme[i];
  }
  if (!is_bearer) {
    return HttpError{401, "unauthorized", "the Authorization header must use the Bearer scheme"};
  }
  auto token = h.substr(scheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > 512) {
    return HttpError{401, "unauthorized", "the bearer token is empty or too long"};
  }
  return std::string(token);
}

Result<std::string> decode_idempotency_key(std::string_view header) {
  if (header.empty() || header.size() > 255) {
    return bad_request("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters");
  }
  for (unsigned char c : header) {
    if (c < 0x21 || c > 0x7e) {
      return bad_request("invalid_idempotency_key",
                         "Idempotency-Key may contain only printable ASCII without spaces");
    }
  }
  return std::string(header);
}

Result<core::Ipv6> decode_ip(std::string_view text) {
  auto ip = core::Ipv6::parse(text);
  if (!ip)
    return bad_request("invalid_ip", "\"" + printable(text, 60) + "\" is not an IPv6 address");
  return *ip;
}

Result<bool> decode_flag(std::string_view name, std::optional<std::string_view> value) {
  if (!value) return false;
  if (*value == "true" || *value == "1") return true;
  if (*value == "false" || *value == "0" || value->empty()) return false;
  return bad_request("invalid_parameter", std::string(name) + " must be true or false");
}

}  // namespace sixpn::server::http
