// SqliteStore: the objects that hold 6PN addresses — machines, WireGuard peers and Flycast
// addresses — and their allocation (see the rules in store.hpp).
#include <nlohmann/json.hpp>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

namespace {
constexpr const char* kMachineSelect =
    "SELECT m.id, m.machine_id, m.name, a.name, m.region, m.state, m.process_group, m.metadata, "
    "m.private_ip, m.created_at, m.updated_at FROM machines m JOIN apps a ON a.id = m.app_id ";

MachineState state_from(const std::string& s) {
  if (s == "started") return MachineState::Started;
  if (s == "stopped") return MachineState::Stopped;
  return MachineState::Destroyed;
}

MachineRecord machine_from_row(const Statement& q) {
  MachineRecord m;
  m.seq = q.int_at(0);
  m.id = q.text_at(1);
  m.name = q.text_at(2);
  m.app = q.text_at(3);
  m.region = q.text_at(4);
  m.state = state_from(q.text_at(5));
  m.process_group = q.text_at(6);
  m.metadata = nlohmann::json::parse(q.text_at(7)).get<std::map<std::string, std::string>>();
  m.private_ip = ipv6_from_blob(q.blob_at(8));
  m.created_at = q.text_at(9);
  m.updated_at = q.text_at(10);
  return m;
}

std::optional<MachineRecord> machine_by_id(sqlite::Connection& c, std::int64_t app_id,
                                           std::string_view id) {
  Statement q(c, std::string(kMachineSelect) + "WHERE m.app_id = ?1 AND m.machine_id = ?2");
  q.bind(1, app_id).bind(2, id);
  if (!q.step()) return std::nullopt;
  return machine_from_row(q);
}

std::string peer_select() {
  return std::string("SELECT p.id, p.name, p.region, p.pubkey, l.address, p.created_at, ") +
         kOrgColumns +
         " FROM peers p JOIN orgs o ON o.id = p.org_id JOIN allocations l ON l.id = "
         "p.allocation_id ";
}

PeerRecord peer_from_row(const Statement& q) {
  return PeerRecord{q.int_at(0),  q.text_at(1), org_from_row(q, 6),
                    q.text_at(2), q.text_at(3), ipv6_from_blob(q.blob_at(4)),
                    q.text_at(5)};
}

std::string ip_select() {
  return std::string("SELECT i.id, l.address, a.name, i.created_at, ") + kOrgColumns +
         " FROM ip_assignments i JOIN allocations l ON l.id = i.allocation_id "
         "JOIN orgs o ON o.id = l.org_id JOIN apps a ON a.id = i.app_id ";
}

IpRecord ip_from_row(const Statement& q) {
  return IpRecord{q.int_at(0), ipv6_from_blob(q.blob_at(1)), q.text_at(2), org_from_row(q, 4),
                  q.text_at(3)};
}

template <class T, class RowFn>
PageResult<T> collect_page(Statement& q, int limit, RowFn row) {
  PageResult<T> out;
  while (q.step()) out.items.push_back(row(q));
  if (static_cast<int>(out.items.size()) > limit) {
    out.items.pop_back();
    out.more = true;
  }
  return out;
}
}  // namespace

