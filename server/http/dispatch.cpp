#include "server/http/dispatch.hpp"

#include <cstdio>

#include "server/http/auth_limiter.hpp"
#include "server/http/decode.hpp"
#include "server/tokens.hpp"
#include "server/util.hpp"

namespace sixpn::server::http {

namespace {
std::string dump(const api::Json& j) {
  // Replace, never throw, on bytes that are not UTF-8 (they can come from a URL path).
  return j.dump(-1, ' ', false, api::Json::error_handler_t::replace);
}

std::string error_body(const HttpError& e) {
  return dump(api::Json(api::ApiError{e.message, e.code}));
}

store::StoredResponse as_stored(const HttpError& e) {
  return store::StoredResponse{e.status, error_body(e)};
}

// Runs the handler; every expected failure becomes a response, so an Idempotency-Key
// transaction around it commits cleanly and keeps nothing for a failure.
store::StoredResponse run_handler(const Services& services, const Route& route, const Call& call) {
  try {
    Reply reply = route.handler(services, call);
    return store::StoredResponse{reply.status, reply.body.is_null() ? "" : dump(reply.body)};
  } catch (const HttpException& e) {
    return as_stored(e.error);
  } catch (const store::StoreError& e) {
    if (e.kind() == store::StoreError::Kind::Unavailable) throw;  // not the request's fault
    return as_stored(from_store_error(e));
  }
}

void write_stored(httplib::Response& res, const store::StoredResponse& r) {
  res.status = r.status;
  if (!r.body.empty()) res.set_content(r.body, "application/json");
}

// 401, or 429 for an address that has failed too often lately (see AuthLimiter).
void refuse_unauthenticated(const Services& services, const httplib::Request& req,
                            httplib::Response& res, const HttpError& error) {
  if (services.auth_limiter != nullptr) {
    if (long wait = services.auth_limiter->retry_after(req.remote_addr); wait > 0) {
      write_error(res, HttpError{429, "too_many_requests",
                                 "too many requests without a valid token from this address; "
                                 "retry in " +
                                     std::to_string(wait) + " s"});
      res.set_header("Retry-After", std::to_string(wait));
      return;
    }
    services.auth_limiter->record_failure(req.remote_addr);
  }
  write_error(res, error);
}

std::optional<std::string_view> header(const httplib::Request& req, const char* name) {
  auto it = req.headers.find(name);  // case-insensitive in httplib
  if (it == req.headers.end()) return std::nullopt;
  return std::string_view(it->second);
}
}  // namespace

HttpError from_store_error(const store::StoreError& e) {
  using Kind = store::StoreError::Kind;
  auto code = [&](const char* fallback) { return e.code().empty() ? fallback : e.code(); };
  switch (e.kind()) {
    case Kind::NotFound:
      return HttpError{404, code("not_found"), e.what()};
    case Kind::Conflict:
      return HttpError{409, code("conflict"), e.what()};
    case Kind::Invalid:
      return HttpError{422, code("invalid"), e.what()};
    case Kind::Exhausted:
      return HttpError{409, code("address_space_exhausted"), e.what()};
    case Kind::Unavailable:
      return HttpError{503, code("unavailable"), e.what()};
  }
  return HttpError{500, "internal_error", "internal error"};
}

void write_error(httplib::Response& res, const HttpError& error) {
  res.status = error.status;
  if (error.status == 401) res.set_header("WWW-Authenticate", "Bearer");
  if (error.status == 503) res.set_header("Retry-After", "1");
  res.set_content(error_body(error), "application/json");
}

void dispatch(const Services& services, const Route& route, std::vector<std::string> params,
              const httplib::Request& req, httplib::Response& res) {
  try {
    Call call;
    call.params = std::move(params);
    for (const auto& [k, v] : req.params) call.query.emplace(k, v);
    call.body = req.body;
    call.remote_addr = req.remote_addr;

    std::optional<store::Principal> principal;
    std::optional<store::HostRecord> host;
    if (route.auth != Auth::None) {
      auto token = decode_bearer(header(req, "Authorization"));
      if (!token) return refuse_unauthenticated(services, req, res, token.error());
      // Looked up now, when a worker takes the request, and never cached: a token revoked or
      // expired (a host removed) while the request waited in the queue is refused.
      const auto hash = sha256(token.value());
      const bool host_shaped = token.value().rfind(kHostCredentialPrefix, 0) == 0;
      if (route.auth == Auth::Host) {
        host = services.store.host_for(hash);
        if (!host) {
          if (services.store.principal_for(hash)) {
            return write_error(res, forbidden("this route takes a host's credential "
                                              "(sixpn_host_…), not an API token"));
          }
          return refuse_unauthenticated(
              services, req, res, HttpError{401, "unauthorized", "the credential is not valid"});
        }
        call.host = &*host;
      } else {
        principal = services.store.principal_for(hash);
        if (!principal) {
          if (host_shaped && services.store.host_for(hash)) {
            return write_error(res, forbidden("a host's credential may only use "
                                              "/v1/hosts/self/*"));
          }
          return refuse_unauthenticated(services, req, res,
                                        HttpError{401, "unauthorized", "the token is not valid"});
        }
        if (route.auth == Auth::Operator && !principal->is_operator) {
          return write_error(res, forbidden("this route takes an operator token "
                                            "(sixpnd tokens create --operator)"));
        }
        if (route.auth == Auth::Org && principal->is_operator) {
          return write_error(res, forbidden("an operator token may only use the operator's "
                                            "routes (/v1/hosts)"));
        }
        call.principal = &*principal;
      }
    }

    auto key_header = header(req, "Idempotency-Key");
    if (route.method == "POST" && key_header && principal) {
      auto key = decode_idempotency_key(*key_header);
      if (!key) return write_error(res, key.error());
      // The same key for another request is refused, not silently answered with the first.
      auto fingerprint = sha256(route.method + "\n" + req.path + "\n" + req.body);
      bool replayed = false;
      auto stored = services.store.idempotent(
          principal->token_id, key.value(), fingerprint,
          [&] { return run_handler(services, route, call); }, replayed);
      if (replayed) res.set_header("Idempotent-Replayed", "true");
      return write_stored(res, stored);
    }
    write_stored(res, run_handler(services, route, call));
  } catch (const HttpException& e) {
    write_error(res, e.error);
  } catch (const store::StoreError& e) {
    write_error(res, from_store_error(e));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s internal error on %s %s: %s\n", now_rfc3339().c_str(),
                 route.method.c_str(), route.path.c_str(), printable(e.what()).c_str());
    write_error(res, HttpError{500, "internal_error", "internal error; see the server log"});
  }
}

}  // namespace sixpn::server::http
