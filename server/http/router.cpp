#include "server/http/router.hpp"

#include <cstring>

namespace sixpn::server::http {

std::string Router::to_regex(const std::string& path) {
  std::string out;
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] == '{') {
      auto close = path.find('}', i);
      if (close == std::string::npos) break;
      i = close;
      out += "([^/]+)";
    } else if (std::strchr(".^$|()[]*+?\\", path[i]) != nullptr) {
      out += '\\';
      out += path[i];
    } else {
      out += path[i];
    }
  }
  return out;
}

Router::Router(const std::vector<Route>& routes) {
  for (const auto& r : routes) entries_.emplace_back(std::regex(to_regex(r.path)), &r);
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match out;
  // HEAD is answered as GET (httplib drops the body).
  const std::string& wanted = method == "HEAD" ? std::string("GET") : method;
  for (const auto& [re, route] : entries_) {
    std::smatch m;
    if (!std::regex_match(path, m, re)) continue;
    if (route->method == wanted) {
      out.route = route;
      for (std::size_t i = 1; i < m.size(); ++i) out.params.push_back(m[i].str());
      out.allowed.clear();
      return out;
    }
    if (out.allowed.find(route->method) == std::string::npos) {
      out.allowed += (out.allowed.empty() ? "" : ", ") + route->method;
    }
  }
  return out;
}

}  // namespace sixpn::server::http
