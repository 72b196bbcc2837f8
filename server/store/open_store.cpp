#include "server/store/open_store.hpp"

#include "server/store/pg_store.hpp"
#include "server/store/sqlite_store.hpp"

namespace sixpn::server::store {

std::unique_ptr<Store> open_store(const std::string& db, RegionCatalog regions, int connections) {
  if (pg::is_postgres_url(db))
    return std::make_unique<PgStore>(db, std::move(regions), connections);
  return std::make_unique<SqliteStore>(db, std::move(regions), connections);
}

std::string describe_db(const std::string& db) {
  return pg::is_postgres_url(db) ? pg::mask_url(db) : db;
}

}  // namespace sixpn::server::store