MachineRecord SqliteStore::create_machine(const AppRecord& app, const NewMachine& spec) {
  return write([&](Connection& c) {
    // 7 random bytes: a collision is astronomically unlikely, but the UNIQUE column decides.
    std::string id;
    for (;;) {
      id = random_hex(7);
      Statement taken(c, "SELECT 1 FROM machines WHERE machine_id = ?1");
      taken.bind(1, id);
      if (!taken.step()) break;
    }
    std::string name = spec.name.empty() ? id : spec.name;
    Statement dup(c,
                  "SELECT 1 FROM machines WHERE app_id = ?1 AND name = ?2 AND state != "
                  "'destroyed'");
    dup.bind(1, app.id).bind(2, name);
    if (dup.step()) {
      throw StoreError(StoreError::Kind::Conflict,
                       "app " + app.name + " already has a machine named " + name);
    }
    auto network = app.org.network_id;
    auto host = spec.machine_host;
    auto alloc = allocate(c, app.org, host, "machine", [&](std::uint64_t slot) {
      return core::machine_address(network, host, slot);
    });
    auto now = now_rfc3339();
    Statement(c,
              "INSERT INTO machines (machine_id, app_id, name, region, state, process_group, "
              "metadata, allocation_id, private_ip, created_at, updated_at) "
              "VALUES (?1, ?2, ?3, ?4, 'started', ?5, ?6, ?7, ?8, ?9, ?9)")
        .bind(1, id)
        .bind(2, app.id)
        .bind(3, name)
        .bind(4, spec.region)
        .bind(5, spec.process_group)
        .bind(6, nlohmann::json(spec.metadata).dump())
        .bind(7, alloc.id)
        .bind_blob(8, alloc.address.bytes.data(), alloc.address.bytes.size())
        .bind(9, now)
        .run();
    return *machine_by_id(c, app.id, id);
  });
}

std::optional<MachineRecord> SqliteStore::find_machine(const AppRecord& app, std::string_view id) {
  return read([&](Connection& c) { return machine_by_id(c, app.id, id); });
}

PageResult<MachineRecord> SqliteStore::list_machines(const AppRecord& app, PageRequest page,
                                                     bool include_destroyed) {
  return read([&](Connection& c) {
    Statement q(c, std::string(kMachineSelect) +
                       "WHERE m.app_id = ?1 AND m.id > ?2 AND (?3 OR m.state != 'destroyed') "
                       "ORDER BY m.id LIMIT ?4");
    q.bind(1, app.id)
        .bind(2, page.after)
        .bind(3, std::int64_t{include_destroyed})
        .bind(4, page.limit + 1);
    return collect_page<MachineRecord>(q, page.limit, machine_from_row);
  });
}

MachineRecord SqliteStore::set_machine_state(const AppRecord& app, std::string_view id,
                                             MachineState state) {
  return write([&](Connection& c) {
    auto m = machine_by_id(c, app.id, id);
    if (!m || (m->state == MachineState::Destroyed && state == MachineState::Destroyed)) {
      throw StoreError(StoreError::Kind::NotFound,
                       "app " + app.name + " has no machine " + std::string(id));
    }
    if (m->state == MachineState::Destroyed) {
      throw StoreError(StoreError::Kind::Conflict,
                       "machine " + m->id + " is destroyed; it cannot be " +
                           (state == MachineState::Started ? "started" : "stopped"));
    }
    if (m->state == state) return *m;  // starting a started machine is not an error
    auto now = now_rfc3339();
    if (state == MachineState::Destroyed) {
      Statement a(c, "SELECT allocation_id FROM machines WHERE id = ?1");
      a.bind(1, m->seq);
      a.step();
      auto allocation = a.int_at(0);
      Statement(c,
                "UPDATE machines SET state = 'destroyed', allocation_id = NULL, updated_at = ?2 "
                "WHERE id = ?1")
          .bind(1, m->seq)
          .bind(2, now)
          .run();
      release(c, allocation);
    } else {
      Statement(c, "UPDATE machines SET state = ?2, updated_at = ?3 WHERE id = ?1")
          .bind(1, m->seq)
          .bind(2, to_string(state))
          .bind(3, now)
          .run();
    }
    return *machine_by_id(c, app.id, id);
  });
}

