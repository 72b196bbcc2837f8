#include "server/http/router.hpp"

namespace sixpn::server::http {

std::vector<std::string> Router::segments(std::string_view path) {
  std::vector<std::string> out;
  for (;;) {
    auto slash = path.find('/');
    out.emplace_back(path.substr(0, slash));
    if (slash == std::string_view::npos) return out;
    path.remove_prefix(slash + 1);
  }
}

Router::Router(const std::vector<Route>& routes) {
  for (const auto& r : routes) entries_.push_back({segments(r.path), &r});
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match out;
  // HEAD is answered as GET (httplib drops the body).
  const std::string& wanted = method == "HEAD" ? std::string("GET") : method;
  const auto parts = segments(path);
  for (const auto& entry : entries_) {
    if (entry.segments.size() != parts.size()) continue;
    std::vector<std::string> params;
    bool same = true;
    for (std::size_t i = 0; same && i < parts.size(); ++i) {
      if (is_parameter(entry.segments[i])) {
        same = !parts[i].empty();  // a parameter is one whole, non-empty segment
        params.push_back(parts[i]);
      } else {
        same = entry.segments[i] == parts[i];
      }
    }
    if (!same) continue;
    if (entry.route->method == wanted) {
      out.route = entry.route;
      out.params = std::move(params);
      out.allowed.clear();
      return out;
    }
    if (out.allowed.find(entry.route->method) == std::string::npos) {
      out.allowed += (out.allowed.empty() ? "" : ", ") + entry.route->method;
    }
  }
  return out;
}

}  // namespace sixpn::server::http
