// PgStore: the lines machines wrote, as their hosts send them; the newest
// kLogLinesPerMachine of each machine are kept.
#include <set>

#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;

namespace {
// The first half of the two-key advisory lock an append takes per app (the second: its id).
constexpr std::int32_t kLogLockClass = 0x6c6f6773;  // "logs"
}  // namespace

void PgStore::append_logs(std::uint32_t host_id, const std::vector<api::LogLine>& lines) {
  // Not a change any listener cares about: log readers are woken by the HTTP layer's waiter.
  // READ COMMITTED: appends of two hosts never conflict, and the trim only ever deletes.
  write(
      [&](Connection& c) {
        struct Owner {
          std::int64_t row = 0;
          std::int64_t app = 0;
        };
        std::map<std::string, std::optional<Owner>> owners;
        std::set<std::int64_t> apps;
        for (const auto& line : lines) {
          auto [it, fresh] = owners.try_emplace(line.machine_id);
          if (!fresh) continue;
          auto q = c.query("SELECT id, app_id FROM machines WHERE machine_id = $1 AND host_id = $2",
                           Params().add(line.machine_id).add(static_cast<std::int64_t>(host_id)));
          if (q.empty()) continue;  // not this host's machine
          it->second = Owner{q.int_at(0, 0), q.int_at(0, 1)};
          apps.insert(it->second->app);
        }
        // A follower reads "id > its cursor": appends to one app take turns until commit, so
        // no line commits with an id below one already seen. In id order, so two appends
        // never wait on each other in a circle.
        for (auto app : apps) {
          c.query("SELECT pg_advisory_xact_lock($1::int, $2::int)",
                  Params().add(std::int64_t{kLogLockClass}).add(app));
        }
        std::set<std::int64_t> touched;
        for (const auto& line : lines) {
          const auto& owner = owners.at(line.machine_id);
          if (!owner) continue;
          c.query(
              "INSERT INTO machine_logs (machine_row, app_id, timestamp, stream, message) "
              "VALUES ($1, $2, $3, $4, $5)",
              Params()
                  .add(owner->row)
                  .add(owner->app)
                  .add(line.timestamp)
                  .add(line.stream)
                  .add(line.message));
          touched.insert(owner->row);
        }
        for (auto row : touched) {
          c.query(
              "DELETE FROM machine_logs WHERE machine_row = $1 AND id <= (SELECT id FROM "
              "machine_logs WHERE machine_row = $1 ORDER BY id DESC LIMIT 1 OFFSET $2)",
              Params().add(row).add(std::int64_t{kLogLinesPerMachine}));
        }
        return true;
      },
      false, Isolation::ReadCommitted);
}

PageResult<LogRecord> PgStore::app_logs(const AppRecord& app, std::string_view machine_id,
                                        PageRequest page) {
  return read([&](Connection& c) {
    auto q = c.query(
        "SELECT l.id, m.machine_id, m.region, l.timestamp, l.stream, l.message "
        "FROM machine_logs l JOIN machines m ON m.id = l.machine_row "
        "WHERE l.app_id = $1 AND l.id > $2 AND ($3 = '' OR m.machine_id = $3) "
        "ORDER BY l.id LIMIT $4",
        Params().add(app.id).add(page.after).add(machine_id).add(page.limit + 1));
    return pg_page<LogRecord>(q, page.limit, [](const pg::Result& r, int i) {
      return LogRecord{r.int_at(i, 0),
                       api::LogLine{r.text_at(i, 1), r.text_at(i, 2), r.text_at(i, 3),
                                    r.text_at(i, 4), r.text_at(i, 5)}};
    });
  });
}

}  // namespace sixpn::server::store
