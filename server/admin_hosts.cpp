// The operator's host subcommands: `sixpnd hosts create|list|remove` (docs/sixpnd.md).
#include <charconv>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/keys.hpp"
#include "server/admin_util.hpp"
#include "server/commands.hpp"
#include "server/regions.hpp"
#include "server/seed.hpp"
#include "server/store/open_store.hpp"
#include "server/tokens.hpp"
#include "server/util.hpp"

namespace sixpn::server {

namespace {
std::string hex_id(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}

// "0c000001", "0x0c000001" or "201326593": the host id in the forms `hosts list` shows.
std::optional<std::uint32_t> parse_host_id(const std::string& text) {
  std::string_view digits = text;
  int base = 10;
  if (digits.rfind("0x", 0) == 0) {
    digits.remove_prefix(2);
    base = 16;
  } else if (digits.size() == 8) {
    base = 16;
  }
  std::uint32_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id, base);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size()) {
    return std::nullopt;
  }
  return id;
}

std::string region_codes(const RegionCatalog& catalog) {
  std::string out;
  for (const auto& r : catalog.all()) out += (out.empty() ? "" : ", ") + r.region.code;
  return out;
}
}  // namespace

int create_host_token(const HostCreateOptions& options) {
  std::optional<RegionCatalog> catalog;
  try {
    if (options.seed.empty()) {
      catalog = RegionCatalog::builtin();
    } else {
      auto seed = load_seed(options.seed);
      auto regions = seed.regions ? *seed.regions : builtin_regions();
      catalog.emplace(std::move(regions), seed.nearest.value_or(""));
    }
  } catch (const SeedError& e) {
    return admin_error(kExitUsage, e.what());
  } catch (const std::invalid_argument& e) {
    return admin_error(kExitUsage, options.seed + ": " + e.what());
  }
  if (options.region != store::kEmbeddedRegion) {
    const auto* region = catalog->find(options.region);
    if (region == nullptr) {
      return admin_error(kExitUsage, "region \"" + printable(options.region, 40) +
                                         "\" does not exist; regions: " + region_codes(*catalog) +
                                         " (or \"*\" for the control plane's embedded host)");
    }
    if (region->region.deprecated) {
      return admin_error(kExitUsage, "region " + options.region + " is deprecated");
    }
  }
  if (!options.name.empty()) {
    if (auto problem = host_name_problem(options.name); !problem.empty()) {
      return admin_error(kExitUsage, problem);
    }
  }
  std::string problem;
  auto when = parse_expiry(options.expires, std::time(nullptr), problem);
  if (!when) return admin_error(kExitUsage, problem);
  try {
    auto opened = store::open_store(options.db, *catalog, 1);
    auto& store = *opened;
    core::SecretString token(new_token(kJoinTokenPrefix));
    auto record = store.create_join_token(
        sha256(token.view()), store::NewJoinToken{options.region, options.name, rfc3339(*when)});
    // The token alone on stdout, for `JOIN=$(sixpnd hosts create …)`; only its hash is kept.
    std::cout << token.view() << std::endl;
    std::fprintf(stderr,
                 "Created a join token for one host in region %s%s; it expires %s.\n"
                 "hint: give it to `sixpnd host` on the new server; it registers once\n",
                 record.region.c_str(),
                 record.name.empty() ? "" : (" named " + record.name).c_str(),
                 record.expires_at.c_str());
    return kExitOk;
  } catch (const store::StoreError& e) {
    return admin_error(exit_code_of(e), e.what());
  }
}

int list_hosts(const HostListOptions& options) {
  try {
    auto opened = store::open_store(options.db, RegionCatalog::builtin(), 1);
    auto& store = *opened;
    auto hosts = store.list_hosts();
    if (options.json) {
      auto out = nlohmann::json::array();
      for (const auto& h : hosts) {
        out.push_back({{"id", h.id},
                       {"id_hex", hex_id(h.id)},
                       {"name", h.name},
                       {"region", h.region},
                       {"pubkey", h.pubkey},
                       {"endpoint", h.endpoint},
                       {"state", h.live ? "live" : "unreachable"},
                       {"machines", h.machines},
                       {"created_at", h.created_at},
                       {"last_seen_at", h.last_seen_at ? nlohmann::json(*h.last_seen_at)
                                                       : nlohmann::json(nullptr)}});
      }
      std::cout << out.dump(2) << std::endl;
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : hosts) {
      rows.push_back({hex_id(h.id), h.name, h.region, h.endpoint, h.live ? "live" : "unreachable",
                      std::to_string(h.machines), h.last_seen_at.value_or("never")});
    }
    print_table(std::cout, {"ID", "NAME", "REGION", "ENDPOINT", "STATE", "MACHINES", "LAST SEEN"},
                rows);
    return kExitOk;
  } catch (const store::StoreError& e) {
    return admin_error(exit_code_of(e), e.what());
  }
}

int remove_host(const HostRemoveOptions& options) {
  try {
    auto opened = store::open_store(options.db, RegionCatalog::builtin(), 1);
    auto& store = *opened;
    std::optional<std::uint32_t> id;
    for (const auto& h : store.list_hosts()) {
      if (h.name == options.host) id = h.id;
    }
    if (!id) id = parse_host_id(options.host);
    if (!id) {
      return admin_error(kExitNotFound, "no host is named or numbered \"" +
                                            printable(options.host, 60) +
                                            "\"; see `sixpnd hosts list`");
    }
    auto removed = store.remove_host(*id);
    std::fprintf(stderr,
                 "Removed host %s (%s); its credential is refused from now on, and its %d "
                 "machine%s failed\n",
                 hex_id(removed.id).c_str(), removed.name.c_str(), removed.machines,
                 removed.machines == 1 ? "" : "s");
    return kExitOk;
  } catch (const store::StoreError& e) {
    return admin_error(exit_code_of(e), e.what());
  }
}

}  // namespace sixpn::server
