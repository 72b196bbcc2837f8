// SqliteStore: the lines machines wrote, as their hosts send them; the newest
// kLogLinesPerMachine of each machine are kept.
#include <set>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

void SqliteStore::append_logs(std::uint32_t host_id, const std::vector<api::LogLine>& lines) {
  // Not a change any listener cares about (DNS, the gateway, host watches): log readers are
  // woken by the HTTP layer's own waiter.
  write(
      [&](Connection& c) {
        struct Owner {
          std::int64_t row = 0;
          std::int64_t app = 0;
        };
        std::map<std::string, std::optional<Owner>> owners;
        std::set<std::int64_t> touched;
        for (const auto& line : lines) {
          auto [it, fresh] = owners.try_emplace(line.machine_id);
          if (fresh) {
            Statement q(c, "SELECT id, app_id FROM machines WHERE machine_id = ?1 AND host_id = ?2");
            q.bind(1, line.machine_id).bind(2, static_cast<std::int64_t>(host_id));
            if (q.step()) it->second = Owner{q.int_at(0), q.int_at(1)};
          }
          if (!it->second) continue;  // not this host's machine
          Statement(c,
                    "INSERT INTO machine_logs (machine_row, app_id, timestamp, stream, message) "
                    "VALUES (?1, ?2, ?3, ?4, ?5)")
              .bind(1, it->second->row)
              .bind(2, it->second->app)
              .bind(3, line.timestamp)
              .bind(4, line.stream)
              .bind(5, line.message)
              .run();
          touched.insert(it->second->row);
        }
        for (auto row : touched) {
          Statement(c,
                    "DELETE FROM machine_logs WHERE machine_row = ?1 AND id <= (SELECT id FROM "
                    "machine_logs WHERE machine_row = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)")
              .bind(1, row)
              .bind(2, std::int64_t{kLogLinesPerMachine})
              .run();
        }
        return true;
      },
      false);
}

PageResult<LogRecord> SqliteStore::app_logs(const AppRecord& app, std::string_view machine_id,
                                            PageRequest page) {
  return read([&](Connection& c) {
    Statement q(c,
                "SELECT l.id, m.machine_id, m.region, l.timestamp, l.stream, l.message "
                "FROM machine_logs l JOIN machines m ON m.id = l.machine_row "
                "WHERE l.app_id = ?1 AND l.id > ?2 AND (?3 = '' OR m.machine_id = ?3) "
                "ORDER BY l.id LIMIT ?4");
    q.bind(1, app.id).bind(2, page.after).bind(3, machine_id).bind(4, page.limit + 1);
    return collect_page<LogRecord>(q, page.limit, [](const Statement& r) {
      return LogRecord{r.int_at(0), api::LogLine{r.text_at(1), r.text_at(2), r.text_at(3),
                                                 r.text_at(4), r.text_at(5)}};
    });
  });
}

}  // namespace sixpn::server::store
