// SqliteStore: hosts, their join tokens and credentials (docs/host-protocol.md).
#include <nlohmann/json.hpp>

#include <cstdio>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

namespace {
// How stale last_seen_at may get: a watch comes every 30 s or sooner, a report or log batch as
// often as every second, and each stamp would otherwise be a write.
constexpr std::time_t kLastSeenResolution = 5;

constexpr const char* kHostSelect =
    "SELECT h.id, h.name, h.region, h.pubkey, h.endpoint, h.created_at, h.last_seen_at, "
    "(SELECT count(*) FROM machines m WHERE m.host_id = h.id AND m.state != 'destroyed'), "
    "(SELECT json_group_array(network_id) FROM (SELECT DISTINCT o.network_id FROM machines m "
    "JOIN apps a ON a.id = m.app_id JOIN orgs o ON o.id = a.org_id WHERE m.host_id = h.id AND "
    "m.state != 'destroyed' ORDER BY o.network_id)) FROM hosts h ";

HostRecord host_from_row(const Statement& q, const std::string& cutoff) {
  HostRecord h;
  h.id = static_cast<std::uint32_t>(q.int_at(0));
  h.name = q.text_at(1);
  h.region = q.text_at(2);
  h.pubkey = q.text_at(3);
  h.endpoint = q.text_at(4);
  h.created_at = q.text_at(5);
  h.last_seen_at = optional_text(q, 6);
  h.live = h.last_seen_at && *h.last_seen_at >= cutoff;
  h.machines = static_cast<int>(q.int_at(7));
  h.networks = nlohmann::json::parse(q.text_at(8)).get<std::vector<std::uint32_t>>();
  return h;
}

std::vector<HostRecord> host_rows(sqlite::Connection& c, const std::string& where,
                                  std::optional<std::int64_t> id) {
  const auto cutoff = host_live_cutoff();
  Statement q(c, std::string(kHostSelect) + where + " ORDER BY h.id");
  if (id) q.bind(1, *id);
  std::vector<HostRecord> out;
  while (q.step()) out.push_back(host_from_row(q, cutoff));
  return out;
}

std::string host_id_hex(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}
}  // namespace

std::string host_live_cutoff() {
  return rfc3339(std::time(nullptr) - kHostLiveSeconds);
}

JoinTokenRecord SqliteStore::create_join_token(const Sha256& token_hash, const NewJoinToken& t) {
  return write(
      [&](Connection& c) {
        auto now = now_rfc3339();
        Statement(c,
                  "INSERT INTO join_tokens (sha256, region, name, created_at, expires_at) "
                  "VALUES (?1, ?2, ?3, ?4, ?5)")
            .bind_blob(1, token_hash.data(), token_hash.size())
            .bind(2, t.region)
            .bind(3, t.name)
            .bind(4, now)
            .bind(5, t.expires_at)
            .run();
        return JoinTokenRecord{c.last_insert_rowid(), t.region, t.name, now, t.expires_at};
      },
      false);
}

HostRecord SqliteStore::register_host(const Sha256& join_token_hash, const NewHost& spec,
                                      const Sha256& credential_hash) {
  return write([&](Connection& c) {
    const auto now = now_rfc3339();
    // Used in the transaction that creates the host: of two registrations racing on one token,
    // the second finds it used. Unknown, used and expired tokens get one answer.
    Statement use(c,
                  "UPDATE join_tokens SET used_at = ?2 WHERE sha256 = ?1 AND used_at IS NULL "
                  "AND expires_at > ?2 RETURNING region, name");
    use.bind_blob(1, join_token_hash.data(), join_token_hash.size()).bind(2, now);
    if (!use.step()) {
      throw StoreError(StoreError::Kind::Invalid,
                       "the join token is unknown, used or expired; make a new one with "
                       "`sixpnd hosts create`",
                       "join_token_invalid");
    }
    const auto region = use.text_at(0);
    const auto token_name = use.text_at(1);
    while (use.step()) {
    }
    Statement key(c, "SELECT 1 FROM hosts WHERE pubkey = ?1");
    key.bind(1, spec.pubkey);
    if (key.step()) {
      throw StoreError(StoreError::Kind::Conflict,
                       "this public key already belongs to another host; generate a new key pair",
                       "host_key_taken");
    }
    Statement next(c,
                   "INSERT INTO host_id_counter (id, next_id) VALUES (1, ?1 + 1) "
                   "ON CONFLICT (id) DO UPDATE SET next_id = next_id + 1 RETURNING next_id - 1");
    next.bind(1, std::int64_t{kFirstHostId});
    next.step();
    const auto id = next.int_at(0);
    while (next.step()) {
    }
    if (id > 0xffffffffLL) {
      throw StoreError(StoreError::Kind::Exhausted, "all 32-bit host ids are taken");
    }
    std::string name = !token_name.empty() ? token_name : spec.name;
    if (name.empty()) name = "host-" + host_id_hex(static_cast<std::uint32_t>(id));
    Statement taken(c, "SELECT 1 FROM hosts WHERE name = ?1");
    taken.bind(1, name);
    if (taken.step()) {
      throw StoreError(StoreError::Kind::Conflict, "a host named " + name + " already exists",
                       "host_name_taken");
    }
    Statement(c,
              "INSERT INTO hosts (id, name, region, pubkey, endpoint, credential_sha256, "
              "created_at, last_seen_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)")
        .bind(1, id)
        .bind(2, name)
        .bind(3, region)
        .bind(4, spec.pubkey)
        .bind(5, spec.endpoint)
        .bind_blob(6, credential_hash.data(), credential_hash.size())
        .bind(7, now)
        .run();
    return host_rows(c, "WHERE h.id = ?1", id).at(0);
  });
}

