// SqliteStore: the read models of the DNS server and the WireGuard gateway (every org network
// with what is on it, and every peer).
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

NetworkView SqliteStore::network_view() {
  auto version = changes_.version();  // first: see NetworkView::version
  NetworkView view = read([](Connection& c) {
    NetworkView v;
    auto network = [](Statement& q, int column) {
      return static_cast<std::uint32_t>(q.int_at(column));
    };
    Statement orgs(c, "SELECT network_id, slug FROM orgs ORDER BY id");
    while (orgs.step()) v.orgs.push_back({network(orgs, 0), orgs.text_at(1)});

    Statement apps(c,
                   "SELECT o.network_id, a.name FROM apps a JOIN orgs o ON o.id = a.org_id "
                   "ORDER BY a.id");
    while (apps.step()) v.apps.push_back({network(apps, 0), apps.text_at(1)});

    Statement flycast(c,
                      "SELECT o.network_id, a.name, l.address FROM ip_assignments i "
                      "JOIN allocations l ON l.id = i.allocation_id JOIN orgs o ON o.id = "
                      "l.org_id JOIN apps a ON a.id = i.app_id ORDER BY i.id");
    while (flycast.step()) {
      v.flycast.push_back(
          {network(flycast, 0), flycast.text_at(1), ipv6_from_blob(flycast.blob_at(2))});
    }

    Statement machines(c,
                       "SELECT o.network_id, m.machine_id, a.name, m.region, m.process_group, "
                       "m.metadata, m.private_ip, m.state, m.generation, m.host_id, "
                       "m.reported_state, m.reported_generation, m.config FROM machines m JOIN apps a ON "
                       "a.id = m.app_id JOIN orgs o ON o.id = a.org_id WHERE m.state != "
                       "'destroyed' ORDER BY m.id");
    while (machines.step()) {
      NetworkView::Machine m;
      m.network_id = network(machines, 0);
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
      m.host_id = status.host_id;
      // Only the services: the rest of the config is no concern of DNS, gateway or proxies.
      auto config = nlohmann::json::parse(machines.text_at(12), nullptr, false);
      if (config.is_object() && config.contains("services")) {
        m.services = config.at("services").get<std::vector<api::MachineService>>();
      }
      v.machines.push_back(std::move(m));
    }

    Statement peers(c,
                    "SELECT o.network_id, p.name, p.region, l.address FROM peers p "
                    "JOIN allocations l ON l.id = p.allocation_id JOIN orgs o ON o.id = p.org_id "
                    "ORDER BY p.id");
    while (peers.step()) {
      v.peers.push_back({network(peers, 0), peers.text_at(1), peers.text_at(2),
                         ipv6_from_blob(peers.blob_at(3))});
    }
    return v;
  });
  view.version = version;
  return view;
}

}  // namespace sixpn::server::store
