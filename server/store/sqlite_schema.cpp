#include "server/store/sqlite_schema.hpp"

namespace sixpn::server::store {

namespace {
// Version 1: the whole model.
constexpr const char* kV1 = R"sql(
CREATE TABLE orgs (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name TEXT NOT NULL,
  network_id INTEGER NOT NULL UNIQUE CHECK (network_id BETWEEN 1 AND 4294967295),
  created_at TEXT NOT NULL
);

-- Only the SHA-256 of a token is kept: a copy of the database does not hand out access.
CREATE TABLE tokens (
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),
  created_at TEXT NOT NULL
);

CREATE TABLE token_orgs (
  token_id INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
  org_id INTEGER NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
  PRIMARY KEY (token_id, org_id)
) WITHOUT ROWID;

-- App names are DNS labels under .internal, so unique across orgs and case-insensitive.
CREATE TABLE apps (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  org_id INTEGER NOT NULL REFERENCES orgs (id),
  created_at TEXT NOT NULL
);
CREATE INDEX apps_by_org ON apps (org_id, id);

-- The next slot per (org, host id). It only grows: a released address is never handed out
-- again (see server/store/store.hpp).
CREATE TABLE slot_counters (
  org_id INTEGER NOT NULL REFERENCES orgs (id),
  host INTEGER NOT NULL,
  next_slot INTEGER NOT NULL,
  PRIMARY KEY (org_id, host)
) WITHOUT ROWID;

-- Every live 6PN address, whatever holds it. UNIQUE is what guarantees that no two live
-- objects share an address, whatever the code above it does.
CREATE TABLE allocations (
  id INTEGER PRIMARY KEY,
  address BLOB NOT NULL UNIQUE CHECK (length(address) = 16),
  org_id INTEGER NOT NULL REFERENCES orgs (id),
  kind TEXT NOT NULL CHECK (kind IN ('machine', 'peer', 'flycast')),
  created_at TEXT NOT NULL
);

CREATE TABLE machines (
  id INTEGER PRIMARY KEY,
  machine_id TEXT NOT NULL UNIQUE,
  app_id INTEGER NOT NULL REFERENCES apps (id),
  name TEXT NOT NULL,
  region TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('started', 'stopped', 'destroyed')),
  process_group TEXT NOT NULL,
  metadata TEXT NOT NULL,
  allocation_id INTEGER UNIQUE REFERENCES allocations (id),
  private_ip BLOB NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  -- A destroyed machine holds no address; a live one always does.
  CHECK ((state = 'destroyed') = (allocation_id IS NULL))
);
CREATE INDEX machines_by_app ON machines (app_id, id);
CREATE UNIQUE INDEX machines_live_name ON machines (app_id, name) WHERE state != 'destroyed';

CREATE TABLE peers (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES orgs (id),
  name TEXT NOT NULL COLLATE NOCASE,
  region TEXT NOT NULL,
  pubkey TEXT NOT NULL UNIQUE,
  allocation_id INTEGER NOT NULL UNIQUE REFERENCES allocations (id),
  created_at TEXT NOT NULL,
  UNIQUE (org_id, name)
);

CREATE TABLE ip_assignments (
  id INTEGER PRIMARY KEY,
  app_id INTEGER NOT NULL REFERENCES apps (id),
  allocation_id INTEGER NOT NULL UNIQUE REFERENCES allocations (id),
  created_at TEXT NOT NULL
);
CREATE INDEX ip_assignments_by_app ON ip_assignments (app_id, id);

-- The first successful response to each (token, Idempotency-Key), kept for a day.
CREATE TABLE idempotency_keys (
  token_id INTEGER NOT NULL REFERENCES tokens (id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  fingerprint BLOB NOT NULL,
  status INTEGER NOT NULL,
  body TEXT NOT NULL,
  created_at TEXT NOT NULL,
  PRIMARY KEY (token_id, key)
) WITHOUT ROWID;
CREATE INDEX idempotency_keys_by_age ON idempotency_keys (created_at);

-- The WireGuard gateway's key pair, made on the first start.
CREATE TABLE gateway_key (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  private_key TEXT NOT NULL,
  public_key TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)sql";

// Version 2: a peer list page is "org_id = ? AND id > ? ORDER BY id". With only the
// (org_id, name) index SQLite read and sorted every peer of the org for each page, so listing
// 10,000 peers cost 100 sorts of 10,000 rows.
constexpr const char* kV2 = R"sql(
CREATE INDEX peers_by_org ON peers (org_id, id);
)sql";

// Version 3: tokens get a name, an optional expiry and the time of their last use, so an
// operator can tell them apart and revoke the right one. Tokens made before have no name and
// never expire. Stamps are RFC 3339 UTC of one fixed width, so they compare as text.
constexpr const char* kV3 = R"sql(
ALTER TABLE tokens ADD COLUMN name TEXT NOT NULL DEFAULT '';
ALTER TABLE tokens ADD COLUMN expires_at TEXT;
ALTER TABLE tokens ADD COLUMN last_used_at TEXT;
)sql";

