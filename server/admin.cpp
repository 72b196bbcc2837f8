// The operator's subcommands: `sixpnd orgs create` and `sixpnd tokens create`.
#include <cstdio>
#include <iostream>

#include "core/address.hpp"
#include "core/keys.hpp"
#include "core/names.hpp"
#include "server/commands.hpp"
#include "server/regions.hpp"
#include "server/store/sqlite_store.hpp"
#include "server/tokens.hpp"
#include "server/util.hpp"

namespace sixpn::server {

namespace {
int error(int code, const std::string& message) {
  std::fprintf(stderr, "Error: %s\n", message.c_str());
  return code;
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
}  // namespace

std::string org_slug_problem(const std::string& slug) {
  auto problem = core::dns_label_problem("org slug", slug);
  if (!problem.empty()) return problem;
  for (char c : slug) {
    if (c >= 'A' && c <= 'Z') return "org slug \"" + slug + "\" must be lower-case";
  }
  return "";
}

int create_org(const OrgCreateOptions& options) {
  if (auto problem = org_slug_problem(options.slug); !problem.empty()) {
    return error(kExitUsage, problem);
  }
  try {
    store::SqliteStore store(options.db, RegionCatalog::builtin(), 1);
    auto org = store.create_org(options.slug, options.name.empty() ? options.slug : options.name);
    std::fprintf(stderr, "Created org %s (network id %u, %s)\n", org.slug.c_str(), org.network_id,
                 core::org_prefix_cidr(org.network_id).c_str());
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(exit_code_of(e), e.what());
  }
}

int create_token(const TokenCreateOptions& options) {
  if (options.orgs.empty()) return error(kExitUsage, "name at least one org with --org SLUG");
  try {
    store::SqliteStore store(options.db, RegionCatalog::builtin(), 1);
    core::SecretString token(new_token());
    store.create_token(sha256(token.view()), options.orgs);
    // The token alone on stdout, so `TOKEN=$(sixpnd tokens create …)` works; it is shown once
    // and only its hash is kept.
    std::cout << token.view() << std::endl;
    return kExitOk;
  } catch (const store::StoreError& e) {
    return error(exit_code_of(e), e.what());
  }
}

}  // namespace sixpn::server
