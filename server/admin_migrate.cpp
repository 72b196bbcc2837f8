// `sixpnd migrate-store --from FILE --to URL`: an installation moves from SQLite to PostgreSQL.
#include <iostream>

#include <nlohmann/json.hpp>

#include "server/admin_util.hpp"
#include "server/commands.hpp"
#include "server/store/pg_db.hpp"
#include "server/store/store_copy.hpp"

namespace sixpn::server {

int migrate_store(const MigrateStoreOptions& options) {
  if (!store::pg::is_postgres_url(options.to)) {
    return admin_error(kExitUsage,
                       "--to must be a PostgreSQL URL (postgres://… or "
                       "postgresql://…), not " +
                           options.to);
  }
  if (store::pg::is_postgres_url(options.from)) {
    return admin_error(kExitUsage, "--from is the SQLite file to copy, not a URL");
  }
  try {
    auto counts = store::copy_sqlite_to_pg(options.from, options.to);
    std::int64_t total = 0;
    for (const auto& c : counts) total += c.rows;
    if (options.json) {
      auto out = nlohmann::json::object();
      for (const auto& c : counts) out[c.table] = c.rows;
      std::cout << out.dump(2) << std::endl;
    } else {
      std::vector<std::vector<std::string>> rows;
      for (const auto& c : counts) rows.push_back({c.table, std::to_string(c.rows)});
      print_table(std::cout, {"TABLE", "ROWS"}, rows);
    }
    std::fprintf(stderr,
                 "Copied %lld rows from %s to %s in one transaction; every table's count "
                 "matches.\nhint: serve from it with `sixpnd serve --db %s`; keep the SQLite "
                 "file until you are sure\n",
                 static_cast<long long>(total), options.from.c_str(),
                 store::pg::mask_url(options.to).c_str(), store::pg::mask_url(options.to).c_str());
    return kExitOk;
  } catch (const store::StoreError& e) {
    return admin_error(exit_code_of(e), e.what());
  }
}

}  // namespace sixpn::server
