#pragma once
// Moving an installation from its SQLite file to PostgreSQL (`sixpnd migrate-store`): every
// row of every table, in one PostgreSQL transaction, with the counts checked before it commits.
#include <cstdint>
#include <string>
#include <vector>

namespace sixpn::server::store {

// Every table of the schema but schema_version, each after the tables its rows refer to.
const std::vector<std::string>& store_tables();

struct TableCount {
  std::string table;
  std::int64_t rows = 0;
};

// Brings both databases to the current schema, then copies. The copy is all or nothing: a
// target that is not empty, or counts that differ after the copy, roll it back. Throws
// StoreError: NotFound (no such source file), Conflict (the target holds rows), Unavailable
// (either database cannot be opened), Invalid (the counts differ).
std::vector<TableCount> copy_sqlite_to_pg(const std::string& sqlite_path,
                                          const std::string& pg_url);

}  // namespace sixpn::server::store
