#pragma once
// Matches (method, path) against the route table: the route and its path parameters, or why
// nothing matched (no such path → 404; path known but not for this method → 405).
#include <regex>
#include <string>
#include <vector>

#include "server/http/routes.hpp"

namespace sixpn::server::http {

class Router {
 public:
  explicit Router(const std::vector<Route>& routes);

  struct Match {
    const Route* route = nullptr;     // null: no route for this method and path
    std::vector<std::string> params;  // path parameters when route is set
    std::string allowed;              // "GET, POST" when the path exists for other methods
  };
  Match match(const std::string& method, const std::string& path) const;

  // "/v1/apps/{app}" → "/v1/apps/([^/]+)"
  static std::string to_regex(const std::string& path);

 private:
  std::vector<std::pair<std::regex, const Route*>> entries_;
};

}  // namespace sixpn::server::http
