#pragma once
// The one place that picks a store from --db: postgres://… or postgresql://… is PostgreSQL,
// anything else a SQLite file.
#include <memory>
#include <string>

#include "server/regions.hpp"
#include "server/store/store.hpp"

namespace sixpn::server::store {

// `connections`: how many requests may use the database at once (SQLite: readers beside its
// one writer; PostgreSQL: the pool). Throws StoreError (Unavailable) like the stores do.
std::unique_ptr<Store> open_store(const std::string& db, RegionCatalog regions,
                                  int connections = 4);

// --db as messages may show it: a PostgreSQL URL's password masked.
std::string describe_db(const std::string& db);

}  // namespace sixpn::server::store
