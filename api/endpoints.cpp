// One typed function per REST endpoint: URLs are built and JSON is read only here and in
// client_host.cpp (the host protocol's endpoints).
#include <chrono>
#include <functional>
#include <future>
#include <iterator>
#include <set>

#include "api/client.hpp"
#include "api/response_decode.hpp"

namespace sixpn::api {

using response::decode;
using response::describe;

Json Client::call(const Request& req) {
  Response res = send(req);
  if (res.status >= 400 || res.status < 200) {
    std::string message;
    std::string code;
    try {
      auto err = Json::parse(res.body).get<ApiError>();
      message = err.error;
      code = err.code;
    } catch (const std::exception&) {
      // Not our JSON (a proxy's HTML page, an empty body): say what we know.
      message = "the API answered HTTP " + std::to_string(res.status) + " to " +
                describe(req.method, req.path);
    }
    throw HttpError(res.status, message, code, res.request_id);
  }
  if (res.body.empty()) {
    if (res.status == 204) return Json();
    throw ShapeError("empty response to " + describe(req.method, req.path));
  }
  try {
    return Json::parse(res.body);
  } catch (const Json::parse_error& e) {
    throw ShapeError("invalid JSON in the response to " + describe(req.method, req.path) + " (" +
                     std::to_string(res.body.size()) + " bytes; truncated or not JSON)");
  }
}

template <class T>
void Client::each_page(const std::string& path, std::vector<std::string> query,
                       const std::function<void(std::vector<T>&&)>& consume) {
  std::set<std::string> seen;
  std::string cursor;
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(options_.timeout_seconds));
  // A page is decoded and consumed on a second thread while the next one is fetched: for a
  // 10,000-peer list that is nearly half of the client's work, and the next request needs only
  // the cursor from the page before. One page at a time, in order.
  std::future<void> previous;
  auto finish_previous = [&previous] {
    if (previous.valid()) previous.get();  // rethrows what decoding that page threw
  };
  for (;;) {
    Request req;
    req.deadline = deadline;
    req.path = path;
    req.query = query;
    req.query.push_back("limit=100");
    if (!cursor.empty()) req.query.push_back("cursor=" + escape(cursor));
    Json doc = call(req);
    // The envelope is checked here, the items by decode, as from_json(Page) would do both.
    if (!doc.is_object() || !doc.contains("items") || !doc.at("items").is_array()) {
      finish_previous();
      throw ShapeError("unexpected response to " + describe("GET", path) +
                       ": expected an object with an \"items\" array");
    }
    const bool empty = doc.at("items").empty();
    std::string next;
    if (auto it = doc.find("next_cursor"); it != doc.end() && it->is_string()) {
      next = it->template get<std::string>();
    }
    finish_previous();
    previous = std::async(std::launch::async, [&consume, &path, page = std::move(doc)]() mutable {
      const Json here = std::move(page);  // so the document is freed on this thread too
      consume(decode<Page<T>>(here, "GET", path).items);
    });
    if (next.empty()) return finish_previous();
    // A cursor after an empty page leads nowhere new; following it could go on forever.
    if (empty) {
      finish_previous();
      throw ShapeError("the API returned an empty page with a next cursor for GET " + path);
    }
    // A server that hands out the same cursor twice would keep us here forever.
    if (!seen.insert(next).second) {
      finish_previous();
      throw ShapeError("the API repeated a page cursor for GET " + path);
    }
    cursor = std::move(next);
  }
}

template <class T>
std::vector<T> Client::all_pages(const std::string& path, std::vector<std::string> query) {
  std::vector<T> out;
  each_page<T>(path, std::move(query), [&out](std::vector<T>&& page) {
    std::move(page.begin(), page.end(), std::back_inserter(out));
  });
  return out;
}

RegionList Client::regions() {
  Request req;
  req.path = "/v1/platform/regions";
  req.needs_token = false;
  return decode<RegionList>(call(req), "GET", req.path);
}

std::vector<Org> Client::orgs() {
  return all_pages<Org>("/v1/orgs", {});
}

TokenInfo Client::current_token() {
  Request req;
  req.path = "/v1/tokens/current";
  return decode<TokenInfo>(call(req), "GET", req.path);
}

std::vector<Peer> Client::peers(const std::string& org) {
  return all_pages<Peer>("/v1/orgs/" + escape(org) + "/wireguard_peers", {});
}

void Client::each_peer_page(const std::string& org,
                            const std::function<void(std::vector<Peer>&&)>& consume) {
  each_page<Peer>("/v1/orgs/" + escape(org) + "/wireguard_peers", {}, consume);
}

Page<Peer> Client::peers_page(const std::string& org, int limit, const std::string& cursor) {
  Request req;
  req.path = "/v1/orgs/" + escape(org) + "/wireguard_peers";
  req.query.push_back("limit=" + std::to_string(limit));
  if (!cursor.empty()) req.query.push_back("cursor=" + escape(cursor));
  return decode<Page<Peer>>(call(req), "GET", req.path);
}