// Version 4: hosts (docs/host-protocol.md). Machines gain the host that runs them, their config,
// a generation and what the host last reported. The `state` column keeps its name and holds the
// desired state (started, stopped, destroyed) as before; what users see is derived from it and
// the report (server/store/machine_state.hpp). Machines made before keep host_id 0: they were
// placed by region alone ("no hosts yet" mode) and their state stays the desired one.
constexpr const char* kV4 = R"sql(
CREATE TABLE hosts (
  id INTEGER PRIMARY KEY CHECK (id BETWEEN 1 AND 4294967295),
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  region TEXT NOT NULL,
  pubkey TEXT NOT NULL UNIQUE,
  endpoint TEXT NOT NULL,
  credential_sha256 BLOB NOT NULL UNIQUE CHECK (length(credential_sha256) = 32),
  created_at TEXT NOT NULL,
  last_seen_at TEXT
);

-- The next host id. Its row exists from the first registration on, and it only grows: a
-- removed host's id is never given to another (its machines' addresses carry it).
CREATE TABLE host_id_counter (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  next_id INTEGER NOT NULL
);

CREATE TABLE join_tokens (
  id INTEGER PRIMARY KEY,
  sha256 BLOB NOT NULL UNIQUE CHECK (length(sha256) = 32),
  region TEXT NOT NULL,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT NOT NULL,
  used_at TEXT
);

ALTER TABLE tokens ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;

ALTER TABLE machines ADD COLUMN host_id INTEGER NOT NULL DEFAULT 0;
ALTER TABLE machines ADD COLUMN config TEXT NOT NULL DEFAULT '{}';
ALTER TABLE machines ADD COLUMN generation INTEGER NOT NULL DEFAULT 1;
ALTER TABLE machines ADD COLUMN reported_state TEXT;
ALTER TABLE machines ADD COLUMN reported_generation INTEGER NOT NULL DEFAULT 0;
ALTER TABLE machines ADD COLUMN exit_code INTEGER;
ALTER TABLE machines ADD COLUMN message TEXT NOT NULL DEFAULT '';
ALTER TABLE machines ADD COLUMN host_removed INTEGER NOT NULL DEFAULT 0;
CREATE INDEX machines_by_host ON machines (host_id, id);

CREATE TABLE machine_logs (
  id INTEGER PRIMARY KEY,
  machine_row INTEGER NOT NULL REFERENCES machines (id),
  app_id INTEGER NOT NULL REFERENCES apps (id),
  timestamp TEXT NOT NULL,
  stream TEXT NOT NULL,
  message TEXT NOT NULL
);
CREATE INDEX machine_logs_by_app ON machine_logs (app_id, id);
CREATE INDEX machine_logs_by_machine ON machine_logs (machine_row, id);
)sql";

// Version 5: a stop request may name its own signal and timeout (Fly's POST …/stop body); they
// are kept as that JSON while the machine's desired state is the stop they came with, and the
// host's desired state carries them. NULL: the machine's config.stop_config.
constexpr const char* kV5 = R"sql(
ALTER TABLE machines ADD COLUMN stop_request TEXT;
)sql";

// Version 6: counters that only grow are the database's rule, not only the code's: a slot or
// host id counter never goes back and is never deleted (which would restart it at 1), so
// whatever writes to the file, a released address or a removed host's id is not handed out
// again.
constexpr const char* kV6 = R"sql(
CREATE TRIGGER slot_counters_only_grow BEFORE UPDATE OF next_slot ON slot_counters
  WHEN NEW.next_slot < OLD.next_slot
  BEGIN SELECT RAISE(ABORT, 'slot counters only grow'); END;
CREATE TRIGGER slot_counters_stay BEFORE DELETE ON slot_counters
  BEGIN SELECT RAISE(ABORT, 'slot counters only grow'); END;
CREATE TRIGGER host_id_counter_only_grows BEFORE UPDATE OF next_id ON host_id_counter
  WHEN NEW.next_id < OLD.next_id
  BEGIN SELECT RAISE(ABORT, 'the host id counter only grows'); END;
CREATE TRIGGER host_id_counter_stays BEFORE DELETE ON host_id_counter
  BEGIN SELECT RAISE(ABORT, 'the host id counter only grows'); END;
)sql";
}  // namespace

const std::vector<Migration>& sqlite_migrations() {
  static const std::vector<Migration> migrations = {{1, kV1}, {2, kV2}, {3, kV3},
                                                    {4, kV4}, {5, kV5}, {6, kV6}};
  return migrations;
}

}  // namespace sixpn::server::store
