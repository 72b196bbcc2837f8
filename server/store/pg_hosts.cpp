// PgStore: hosts, their join tokens and credentials (docs/host-protocol.md).
#include <nlohmann/json.hpp>

#include <cstdio>

#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;

namespace {
// How stale last_seen_at may get (see sqlite_hosts.cpp).
constexpr std::time_t kLastSeenResolution = 5;

constexpr const char* kHostSelect =
    "SELECT h.id, h.name, h.region, h.pubkey, h.endpoint, h.created_at, h.last_seen_at, "
    "(SELECT count(*) FROM machines m WHERE m.host_id = h.id AND m.state != 'destroyed'), "
    "(SELECT coalesce(json_agg(n.network_id ORDER BY n.network_id), '[]') FROM (SELECT "
    "DISTINCT o.network_id FROM machines m JOIN apps a ON a.id = m.app_id JOIN orgs o ON "
    "o.id = a.org_id WHERE m.host_id = h.id AND m.state != 'destroyed') n) FROM hosts h ";

std::vector<HostRecord> host_rows(pg::Connection& c, const std::string& where,
                                  std::optional<std::int64_t> id) {
  const auto cutoff = host_live_cutoff();
  Params params;
  if (id) params.add(*id);
  auto q = c.query(std::string(kHostSelect) + where + " ORDER BY h.id", params);
  std::vector<HostRecord> out;
  for (int i = 0; i < q.rows(); ++i) {
    HostRecord h;
    h.id = static_cast<std::uint32_t>(q.int_at(i, 0));
    h.name = q.text_at(i, 1);
    h.region = q.text_at(i, 2);
    h.pubkey = q.text_at(i, 3);
    h.endpoint = q.text_at(i, 4);
    h.created_at = q.text_at(i, 5);
    h.last_seen_at = q.optional_text(i, 6);
    h.live = h.last_seen_at && *h.last_seen_at >= cutoff;
    h.machines = static_cast<int>(q.int_at(i, 7));
    h.networks = nlohmann::json::parse(q.text_at(i, 8)).get<std::vector<std::uint32_t>>();
    out.push_back(std::move(h));
  }
  return out;
}

std::string host_id_hex(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}
}  // namespace

JoinTokenRecord PgStore::create_join_token(const Sha256& token_hash, const NewJoinToken& t) {
  return write(
      [&](Connection& c) {
        auto now = now_rfc3339();
        auto r = c.query(
            "INSERT INTO join_tokens (sha256, region, name, created_at, expires_at) "
            "VALUES ($1, $2, $3, $4, $5) RETURNING id",
            Params()
                .add_bytes(token_hash.data(), token_hash.size())
                .add(t.region)
                .add(t.name)
                .add(now)
                .add(t.expires_at));
        return JoinTokenRecord{r.int_at(0, 0), t.region, t.name, now, t.expires_at};
      },
      false);
}

HostRecord PgStore::register_host(const Sha256& join_token_hash, const NewHost& spec,
                                  const Sha256& credential_hash) {
  return write([&](Connection& c) {
    const auto now = now_rfc3339();
    // Used in the transaction that creates the host: of two registrations racing on one token,
    // the second waits on the row, then finds it used (or, under SERIALIZABLE, runs again and
    // does). Unknown, used and expired tokens get one answer.
    auto use = c.query(
        "UPDATE join_tokens SET used_at = $2 WHERE sha256 = $1 AND used_at IS NULL "
        "AND expires_at > $2 RETURNING region, name",
        Params().add_bytes(join_token_hash.data(), join_token_hash.size()).add(now));
    if (use.empty()) {
      throw StoreError(StoreError::Kind::Invalid,
                       "the join token is unknown, used or expired; make a new one with "
                       "`sixpnd hosts create`",
                       "join_token_invalid");
    }
    const auto region = use.text_at(0, 0);
    const auto token_name = use.text_at(0, 1);
    if (!c.query("SELECT 1 FROM hosts WHERE pubkey = $1", Params().add(spec.pubkey)).empty()) {
      throw StoreError(StoreError::Kind::Conflict,
                       "this public key already belongs to another host; generate a new key pair",
                       "host_key_taken");
    }
    auto next = c.query(
        "INSERT INTO host_id_counter (id, next_id) VALUES (1, $1::bigint + 1) "
        "ON CONFLICT (id) DO UPDATE SET next_id = host_id_counter.next_id + 1 "
        "RETURNING next_id - 1",
        Params().add(std::int64_t{kFirstHostId}));
    const auto id = next.int_at(0, 0);
    if (id > 0xffffffffLL) {
      throw StoreError(StoreError::Kind::Exhausted, "all 32-bit host ids are taken");
    }
    std::string name = !token_name.empty() ? token_name : spec.name;
    if (name.empty()) name = "host-" + host_id_hex(static_cast<std::uint32_t>(id));
    if (!c.query("SELECT 1 FROM hosts WHERE lower(name) = lower($1)", Params().add(name)).empty()) {
      throw StoreError(StoreError::Kind::Conflict, "a host named " + name + " already exists",
                       "host_name_taken");
    }
    c.query(
        "INSERT INTO hosts (id, name, region, pubkey, endpoint, credential_sha256, "
        "created_at, last_seen_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        Params()
            .add(id)
            .add(name)
            .add(region)
            .add(spec.pubkey)
            .add(spec.endpoint)
            .add_bytes(credential_hash.data(), credential_hash.size())
            .add(now));
    return host_rows(c, "WHERE h.id = $1", id).at(0);
  });
}

