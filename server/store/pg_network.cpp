// PgStore: WireGuard peers and Flycast addresses (machines are in pg_machines.cpp; the
// allocation rules are in store.hpp).
#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;

namespace {
std::string peer_select() {
  return std::string("SELECT p.id, p.name, p.region, p.pubkey, l.address, p.created_at, ") +
         kOrgColumns +
         " FROM peers p JOIN orgs o ON o.id = p.org_id JOIN allocations l ON l.id = "
         "p.allocation_id ";
}

PeerRecord peer_from_row(const pg::Result& r, int i) {
  return PeerRecord{r.int_at(i, 0),  r.text_at(i, 1), pg_org_from_row(r, i, 6),
                    r.text_at(i, 2), r.text_at(i, 3), ipv6_from_blob(r.bytes_at(i, 4)),
                    r.text_at(i, 5)};
}

std::string ip_select() {
  return std::string("SELECT i.id, l.address, a.name, i.created_at, ") + kOrgColumns +
         " FROM ip_assignments i JOIN allocations l ON l.id = i.allocation_id "
         "JOIN orgs o ON o.id = l.org_id JOIN apps a ON a.id = i.app_id ";
}

IpRecord ip_from_row(const pg::Result& r, int i) {
  return IpRecord{r.int_at(i, 0), ipv6_from_blob(r.bytes_at(i, 1)), r.text_at(i, 2),
                  pg_org_from_row(r, i, 4), r.text_at(i, 3)};
}
}  // namespace

PeerRecord PgStore::create_peer(const OrgRecord& org, const NewPeer& spec) {
  return write(
      [&](Connection& c) {
        // Friendly answers first; a create racing past them still meets the UNIQUE indexes.
        auto name = c.query("SELECT 1 FROM peers WHERE org_id = $1 AND lower(name) = lower($2)",
                            Params().add(org.id).add(spec.name));
        if (!name.empty()) {
          throw StoreError(StoreError::Kind::Conflict,
                           "org " + org.slug + " already has a peer named " + spec.name);
        }
        auto key = c.query("SELECT 1 FROM peers WHERE pubkey = $1", Params().add(spec.pubkey));
        if (!key.empty()) {
          throw StoreError(
              StoreError::Kind::Conflict,
              "this public key already belongs to another peer; generate a new key pair");
        }
        auto network = org.network_id;
        auto host = spec.gateway_host;
        auto alloc = allocate(c, org, host, "peer", [&](std::uint64_t slot) {
          return core::peer_address(network, host, slot);
        });
        auto id = c.query(
            "INSERT INTO peers (org_id, name, region, pubkey, allocation_id, created_at) "
            "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            Params()
                .add(org.id)
                .add(spec.name)
                .add(spec.region)
                .add(spec.pubkey)
                .add(alloc.id)
                .add(now_rfc3339()));
        auto q = c.query(peer_select() + "WHERE p.id = $1", Params().add(id.int_at(0, 0)));
        return peer_from_row(q, 0);
      },
      true, Isolation::ReadCommitted);
}

PageResult<PeerRecord> PgStore::list_peers(const OrgRecord& org, PageRequest page) {
  return read([&](Connection& c) {
    auto q = c.query(peer_select() + "WHERE p.org_id = $1 AND p.id > $2 ORDER BY p.id LIMIT $3",
                     Params().add(org.id).add(page.after).add(page.limit + 1));
    return pg_page<PeerRecord>(q, page.limit, peer_from_row);
  });
}

void PgStore::delete_peer(const OrgRecord& org, std::string_view name) {
  write([&](Connection& c) {
    auto q = c.query(
        "DELETE FROM peers WHERE org_id = $1 AND lower(name) = lower($2) RETURNING allocation_id",
        Params().add(org.id).add(name));
    if (q.empty()) {
      throw StoreError(StoreError::Kind::NotFound,
                       "org " + org.slug + " has no peer named " + std::string(name));
    }
    release(c, q.int_at(0, 0));
    return true;
  });
}

IpRecord PgStore::create_flycast(const AppRecord& app, const OrgRecord& target) {
  return write(
      [&](Connection& c) {
        auto network = target.network_id;
        auto alloc = allocate(c, target, core::kFlycastHost, "flycast", [&](std::uint64_t slot) {
          return core::flycast_address(network, slot);
        });
        auto id = c.query(
            "INSERT INTO ip_assignments (app_id, allocation_id, created_at) VALUES ($1, $2, $3) "
            "RETURNING id",
            Params().add(app.id).add(alloc.id).add(now_rfc3339()));
        auto q = c.query(ip_select() + "WHERE i.id = $1", Params().add(id.int_at(0, 0)));
        return ip_from_row(q, 0);
      },
      true, Isolation::ReadCommitted);
}

PageResult<IpRecord> PgStore::list_ips(const AppRecord& app, PageRequest page) {
  return read([&](Connection& c) {
    auto q = c.query(ip_select() + "WHERE i.app_id = $1 AND i.id > $2 ORDER BY i.id LIMIT $3",
                     Params().add(app.id).add(page.after).add(page.limit + 1));
    return pg_page<IpRecord>(q, page.limit, ip_from_row);
  });
}

void PgStore::delete_ip(const AppRecord& app, const core::Ipv6& address) {
  write([&](Connection& c) {
    auto q = c.query(
        "DELETE FROM ip_assignments i USING allocations l WHERE l.id = i.allocation_id AND "
        "i.app_id = $1 AND l.address = $2 RETURNING i.allocation_id",
        Params().add(app.id).add_bytes(address.bytes.data(), address.bytes.size()));
    if (q.empty()) {
      throw StoreError(StoreError::Kind::NotFound,
                       "app " + app.name + " has no IP assignment " + address.str());
    }
    release(c, q.int_at(0, 0));
    return true;
  });
}

}  // namespace sixpn::server::store
