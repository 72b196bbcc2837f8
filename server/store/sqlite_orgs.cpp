// SqliteStore: orgs and apps (tokens are in sqlite_tokens.cpp).
#include <nlohmann/json.hpp>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

std::optional<OrgRecord> org_by_slug(sqlite::Connection& c, std::string_view slug) {
  Statement q(c, std::string("SELECT ") + kOrgColumns + " FROM orgs o WHERE o.slug = ?1");
  q.bind(1, slug);
  if (!q.step()) return std::nullopt;
  return org_from_row(q, 0);
}

namespace {

AppRecord app_from_row(const Statement& q) {
  AppRecord app;
  app.id = q.int_at(0);
  app.name = q.text_at(1);
  app.created_at = q.text_at(2);
  app.machines = static_cast<int>(q.int_at(3));
  app.started_machines = static_cast<int>(q.int_at(4));
  app.org = org_from_row(q, 5);
  return app;
}
}  // namespace

OrgRecord SqliteStore::create_org(const std::string& slug, const std::string& name) {
  return write([&](Connection& c) {
    if (org_by_slug(c, slug)) {
      throw StoreError(StoreError::Kind::Conflict, "org " + slug + " already exists");
    }
    // Sequential network ids: the first org is fdaa:0:1::/48, the next fdaa:0:2::/48, …
    Statement next(c, "SELECT coalesce(max(network_id), 0) + 1 FROM orgs");
    next.step();
    std::int64_t network = next.int_at(0);
    if (network > 0xffffffffLL) {
      throw StoreError(StoreError::Kind::Exhausted, "all 32-bit network ids are taken");
    }
    Statement(c, "INSERT INTO orgs (slug, name, network_id, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, slug)
        .bind(2, name)
        .bind(3, network)
        .bind(4, now_rfc3339())
        .run();
    return *org_by_slug(c, slug);
  });
}

std::optional<OrgRecord> SqliteStore::find_org(std::string_view slug) {
  return read([&](Connection& c) { return org_by_slug(c, slug); });
}

AppRecord SqliteStore::create_app(const OrgRecord& org, const std::string& name) {
  return write([&](Connection& c) {
    Statement exists(c, "SELECT 1 FROM apps WHERE name = ?1");
    exists.bind(1, name);
    if (exists.step()) {
      throw StoreError(StoreError::Kind::Conflict, "an app named " + name + " already exists");
    }
    Statement(c, "INSERT INTO apps (name, org_id, created_at) VALUES (?1, ?2, ?3)")
        .bind(1, name)
        .bind(2, org.id)
        .bind(3, now_rfc3339())
        .run();
    Statement q(c, std::string(kAppSelect) + "WHERE a.id = ?1");
    q.bind(1, c.last_insert_rowid());
    q.step();
    return app_from_row(q);
  });
}

std::optional<AppRecord> SqliteStore::find_app(std::string_view name) {
  return read([&](Connection& c) -> std::optional<AppRecord> {
    Statement q(c, std::string(kAppSelect) + "WHERE a.name = ?1");
    q.bind(1, name);
    if (!q.step()) return std::nullopt;
    return app_from_row(q);
  });
}

PageResult<AppRecord> SqliteStore::list_apps(const std::vector<std::int64_t>& org_ids,
                                             PageRequest page) {
  return read([&](Connection& c) {
    Statement q(c, std::string(kAppSelect) +
                       "WHERE a.org_id IN (SELECT value FROM json_each(?1)) AND a.id > ?2 "
                       "ORDER BY a.id LIMIT ?3");
    q.bind(1, nlohmann::json(org_ids).dump()).bind(2, page.after).bind(3, page.limit + 1);
    PageResult<AppRecord> out;
    while (q.step()) out.items.push_back(app_from_row(q));
    if (static_cast<int>(out.items.size()) > page.limit) {
      out.items.pop_back();
      out.more = true;
    }
    return out;
  });
}

}  // namespace sixpn::server::store
