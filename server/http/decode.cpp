#include "server/http/decode.hpp"

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
  auto j = parse_object(body, {"name", "region", "process_group", "metadata"});
  if (!j) return j.error();
  auto v = shape<api::MachineCreate>(j.value());
  if (!v) return v.error();
  auto& m = v.value();
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