std::optional<HostRecord> SqliteStore::host_for(const Sha256& credential_hash) {
  const std::time_t now = std::time(nullptr);
  const std::string now_text = rfc3339(now);
  auto host = read([&](Connection& c) -> std::optional<HostRecord> {
    Statement q(c, "SELECT id FROM hosts WHERE credential_sha256 = ?1");
    q.bind_blob(1, credential_hash.data(), credential_hash.size());
    if (!q.step()) return std::nullopt;
    auto rows = host_rows(c, "WHERE h.id = ?1", q.int_at(0));
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
  if (!host) return host;
  const auto resolution = rfc3339(now - kLastSeenResolution);
  if (host->last_seen_at && *host->last_seen_at > resolution) return host;
  // A host that was unreachable and is back changes other hosts' meshes and placement, so
  // that stamp notifies; a routine one does not. Bookkeeping: a busy database must not fail
  // the request it came with.
  const bool revived = !host->live;
  try {
    write(
        [&](Connection& c) {
          Statement(c, "UPDATE hosts SET last_seen_at = ?2 WHERE id = ?1")
              .bind(1, std::int64_t{host->id})
              .bind(2, now_text)
              .run();
          return true;
        },
        revived);
    host->last_seen_at = now_text;
    host->live = true;
  } catch (const StoreError&) {
  }
  return host;
}

std::vector<HostRecord> SqliteStore::list_hosts() {
  return read([&](Connection& c) { return host_rows(c, "", std::nullopt); });
}

std::vector<HostRecord> SqliteStore::live_hosts() {
  auto all = list_hosts();
  std::erase_if(all, [](const HostRecord& h) { return !h.live; });
  return all;
}

HostRecord SqliteStore::remove_host(std::uint32_t id) {
  return write([&](Connection& c) {
    auto rows = host_rows(c, "WHERE h.id = ?1", std::int64_t{id});
    if (rows.empty()) {
      throw StoreError(StoreError::Kind::NotFound, "host " + host_id_hex(id) + " does not exist");
    }
    const auto now = now_rfc3339();
    std::vector<std::int64_t> allocations;
    Statement held(c,
                   "SELECT allocation_id FROM machines WHERE host_id = ?1 AND state != "
                   "'destroyed'");
    held.bind(1, std::int64_t{id});
    while (held.step()) allocations.push_back(held.int_at(0));
    Statement(c,
              "UPDATE machines SET state = 'destroyed', allocation_id = NULL, host_removed = 1, "
              "reported_state = 'failed', reported_generation = generation + 1, "
              "generation = generation + 1, message = 'its host was removed', updated_at = ?2 "
              "WHERE host_id = ?1 AND state != 'destroyed'")
        .bind(1, std::int64_t{id})
        .bind(2, now)
        .run();
    // Destroys the host had not confirmed yet: nothing is left to confirm them.
    Statement(c,
              "UPDATE machines SET reported_state = 'destroyed', reported_generation = "
              "generation, updated_at = ?2 WHERE host_id = ?1 AND host_removed = 0 AND "
              "coalesce(reported_state, '') != 'destroyed'")
        .bind(1, std::int64_t{id})
        .bind(2, now)
        .run();
    for (auto allocation : allocations) release(c, allocation);
    Statement(c, "DELETE FROM hosts WHERE id = ?1").bind(1, std::int64_t{id}).run();
    return rows.front();
  });
}

}  // namespace sixpn::server::store
