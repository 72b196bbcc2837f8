#include "server/seed.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include "core/names.hpp"
#include "core/toml.hpp"

namespace sixpn::server {

namespace {
[[noreturn]] void fail(const std::string& source, const toml::node* node, const std::string& what) {
  std::string where = source;
  if (node != nullptr && node->source().begin.line > 0) {
    where += ":" + std::to_string(node->source().begin.line);
  }
  throw SeedError(where + ": " + what);
}

void only_keys(const std::string& source, const toml::table& t, std::set<std::string> allowed,
               const std::string& what) {
  for (const auto& [key, value] : t) {
    if (!allowed.count(std::string(key.str()))) {
      fail(source, &value, "unknown key \"" + std::string(key.str()) + "\" in " + what);
    }
  }
}

std::string text(const std::string& source, const toml::table& t, const char* key, bool required) {
  const auto* node = t.get(key);
  if (node == nullptr) {
    if (required) fail(source, &t, std::string("missing \"") + key + "\"");
    return "";
  }
  if (!node->is_string()) fail(source, node, std::string("\"") + key + "\" must be a string");
  return node->as_string()->get();
}

double number(const std::string& source, const toml::table& t, const char* key) {
  const auto* node = t.get(key);
  if (node == nullptr) fail(source, &t, std::string("missing \"") + key + "\"");
  if (auto v = node->value<double>()) return *v;
  fail(source, node, std::string("\"") + key + "\" must be a number");
}

bool flag(const std::string& source, const toml::table& t, const char* key, bool fallback) {
  const auto* node = t.get(key);
  if (node == nullptr) return fallback;
  if (!node->is_boolean()) fail(source, node, std::string("\"") + key + "\" must be true or false");
  return node->as_boolean()->get();
}

std::uint32_t host_id(const std::string& source, const toml::table& t, const char* key,
                      std::uint32_t fallback) {
  const auto* node = t.get(key);
  if (node == nullptr) return fallback;
  if (!node->is_integer() || node->as_integer()->get() < 2 ||
      node->as_integer()->get() > 0xffffffffLL) {
    fail(source, node, std::string("\"") + key + "\" must be an integer from 2 to 0xffffffff");
  }
  return static_cast<std::uint32_t>(node->as_integer()->get());
}
}  // namespace

Seed parse_seed(std::string_view content, const std::string& source) {
  toml::table root;
  try {
    root = toml::parse(content, source);
  } catch (const toml::parse_error& e) {
    throw SeedError(source + ":" + std::to_string(e.source().begin.line) + ": " +
                    std::string(e.description()));
  }
  only_keys(source, root, {"nearest", "regions", "orgs"}, "the seed file");
  Seed seed;
  if (root.contains("nearest")) seed.nearest = text(source, root, "nearest", true);
  if (const auto* node = root.get("regions")) {
    const auto* list = node->as_array();
    if (list == nullptr) fail(source, node, "\"regions\" must be an array of tables ([[regions]])");
    std::vector<RegionEntry> regions;
    std::uint32_t i = 0;
    for (const auto& item : *list) {
      const auto* t = item.as_table();
      if (t == nullptr) fail(source, &item, "each region must be a table");
      only_keys(source, *t,
                {"code", "name", "latitude", "longitude", "gateway_available", "deprecated",
                 "machine_host", "gateway_host"},
                "a region");
      RegionEntry r;
      r.region.code = text(source, *t, "code", true);
      r.region.name = text(source, *t, "name", true);
      r.region.latitude = number(source, *t, "latitude");
      r.region.longitude = number(source, *t, "longitude");
      r.region.gateway_available = flag(source, *t, "gateway_available", false);
      r.region.deprecated = flag(source, *t, "deprecated", false);
      r.machine_host = host_id(source, *t, "machine_host", kMachineHostBase + i);
      r.gateway_host = host_id(source, *t, "gateway_host", kGatewayHostBase + i);
      regions.push_back(std::move(r));
      ++i;
    }
    seed.regions = std::move(regions);
  }
  if (const auto* node = root.get("orgs")) {
    const auto* list = node->as_array();
    if (list == nullptr) fail(source, node, "\"orgs\" must be an array of tables ([[orgs]])");
    for (const auto& item : *list) {
      const auto* t = item.as_table();
      if (t == nullptr) fail(source, &item, "each org must be a table");
      only_keys(source, *t, {"slug", "name"}, "an org");
      SeedOrg org{text(source, *t, "slug", true), text(source, *t, "name", false)};
      if (org.name.empty()) org.name = org.slug;
      seed.orgs.push_back(std::move(org));
    }
  }
  return seed;
}

Seed load_seed(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw SeedError(path + ": cannot read the seed file");
  std::ostringstream content;
  content << in.rdbuf();
  return parse_seed(content.str(), path);
}

}  // namespace sixpn::server
