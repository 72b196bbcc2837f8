// PgStore: orgs and apps (tokens are in pg_tokens.cpp).
#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;

namespace {

AppRecord app_from_row(const pg::Result& r, int row) {
  AppRecord app;
  app.id = r.int_at(row, 0);
  app.name = r.text_at(row, 1);
  app.created_at = r.text_at(row, 2);
  app.machines = static_cast<int>(r.int_at(row, 3));
  app.started_machines = static_cast<int>(r.int_at(row, 4));
  app.org = pg_org_from_row(r, row, 5);
  return app;
}
}  // namespace

OrgRecord PgStore::create_org(const std::string& slug, const std::string& name) {
  return write([&](Connection& c) {
    // Network ids are max + 1: org creates take turns (from any replica), so two never read
    // the same max. The UNIQUE network_id would refuse the second anyway.
    c.exec("LOCK TABLE orgs IN SHARE ROW EXCLUSIVE MODE");
    if (pg_org_by_slug(c, slug)) {
      throw StoreError(StoreError::Kind::Conflict, "org " + slug + " already exists");
    }
    auto next = c.query("SELECT coalesce(max(network_id), 0) + 1 FROM orgs");
    std::int64_t network = next.int_at(0, 0);
    if (network > 0xffffffffLL) {
      throw StoreError(StoreError::Kind::Exhausted, "all 32-bit network ids are taken");
    }
    c.query("INSERT INTO orgs (slug, name, network_id, created_at) VALUES ($1, $2, $3, $4)",
            Params().add(slug).add(name).add(network).add(now_rfc3339()));
    return *pg_org_by_slug(c, slug);
  });
}

std::optional<OrgRecord> PgStore::find_org(std::string_view slug) {
  return read([&](Connection& c) { return pg_org_by_slug(c, slug); });
}

AppRecord PgStore::create_app(const OrgRecord& org, const std::string& name) {
  return write([&](Connection& c) {
    auto exists = c.query("SELECT 1 FROM apps WHERE lower(name) = lower($1)", Params().add(name));
    if (!exists.empty()) {
      throw StoreError(StoreError::Kind::Conflict, "an app named " + name + " already exists");
    }
    auto id =
        c.query("INSERT INTO apps (name, org_id, created_at) VALUES ($1, $2, $3) RETURNING id",
                Params().add(name).add(org.id).add(now_rfc3339()));
    auto q = c.query(std::string(kAppSelect) + "WHERE a.id = $1", Params().add(id.int_at(0, 0)));
    return app_from_row(q, 0);
  });
}

std::optional<AppRecord> PgStore::find_app(std::string_view name) {
  return read([&](Connection& c) -> std::optional<AppRecord> {
    auto q =
        c.query(std::string(kAppSelect) + "WHERE lower(a.name) = lower($1)", Params().add(name));
    if (q.empty()) return std::nullopt;
    return app_from_row(q, 0);
  });
}

PageResult<AppRecord> PgStore::list_apps(const std::vector<std::int64_t>& org_ids,
                                         PageRequest page) {
  return read([&](Connection& c) {
    auto q = c.query(std::string(kAppSelect) +
                         "WHERE a.org_id = ANY($1::bigint[]) AND a.id > $2 ORDER BY a.id LIMIT $3",
                     Params().add(pg_id_array(org_ids)).add(page.after).add(page.limit + 1));
    return pg_page<AppRecord>(q, page.limit, app_from_row);
  });
}

}  // namespace sixpn::server::store
