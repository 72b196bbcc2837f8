#pragma once
// The numbered schema migrations of the SQLite store. Migration N moves a database from
// schema_version N-1 to N; a released migration is never edited, only followed by another.
#include <vector>

namespace sixpn::server::store {

struct Migration {
  int version;
  const char* sql;
};

const std::vector<Migration>& sqlite_migrations();

}  // namespace sixpn::server::store
