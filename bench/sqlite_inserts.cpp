// The ceiling for peer creates: the same rows a create writes (slot counter bump, allocation,
// peer), one transaction each, in WAL mode with synchronous=FULL as sixpnd runs, with the real
// schema — and nothing else (no HTTP, no JSON, no checks). Runs for --count rows or --seconds.
//
//   bench_sqlite_inserts --db PATH [--count 2000] [--seconds 10]
#include <sodium.h>
#include <sqlite3.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "core/address.hpp"
#include "core/keys.hpp"
#include "server/store/sqlite_schema.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct DbCloser {
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct StmtFinalizer {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};
using Stmt = std::unique_ptr<sqlite3_stmt, StmtFinalizer>;

[[noreturn]] void die(sqlite3* db, const char* what) {
  std::fprintf(stderr, "bench_sqlite_inserts: %s: %s\n", what, sqlite3_errmsg(db));
  std::exit(1);
}

void exec(sqlite3* db, const char* sql) {
  if (sqlite3_exec(db, sql, nullptr, nullptr, nullptr) != SQLITE_OK) die(db, sql);
}

Stmt prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* raw = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &raw, nullptr) != SQLITE_OK) die(db, sql);
  return Stmt(raw);
}

void step_done(sqlite3* db, sqlite3_stmt* s) {
  int rc = sqlite3_step(s);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) die(db, "step");
  while (rc == SQLITE_ROW) rc = sqlite3_step(s);
  sqlite3_reset(s);
}

}  // namespace

int main(int argc, char** argv) {
  std::string path;
  long count = 2000;
  double seconds = 10;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--db") {
      path = argv[i + 1];
    } else if (flag == "--count") {
      count = std::atol(argv[i + 1]);
    } else if (flag == "--seconds") {
      seconds = std::atof(argv[i + 1]);
    } else {
      std::fprintf(stderr, "bench_sqlite_inserts: unknown flag %s\n", flag.c_str());
      return 2;
    }
  }
  if (path.empty() || count < 1 || seconds <= 0) {
    std::fprintf(stderr, "usage: bench_sqlite_inserts --db PATH [--count N] [--seconds S]\n");
    return 2;
  }
  if (sodium_init() < 0) {
    std::fprintf(stderr, "bench_sqlite_inserts: libsodium cannot be initialised\n");
    return 1;
  }
  for (const char* suffix : {"", "-wal", "-shm"}) std::remove((path + suffix).c_str());
  sqlite3* raw = nullptr;
  if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) die(raw, "open");
  std::unique_ptr<sqlite3, DbCloser> db(raw);
  exec(raw, "PRAGMA journal_mode = WAL");
  exec(raw, "PRAGMA synchronous = FULL");
  exec(raw, "PRAGMA foreign_keys = ON");
  for (const auto& m : sixpn::server::store::sqlite_migrations()) exec(raw, m.sql);
  exec(raw,
       "INSERT INTO orgs (slug, name, network_id, created_at) "
       "VALUES ('bench', 'bench', 1, '2024-01-01T00:00:00Z')");

  auto counter = prepare(raw,
                         "INSERT INTO slot_counters (org_id, host, next_slot) VALUES (1, 7, 1) "
                         "ON CONFLICT (org_id, host) DO UPDATE SET next_slot = next_slot + 1 "
                         "RETURNING next_slot - 1");
  auto allocation = prepare(raw,
                            "INSERT INTO allocations (address, org_id, kind, created_at) "
                            "VALUES (?1, 1, 'peer', ?2)");
  auto peer = prepare(raw,
                      "INSERT INTO peers (org_id, name, region, pubkey, allocation_id, "
                      "created_at) VALUES (1, ?1, 'ams', ?2, ?3, ?4)");
  const char* now = "2024-01-01T00:00:00Z";

  auto start = Clock::now();
  auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  long done = 0;
  for (; done < count && Clock::now() < deadline; ++done) {
    exec(raw, "BEGIN IMMEDIATE");
    if (sqlite3_step(counter.get()) != SQLITE_ROW) die(raw, "slot counter");
    auto slot = static_cast<std::uint64_t>(sqlite3_column_int64(counter.get(), 0));
    step_done(raw, counter.get());
    auto address = sixpn::core::peer_address(1, 7, slot);
    sqlite3_bind_blob(allocation.get(), 1, address.bytes.data(),
                      static_cast<int>(address.bytes.size()), SQLITE_TRANSIENT);
    sqlite3_bind_text(allocation.get(), 2, now, -1, SQLITE_STATIC);
    step_done(raw, allocation.get());
    std::string name = "peer-" + std::to_string(done);
    // A public key's text from random bytes (a microsecond): the same shape a create stores,
    // without the Curve25519 work, which belongs to the client and is not the database's.
    sixpn::core::PublicKey key;
    randombytes_buf(key.bytes.data(), key.bytes.size());
    std::string pubkey = key.base64();
    sqlite3_bind_text(peer.get(), 1, name.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(peer.get(), 2, pubkey.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(peer.get(), 3, sqlite3_last_insert_rowid(raw));
    sqlite3_bind_text(peer.get(), 4, now, -1, SQLITE_STATIC);
    step_done(raw, peer.get());
    exec(raw, "COMMIT");
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("rows=%ld seconds=%.3f per_second=%.1f\n", done, elapsed,
              static_cast<double>(done) / elapsed);
  return 0;
}