Peer Client::create_peer(const std::string& org, const PeerCreate& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/orgs/" + escape(org) + "/wireguard_peers";
  req.body = body;
  req.idempotency_key = new_idempotency_key();
  return decode<Peer>(call(req), "POST", req.path);
}

void Client::delete_peer(const std::string& org, const std::string& name) {
  Request req;
  req.method = "DELETE";
  req.path = "/v1/orgs/" + escape(org) + "/wireguard_peers/" + escape(name);
  call(req);
}

std::vector<App> Client::apps(const std::optional<std::string>& org) {
  std::vector<std::string> query;
  if (org) query.push_back("org_slug=" + escape(*org));
  return all_pages<App>("/v1/apps", query);
}

App Client::create_app(const AppCreate& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/apps";
  req.body = body;
  req.idempotency_key = new_idempotency_key();
  return decode<App>(call(req), "POST", req.path);
}

App Client::app(const std::string& name) {
  Request req;
  req.path = "/v1/apps/" + escape(name);
  return decode<App>(call(req), "GET", req.path);
}

std::vector<Machine> Client::machines(const std::string& app) {
  return all_pages<Machine>("/v1/apps/" + escape(app) + "/machines", {});
}

Machine Client::machine(const std::string& app, const std::string& id) {
  Request req;
  req.path = "/v1/apps/" + escape(app) + "/machines/" + escape(id);
  return decode<Machine>(call(req), "GET", req.path);
}

Machine Client::create_machine(const std::string& app, const MachineCreate& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/apps/" + escape(app) + "/machines";
  req.body = body;
  req.idempotency_key = new_idempotency_key();
  return decode<Machine>(call(req), "POST", req.path);
}

Machine Client::start_machine(const std::string& app, const std::string& id) {
  Request req;
  req.method = "POST";
  req.path = "/v1/apps/" + escape(app) + "/machines/" + escape(id) + "/start";
  return decode<Machine>(call(req), "POST", req.path);
}

Machine Client::stop_machine(const std::string& app, const std::string& id,
                             const MachineStop& stop) {
  Request req;
  req.method = "POST";
  req.path = "/v1/apps/" + escape(app) + "/machines/" + escape(id) + "/stop";
  if (!stop.empty()) req.body = Json(stop);
  return decode<Machine>(call(req), "POST", req.path);
}

void Client::destroy_machine(const std::string& app, const std::string& id) {
  Request req;
  req.method = "DELETE";
  req.path = "/v1/apps/" + escape(app) + "/machines/" + escape(id);
  call(req);
}

MachineWait Client::wait_machine(const std::string& app, const std::string& id,
                                 const std::string& state, int timeout_seconds) {
  Request req;
  req.path = "/v1/apps/" + escape(app) + "/machines/" + escape(id) + "/wait";
  req.query.push_back("state=" + escape(state));
  req.query.push_back("timeout=" + std::to_string(timeout_seconds));
  // The server holds the request for up to timeout_seconds; the budget covers that and more.
  req.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds) +
                 std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                     std::chrono::duration<double>(options_.timeout_seconds));
  return decode<MachineWait>(call(req), "GET", req.path);
}

Page<LogLine> Client::app_logs(const std::string& app, const LogQuery& query) {
  Request req;
  req.path = "/v1/apps/" + escape(app) + "/logs";
  if (!query.machine_id.empty()) req.query.push_back("machine_id=" + escape(query.machine_id));
  if (!query.cursor.empty()) req.query.push_back("cursor=" + escape(query.cursor));
  if (query.limit > 0) req.query.push_back("limit=" + std::to_string(query.limit));
  if (query.wait_seconds > 0) {
    req.query.push_back("wait=" + std::to_string(query.wait_seconds));
    req.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(query.wait_seconds) +
                   std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                       std::chrono::duration<double>(options_.timeout_seconds));
  }
  return decode<Page<LogLine>>(call(req), "GET", req.path);
}

std::vector<Host> Client::hosts() {
  return all_pages<Host>("/v1/hosts", {});
}

std::vector<IpAssignment> Client::ips(const std::string& app) {
  return all_pages<IpAssignment>("/v1/apps/" + escape(app) + "/ip_assignments", {});
}

AppServices Client::services(const std::string& app) {
  Request req;
  req.path = "/v1/apps/" + escape(app) + "/services";
  return decode<AppServices>(call(req), "GET", req.path);
}

IpAssignment Client::allocate_ip(const std::string& app, const IpAssignmentCreate& body) {
  Request req;
  req.method = "POST";
  req.path = "/v1/apps/" + escape(app) + "/ip_assignments";
  req.body = body;
  req.idempotency_key = new_idempotency_key();
  return decode<IpAssignment>(call(req), "POST", req.path);
}

void Client::release_ip(const std::string& app, const std::string& address) {
  Request req;
  req.method = "DELETE";
  req.path = "/v1/apps/" + escape(app) + "/ip_assignments/" + escape(address);
  call(req);
}

}  // namespace sixpn::api
