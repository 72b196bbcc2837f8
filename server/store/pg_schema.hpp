#pragma once
// The numbered schema migrations of the PostgreSQL store: the same versions as SQLite's
// (sqlite_schema.cpp), each in PostgreSQL's dialect. A released migration is never edited.
#include <vector>

#include "server/store/sqlite_schema.hpp"

namespace sixpn::server::store {

const std::vector<Migration>& pg_migrations();

// The key of the advisory lock migrations run under, so that two replicas starting together
// migrate once: the second waits, then finds the schema current.
inline constexpr long long kMigrationLockKey = 0x736978706e000001LL;  // "sixpn" 1

}  // namespace sixpn::server::store
