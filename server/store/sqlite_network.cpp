// SqliteStore: WireGuard peers and Flycast addresses, two of the objects that hold 6PN addresses
// (machines, the third, are in sqlite_machines.cpp; the allocation rules are in store.hpp).
#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

namespace {
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

}  // namespace

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