PeerRecord SqliteStore::create_peer(const OrgRecord& org, const NewPeer& spec) {
  return write([&](Connection& c) {
    Statement name(c, "SELECT 1 FROM peers WHERE org_id = ?1 AND name = ?2");
    name.bind(1, org.id).bind(2, spec.name);
    if (name.step()) {
      throw StoreError(StoreError::Kind::Conflict,
                       "org " + org.slug + " already has a peer named " + spec.name);
    }
    // One key, one peer: the gateway tells peers apart by their public key alone.
    Statement key(c, "SELECT 1 FROM peers WHERE pubkey = ?1");
    key.bind(1, spec.pubkey);
    if (key.step()) {
      throw StoreError(StoreError::Kind::Conflict,
                       "this public key already belongs to another peer; generate a new key pair");
    }
    auto network = org.network_id;
    auto host = spec.gateway_host;
    auto alloc = allocate(c, org, host, "peer", [&](std::uint64_t slot) {
      return core::peer_address(network, host, slot);
    });
    Statement(c,
              "INSERT INTO peers (org_id, name, region, pubkey, allocation_id, created_at) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(1, org.id)
        .bind(2, spec.name)
        .bind(3, spec.region)
        .bind(4, spec.pubkey)
        .bind(5, alloc.id)
        .bind(6, now_rfc3339())
        .run();
    Statement q(c, peer_select() + "WHERE p.id = ?1");
    q.bind(1, c.last_insert_rowid());
    q.step();
    return peer_from_row(q);
  });
}

PageResult<PeerRecord> SqliteStore::list_peers(const OrgRecord& org, PageRequest page) {
  return read([&](Connection& c) {
    Statement q(c, peer_select() + "WHERE p.org_id = ?1 AND p.id > ?2 ORDER BY p.id LIMIT ?3");
    q.bind(1, org.id).bind(2, page.after).bind(3, page.limit + 1);
    return collect_page<PeerRecord>(q, page.limit, peer_from_row);
  });
}

void SqliteStore::delete_peer(const OrgRecord& org, std::string_view name) {
  write([&](Connection& c) {
    Statement q(c, "SELECT id, allocation_id FROM peers WHERE org_id = ?1 AND name = ?2");
    q.bind(1, org.id).bind(2, name);
    if (!q.step()) {
      throw StoreError(StoreError::Kind::NotFound,
                       "org " + org.slug + " has no peer named " + std::string(name));
    }
    auto id = q.int_at(0);
    auto allocation = q.int_at(1);
    Statement(c, "DELETE FROM peers WHERE id = ?1").bind(1, id).run();
    release(c, allocation);
    return true;
  });
}

IpRecord SqliteStore::create_flycast(const AppRecord& app, const OrgRecord& target) {
  return write([&](Connection& c) {
    auto network = target.network_id;
    auto alloc = allocate(c, target, core::kFlycastHost, "flycast",
                          [&](std::uint64_t slot) { return core::flycast_address(network, slot); });
    Statement(c,
              "INSERT INTO ip_assignments (app_id, allocation_id, created_at) VALUES (?1, ?2, ?3)")
        .bind(1, app.id)
        .bind(2, alloc.id)
        .bind(3, now_rfc3339())
        .run();
    Statement q(c, ip_select() + "WHERE i.id = ?1");
    q.bind(1, c.last_insert_rowid());
    q.step();
    return ip_from_row(q);
  });
}

PageResult<IpRecord> SqliteStore::list_ips(const AppRecord& app, PageRequest page) {
  return read([&](Connection& c) {
    Statement q(c, ip_select() + "WHERE i.app_id = ?1 AND i.id > ?2 ORDER BY i.id LIMIT ?3");
    q.bind(1, app.id).bind(2, page.after).bind(3, page.limit + 1);
    return collect_page<IpRecord>(q, page.limit, ip_from_row);
  });
}

void SqliteStore::delete_ip(const AppRecord& app, const core::Ipv6& address) {
  write([&](Connection& c) {
    Statement q(c,
                "SELECT i.id, i.allocation_id FROM ip_assignments i JOIN allocations l ON l.id = "
                "i.allocation_id WHERE i.app_id = ?1 AND l.address = ?2");
    q.bind(1, app.id).bind_blob(2, address.bytes.data(), address.bytes.size());
    if (!q.step()) {
      throw StoreError(StoreError::Kind::NotFound,
                       "app " + app.name + " has no IP assignment " + address.str());
    }
    auto id = q.int_at(0);
    auto allocation = q.int_at(1);
    Statement(c, "DELETE FROM ip_assignments WHERE id = ?1").bind(1, id).run();
    release(c, allocation);
    return true;
  });
}

}  // namespace sixpn::server::store
