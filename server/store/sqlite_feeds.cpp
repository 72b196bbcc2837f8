// SqliteStore: the read models of the DNS server (a whole-store snapshot) and the WireGuard
// gateway (every peer).
#include <nlohmann/json.hpp>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

std::vector<GatewayPeer> SqliteStore::all_peers() {
  return read([](Connection& c) {
    Statement q(c,
                "SELECT p.pubkey, l.address, o.network_id, o.slug, p.name, p.region FROM peers p "
                "JOIN allocations l ON l.id = p.allocation_id JOIN orgs o ON o.id = p.org_id "
                "ORDER BY p.id");
    std::vector<GatewayPeer> out;
    while (q.step()) {
      out.push_back(GatewayPeer{q.text_at(0), ipv6_from_blob(q.blob_at(1)),
                                static_cast<std::uint32_t>(q.int_at(2)), q.text_at(3), q.text_at(4),
                                q.text_at(5)});
    }
    return out;
  });
}

dns::Snapshot SqliteStore::dns_snapshot() {
  // Read the version first: a change committed meanwhile makes the snapshot look older than
  // it is, never newer, and its listener call asks for a fresh one anyway.
  auto version = version_.load();
  dns::Snapshot snap = read([](Connection& c) {
    dns::Snapshot s;
    std::map<std::int64_t, std::uint32_t> network_of_org;
    Statement orgs(c, "SELECT id, slug, network_id FROM orgs");
    while (orgs.step()) {
      auto network = static_cast<std::uint32_t>(orgs.int_at(2));
      network_of_org[orgs.int_at(0)] = network;
      auto& zone = s.by_network[network];
      zone.slug = orgs.text_at(1);
      zone.network_id = network;
    }

    // Each org's own apps, each with the Flycast addresses it holds in that same org.
    std::map<std::pair<std::uint32_t, std::string>, std::size_t> app_index;
    // `in_org` only matters when the entry is new: every org's own apps are added first, so
    // an entry first made by the Flycast loop below is another org's app.
    auto app_in = [&](std::uint32_t network, const std::string& name,
                      bool in_org) -> dns::AppInfo& {
      auto& apps = s.by_network[network].apps;
      auto [it, fresh] = app_index.try_emplace({network, name}, apps.size());
      if (fresh) apps.push_back(dns::AppInfo{name, {}, in_org});
      return apps[it->second];
    };
    Statement apps(c, "SELECT org_id, name FROM apps ORDER BY id");
    while (apps.step()) app_in(network_of_org.at(apps.int_at(0)), apps.text_at(1), true);

    // A Flycast address lives in the network of the org it was allocated in; an app exposed
    // to another org appears in that org's zone through it.
    Statement flycast(c,
                      "SELECT l.org_id, a.name, l.address FROM ip_assignments i "
                      "JOIN allocations l ON l.id = i.allocation_id JOIN apps a ON a.id = "
                      "i.app_id ORDER BY i.id");
    while (flycast.step()) {
      app_in(network_of_org.at(flycast.int_at(0)), flycast.text_at(1), false)
          .flycast.push_back(ipv6_from_blob(flycast.blob_at(2)));
    }

    Statement machines(c,
                       "SELECT a.org_id, m.machine_id, a.name, m.region, m.process_group, "
                       "m.metadata, m.private_ip, m.state, m.generation, m.host_id, "
                       "m.reported_state, m.reported_generation FROM machines m JOIN apps a ON "
                       "a.id = m.app_id WHERE m.state != 'destroyed' ORDER BY m.id");
    while (machines.step()) {
      dns::MachineInfo m;
      m.id = machines.text_at(1);
      m.app = machines.text_at(2);
      m.region = machines.text_at(3);
      m.process_group = machines.text_at(4);
      m.metadata =
          nlohmann::json::parse(machines.text_at(5)).get<std::map<std::string, std::string>>();
      m.address = ipv6_from_blob(machines.blob_at(6));
      // Only a machine whose host says it runs is answered (docs/host-protocol.md).
      MachineStatus status;
      status.desired = machine_state_from(machines.text_at(7)).value_or(MachineState::Stopped);
      status.generation = static_cast<std::uint64_t>(machines.int_at(8));
      status.host_id = static_cast<std::uint32_t>(machines.int_at(9));
      status.reported = optional_text(machines, 10);
      status.reported_generation = static_cast<std::uint64_t>(machines.int_at(11));
      m.started = derived_state(status) == "started";
      s.by_network[network_of_org.at(machines.int_at(0))].machines.push_back(std::move(m));
    }

    Statement peers(c,
                    "SELECT p.org_id, p.name, p.region, l.address FROM peers p "
                    "JOIN allocations l ON l.id = p.allocation_id ORDER BY p.id");
    while (peers.step()) {
      s.by_network[network_of_org.at(peers.int_at(0))].peers.push_back(
          dns::PeerInfo{peers.text_at(1), peers.text_at(2), ipv6_from_blob(peers.blob_at(3))});
    }
    return s;
  });
  snap.version = version;
  for (const auto& r : regions_.all()) {
    snap.regions[r.region.code] =
        dns::RegionInfo{r.region.code, r.region.latitude, r.region.longitude};
  }
  return snap;
}

}  // namespace sixpn::server::store
