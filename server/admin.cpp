// The operator's subcommands: `sixpnd orgs create` and `sixpnd tokens create|list|revoke`
// (hosts are in admin_hosts.cpp).
#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <nlohmann/json.hpp>

#include "core/address.hpp"
#include "core/keys.hpp"
#include "core/names.hpp"
#include "server/admin_util.hpp"
#include "server/commands.hpp"
#include "server/regions.hpp"
#include "server/store/open_store.hpp"
#include "server/tokens.hpp"
#include "server/util.hpp"

namespace sixpn::server {

namespace {
int error(int code, const std::string& message) {
  return admin_error(code, message);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

}  // namespace

int admin_error(int code, const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return code;
}

// Left-aligned columns two spaces apart, like sixpn's tables.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> width(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) width[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  auto line = [&](const std::vector<std::string>& cells) {
    std::string text;
    for (std::size_t i = 0; i < cells.size(); ++i) {
      text += cells[i];
      if (i + 1 < cells.size()) text += std::string(width[i] - cells[i].size() + 2, ' ');
    }
    out << text << '\n';
  };
  line(header);
  for (const auto& row : rows) line(row);
}

int exit_code_of(const store::StoreError& e) {
  switch (e.kind()) {
    case store::StoreError::Kind::NotFound:
      return kExitNotFound;
    case store::StoreError::Kind::Conflict:
      return kExitConflict;
    case store::StoreError::Kind::Invalid:
      return kExitUsage;
    default:
      return kExitFailure;
  }
}
namespace {
std::string lower_label_problem(const char* what, const std::string& value) {
  auto problem = core::dns_label_problem(what, value);
  if (!problem.empty()) return problem;
  for (char c : value) {
    if (c >= 'A' && c <= 'Z') return std::string(what) + " \"" + value + "\" must be lower-case";
  }
  return "";
}
}  // namespace

std::string org_slug_problem(const std::string& slug) {
  return lower_label_problem("org slug", slug);
}

std::string host_name_problem(const std::string& name) {
  return lower_label_problem("host name", name);
}

int create_org(const OrgCreateOptions& options) {
  if (auto problem = org_slug_problem(options.slug); !problem.empty()) {
    return error(kExitUsage, problem);
  }
  try {
    auto opened = store::open_store(options.db, RegionCatalog::builtin(), 1);
    auto& store = *opened;
    auto org = store.create_org(options.slug, options.name.empty() ? options.slug : options.name);
    std::fprintf(stderr, "Created org %s (network id %u, %s)\n", org.slug.c_str(), org.network_id,
                 core::org_prefix_cidr(org.network_id).c_str());
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(exit_code_of(e), e.what());
  }
}

int create_token(const TokenCreateOptions& options) {
  if (options.is_operator && !options.orgs.empty()) {
    return error(kExitUsage, "an operator token belongs to no org; drop --org or --operator");
  }
  if (!options.is_operator && options.orgs.empty()) {
    return error(kExitUsage, "name at least one org with --org SLUG (or pass --operator)");
  }
  store::NewToken spec;
  spec.org_slugs = options.orgs;
  spec.is_operator = options.is_operator;
  spec.name = options.name;
  if (!options.name.empty()) {
    if (auto problem = token_name_problem(options.name); !problem.empty()) {
      return error(kExitUsage, problem);
    }
  }
  if (!options.expires.empty()) {
    std::string problem;
    auto when = parse_expiry(options.expires, std::time(nullptr), problem);
    if (!when) return error(kExitUsage, problem);
    spec.expires_at = rfc3339(*when);
  }
  try {
    auto opened = store::open_store(options.db, RegionCatalog::builtin(), 1);
    auto& store = *opened;
    core::SecretString token(new_token());
    auto record = store.create_token(sha256(token.view()), spec);
    // The token alone on stdout, so `TOKEN=$(sixpnd tokens create …)` works; it is shown once
    // and only its hash is kept. Its id, for `tokens revoke`, goes to stderr.
    std::cout << token.view() << std::endl;
    std::string said = "Created token " + std::to_string(record.id);
    if (!record.name.empty()) said += " (" + record.name + ")";
    if (record.is_operator) {
      said += " for the operator (GET /v1/hosts, DELETE /v1/hosts/{id})";
    } else {
      said += (record.orgs.size() == 1 ? " for org " : " for orgs ") + join(record.orgs);
    }
    said += record.expires_at ? "; expires " + *record.expires_at : "; never expires";
    std::fprintf(stderr, "%s\n", said.c_str());
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(exit_code_of(e), e.what());
  }
}

int list_tokens(const TokenListOptions& options) {
  try {
    auto opened = store::open_store(options.db, RegionCatalog::builtin(), 1);
    auto& store = *opened;
    auto tokens = store.list_tokens();
    const auto now = now_rfc3339();
    if (options.json) {
      auto out = nlohmann::json::array();
      for (const auto& t : tokens) {
        out.push_back(
            {{"id", t.id},
             {"name", t.name},
             {"orgs", t.orgs},
             {"operator", t.is_operator},
             {"created_at", t.created_at},
             {"expires_at", t.expires_at ? nlohmann::json(*t.expires_at) : nullptr},
             {"last_used_at", t.last_used_at ? nlohmann::json(*t.last_used_at) : nullptr}});
      }
      std::cout << out.dump(2) << std::endl;
      return kExitOk;
    }
    std::vector<std::vector<std::string>> rows;
    for (const auto& t : tokens) {
      std::string expires = "never";
      if (t.expires_at) expires = *t.expires_at + (*t.expires_at <= now ? " (expired)" : "");
      rows.push_back({std::to_string(t.id), t.name.empty() ? "-" : t.name,
                      t.is_operator ? "(operator)" : join(t.orgs),
                      t.created_at, expires, t.last_used_at.value_or("never")});
    }
    print_table(std::cout, {"ID", "NAME", "ORGS", "CREATED", "EXPIRES", "LAST USED"}, rows);
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(exit_code_of(e), e.what());
  }
}

int revoke_token(const TokenRevokeOptions& options) {
  try {
    auto opened = store::open_store(options.db, RegionCatalog::builtin(), 1);
    auto& store = *opened;
    store.revoke_token(options.id);
    std::fprintf(stderr, "Revoked token %lld; requests with it now get 401\n",
                 static_cast<long long>(options.id));
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(exit_code_of(e), e.what());
  }
}

}  // namespace sixpn::server
