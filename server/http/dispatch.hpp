#pragma once
// One request through one route: authentication, Idempotency-Key, the handler, and every
// failure turned into the {"error", "code"} body with its status.
#include <httplib.h>

#include "server/http/result.hpp"
#include "server/http/routes.hpp"

namespace sixpn::server::http {

// `params` are the route's path parameters (from Router::match).
void dispatch(const Services& services, const Route& route, std::vector<std::string> params,
              const httplib::Request& req, httplib::Response& res);

void write_error(httplib::Response& res, const HttpError& error);

// A store failure as the HTTP answer it deserves.
HttpError from_store_error(const store::StoreError& e);

}  // namespace sixpn::server::http
