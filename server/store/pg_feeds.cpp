// PgStore: the read models of the DNS server and the WireGuard gateway (every org network
// with what is on it, and every peer).
#include <nlohmann/json.hpp>

#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

std::vector<GatewayPeer> PgStore::all_peers() {
  return read([](Connection& c) {
    auto q = c.query(
        "SELECT p.pubkey, l.address, o.network_id, o.slug, p.name, p.region FROM peers p "
        "JOIN allocations l ON l.id = p.allocation_id JOIN orgs o ON o.id = p.org_id "
        "ORDER BY p.id");
    std::vector<GatewayPeer> out;
    for (int i = 0; i < q.rows(); ++i) {
      out.push_back(GatewayPeer{q.text_at(i, 0), ipv6_from_blob(q.bytes_at(i, 1)),
                                static_cast<std::uint32_t>(q.int_at(i, 2)), q.text_at(i, 3),
                                q.text_at(i, 4), q.text_at(i, 5)});
    }
    return out;
  });
}

NetworkView PgStore::network_view() {
  // First: see NetworkView::version. In this slice the version counts this process's commits,
  // as SqliteStore's does; across replicas it will come from the database with NOTIFY.
  auto version = changes_.version();
  NetworkView view = read([](Connection& c) {
    NetworkView v;
    auto network = [](const pg::Result& q, int i, int column) {
      return static_cast<std::uint32_t>(q.int_at(i, column));
    };
    auto orgs = c.query("SELECT network_id, slug FROM orgs ORDER BY id");
    for (int i = 0; i < orgs.rows(); ++i)
      v.orgs.push_back({network(orgs, i, 0), orgs.text_at(i, 1)});

    auto apps = c.query(
        "SELECT o.network_id, a.name FROM apps a JOIN orgs o ON o.id = a.org_id ORDER BY a.id");
    for (int i = 0; i < apps.rows(); ++i)
      v.apps.push_back({network(apps, i, 0), apps.text_at(i, 1)});

    auto flycast = c.query(
        "SELECT o.network_id, a.name, l.address FROM ip_assignments i "
        "JOIN allocations l ON l.id = i.allocation_id JOIN orgs o ON o.id = l.org_id "
        "JOIN apps a ON a.id = i.app_id ORDER BY i.id");
    for (int i = 0; i < flycast.rows(); ++i) {
      v.flycast.push_back(
          {network(flycast, i, 0), flycast.text_at(i, 1), ipv6_from_blob(flycast.bytes_at(i, 2))});
    }

    auto machines = c.query(
        "SELECT o.network_id, m.machine_id, a.name, m.region, m.process_group, m.metadata, "
        "m.private_ip, m.state, m.generation, m.host_id, m.reported_state, "
        "m.reported_generation, m.config FROM machines m JOIN apps a ON a.id = m.app_id "
        "JOIN orgs o ON o.id = a.org_id WHERE m.state != 'destroyed' ORDER BY m.id");
    for (int i = 0; i < machines.rows(); ++i) {
      NetworkView::Machine m;
      m.network_id = network(machines, i, 0);
      m.id = machines.text_at(i, 1);
      m.app = machines.text_at(i, 2);
      m.region = machines.text_at(i, 3);
      m.process_group = machines.text_at(i, 4);
      m.metadata =
          nlohmann::json::parse(machines.text_at(i, 5)).get<std::map<std::string, std::string>>();
      m.address = ipv6_from_blob(machines.bytes_at(i, 6));
      // Only a machine whose host says it runs is answered (docs/host-protocol.md).
      MachineStatus status;
      status.desired = machine_state_from(machines.text_at(i, 7)).value_or(MachineState::Stopped);
      status.generation = static_cast<std::uint64_t>(machines.int_at(i, 8));
      status.host_id = static_cast<std::uint32_t>(machines.int_at(i, 9));
      status.reported = machines.optional_text(i, 10);
      status.reported_generation = static_cast<std::uint64_t>(machines.int_at(i, 11));
      m.started = derived_state(status) == "started";
      m.host_id = status.host_id;
      auto config = nlohmann::json::parse(machines.text_at(i, 12), nullptr, false);
      if (config.is_object() && config.contains("services")) {
        m.services = config.at("services").get<std::vector<api::MachineService>>();
      }
      v.machines.push_back(std::move(m));
    }

    auto peers = c.query(
        "SELECT o.network_id, p.name, p.region, l.address FROM peers p "
        "JOIN allocations l ON l.id = p.allocation_id JOIN orgs o ON o.id = p.org_id "
        "ORDER BY p.id");
    for (int i = 0; i < peers.rows(); ++i) {
      v.peers.push_back({network(peers, i, 0), peers.text_at(i, 1), peers.text_at(i, 2),
                         ipv6_from_blob(peers.bytes_at(i, 3))});
    }
    return v;
  });
  view.version = version;
  return view;
}

}  // namespace sixpn::server::store