std::optional<HostRecord> PgStore::host_for(const Sha256& credential_hash) {
  const std::time_t now = std::time(nullptr);
  const std::string now_text = rfc3339(now);
  auto host = read([&](Connection& c) -> std::optional<HostRecord> {
    auto q = c.query("SELECT id FROM hosts WHERE credential_sha256 = $1",
                     Params().add_bytes(credential_hash.data(), credential_hash.size()));
    if (q.empty()) return std::nullopt;
    auto rows = host_rows(c, "WHERE h.id = $1", q.int_at(0, 0));
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
  if (!host) return host;
  const auto resolution = rfc3339(now - kLastSeenResolution);
  if (host->last_seen_at && *host->last_seen_at > resolution) return host;
  // A host back from unreachable is a change for listeners; a routine stamp is not.
  // Bookkeeping: an unavailable database must not fail the request it came with.
  const bool revived = !host->live;
  try {
    write(
        [&](Connection& c) {
          c.query("UPDATE hosts SET last_seen_at = $2 WHERE id = $1",
                  Params().add(std::int64_t{host->id}).add(now_text));
          return true;
        },
        revived, Isolation::ReadCommitted);
    host->last_seen_at = now_text;
    host->live = true;
  } catch (const StoreError&) {
  }
  return host;
}

std::vector<HostRecord> PgStore::list_hosts() {
  return read([&](Connection& c) { return host_rows(c, "", std::nullopt); });
}

std::vector<HostRecord> PgStore::live_hosts() {
  auto all = list_hosts();
  std::erase_if(all, [](const HostRecord& h) { return !h.live; });
  return all;
}

HostRecord PgStore::remove_host(std::uint32_t id) {
  return write([&](Connection& c) {
    auto rows = host_rows(c, "WHERE h.id = $1", std::int64_t{id});
    if (rows.empty()) {
      throw StoreError(StoreError::Kind::NotFound, "host " + host_id_hex(id) + " does not exist");
    }
    const auto now = now_rfc3339();
    std::vector<std::int64_t> allocations;
    auto held =
        c.query("SELECT allocation_id FROM machines WHERE host_id = $1 AND state != 'destroyed'",
                Params().add(std::int64_t{id}));
    for (int i = 0; i < held.rows(); ++i) allocations.push_back(held.int_at(i, 0));
    c.query(
        "UPDATE machines SET state = 'destroyed', allocation_id = NULL, host_removed = 1, "
        "reported_state = 'failed', reported_generation = generation + 1, "
        "generation = generation + 1, message = 'its host was removed', updated_at = $2 "
        "WHERE host_id = $1 AND state != 'destroyed'",
        Params().add(std::int64_t{id}).add(now));
    // Destroys the host had not confirmed yet: nothing is left to confirm them.
    c.query(
        "UPDATE machines SET reported_state = 'destroyed', reported_generation = "
        "generation, updated_at = $2 WHERE host_id = $1 AND host_removed = 0 AND "
        "coalesce(reported_state, '') != 'destroyed'",
        Params().add(std::int64_t{id}).add(now));
    for (auto allocation : allocations) release(c, allocation);
    c.query("DELETE FROM hosts WHERE id = $1", Params().add(std::int64_t{id}));
    return rows.front();
  });
}

}  // namespace sixpn::server::store
