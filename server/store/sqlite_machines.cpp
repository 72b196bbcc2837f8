// SqliteStore: machines — placement on a host, their address, desired state and generation,
// and what their host reports about them (docs/host-protocol.md).
#include <nlohmann/json.hpp>

#include "server/store/sqlite_tx.hpp"

namespace sixpn::server::store {

using sqlite::Statement;

namespace {

MachineRecord machine_from_row(const Statement& q) {
  MachineRecord m;
  m.seq = q.int_at(0);
  m.id = q.text_at(1);
  m.name = q.text_at(2);
  m.app = q.text_at(3);
  m.org = q.text_at(4);
  m.network_id = static_cast<std::uint32_t>(q.int_at(5));
  m.region = q.text_at(6);
  m.desired = machine_state_from(q.text_at(7)).value_or(MachineState::Destroyed);
  m.process_group = q.text_at(8);
  m.metadata = nlohmann::json::parse(q.text_at(9)).get<std::map<std::string, std::string>>();
  m.private_ip = ipv6_from_blob(q.blob_at(10));
  m.host_id = static_cast<std::uint32_t>(q.int_at(11));
  m.host = q.text_at(12);
  m.config = nlohmann::json::parse(q.text_at(13)).get<api::MachineConfig>();
  m.generation = static_cast<std::uint64_t>(q.int_at(14));
  m.reported = optional_text(q, 15);
  m.reported_generation = static_cast<std::uint64_t>(q.int_at(16));
  if (!q.null_at(17)) m.exit_code = static_cast<int>(q.int_at(17));
  m.message = q.text_at(18);
  m.host_removed = q.int_at(19) != 0;
  m.created_at = q.text_at(20);
  m.updated_at = q.text_at(21);
  if (auto stop = optional_text(q, 22))
    m.stop_request = nlohmann::json::parse(*stop).get<api::MachineStop>();
  m.state = derived_state(MachineStatus{m.desired, m.generation, m.host_id, m.reported,
                                        m.reported_generation, m.host_removed});
  return m;
}

std::optional<MachineRecord> machine_by_id(sqlite::Connection& c, std::int64_t app_id,
                                           std::string_view id) {
  Statement q(c, std::string(kMachineSelect) + "WHERE m.app_id = ?1 AND m.machine_id = ?2");
  q.bind(1, app_id).bind(2, id);
  if (!q.step()) return std::nullopt;
  return machine_from_row(q);
}

std::string join_codes(Statement& q) {
  std::string out;
  while (q.step()) out += (out.empty() ? "" : ", ") + q.text_at(0);
  return out;
}

// The host a new machine of `region` goes to (see NewMachine); none while no host has ever
// registered. Inside the create's write transaction, so two creates racing see each other's
// machines when counting.
std::optional<std::uint32_t> place_machine(sqlite::Connection& c, const NewMachine& spec) {
  Statement ever(c, "SELECT 1 FROM host_id_counter");
  if (!ever.step()) return std::nullopt;
  const auto cutoff = host_live_cutoff();
  for (std::string_view region : {std::string_view(spec.region), std::string_view(kEmbeddedRegion)}) {
    Statement pick(c,
                   "SELECT h.id FROM hosts h WHERE h.region = ?1 AND h.last_seen_at >= ?2 "
                   "ORDER BY (SELECT count(*) FROM machines m WHERE m.host_id = h.id "
                   "AND m.state != 'destroyed'), h.id LIMIT 1");
    pick.bind(1, region).bind(2, cutoff);
    if (pick.step()) return static_cast<std::uint32_t>(pick.int_at(0));
  }
  Statement live(c,
                 "SELECT DISTINCT region FROM hosts WHERE last_seen_at >= ?1 AND region != ?2 "
                 "ORDER BY region");
  live.bind(1, cutoff).bind(2, std::string_view(kEmbeddedRegion));
  auto regions = join_codes(live);
  throw StoreError(
      StoreError::Kind::Invalid,
      regions.empty()
          ? "no host is live to run a machine in " + spec.region +
                "; add one with `sixpnd hosts create --region " + spec.region +
                "` and start `sixpnd host` with its join token"
          : "no live host in region " + spec.region + "; regions with a live host: " + regions,
      "no_host_in_region");
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
    const auto placed = place_machine(c, spec);
    // host_id 0 marks a machine placed by region alone, whose address carries the region's id.
    const std::int64_t host_id = placed.value_or(0);
    const std::uint32_t host = placed.value_or(spec.machine_host);
    auto network = app.org.network_id;
    auto alloc = allocate(c, app.org, host, "machine", [&](std::uint64_t slot) {
      return core::machine_address(network, host, slot);
    });
    auto now = now_rfc3339();
    Statement(c,
              "INSERT INTO machines (machine_id, app_id, name, region, state, process_group, "
              "metadata, allocation_id, private_ip, created_at, updated_at, host_id, config) "
              "VALUES (?1, ?2, ?3, ?4, 'started', ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11)")
        .bind(1, id)
        .bind(2, app.id)
        .bind(3, name)
        .bind(4, spec.region)
        .bind(5, spec.process_group)
        .bind(6, nlohmann::json(spec.metadata).dump())
        .bind(7, alloc.id)
        .bind_blob(8, alloc.address.bytes.data(), alloc.address.bytes.size())
        .bind(9, now)
        .bind(10, host_id)
        .bind(11, nlohmann::json(spec.config).dump())
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
                       "WHERE m.app_id = ?1 AND m.id > ?2 AND (?3 OR m.state != 'destroyed' "
                       "OR m.host_removed) ORDER BY m.id LIMIT ?4");
    q.bind(1, app.id)
        .bind(2, page.after)
        .bind(3, std::int64_t{include_destroyed})
        .bind(4, page.limit + 1);
    return collect_page<MachineRecord>(q, page.limit, machine_from_row);
  });
}

MachineRecord SqliteStore::set_machine_state(const AppRecord& app, std::string_view id,
                                             MachineState state, const api::MachineStop& stop) {
  return write([&](Connection& c) {
    auto m = machine_by_id(c, app.id, id);
    auto now = now_rfc3339();
    if (m && m->host_removed && state == MachineState::Destroyed) {
      // Its host and address are gone already: destroying it only takes it off the list.
      Statement(c,
                "UPDATE machines SET host_removed = 0, reported_state = 'destroyed', "
                "reported_generation = generation, updated_at = ?2 WHERE id = ?1")
          .bind(1, m->seq)
          .bind(2, now)
          .run();
      return *machine_by_id(c, app.id, id);
    }
    if (!m || (m->desired == MachineState::Destroyed && state == MachineState::Destroyed)) {
      throw StoreError(StoreError::Kind::NotFound,
                       "app " + app.name + " has no machine " + std::string(id));
    }
    if (m->desired == MachineState::Destroyed) {
      throw StoreError(StoreError::Kind::Conflict,
                       "machine " + m->id +
                           (m->host_removed ? " lost its host" : " is destroyed") +
                           "; it cannot be " +
                           (state == MachineState::Started ? "started" : "stopped"));
    }
    if (m->desired == state) return *m;  // starting a started machine is not an error
    if (state == MachineState::Destroyed) {
      Statement a(c, "SELECT allocation_id FROM machines WHERE id = ?1");
      a.bind(1, m->seq);
      a.step();
      auto allocation = a.int_at(0);
      Statement(c,
                "UPDATE machines SET state = 'destroyed', allocation_id = NULL, "
                "stop_request = NULL, generation = generation + 1, updated_at = ?2 WHERE id = ?1")
          .bind(1, m->seq)
          .bind(2, now)
          .run();
      release(c, allocation);
    } else {
      Statement update(c,
                       "UPDATE machines SET state = ?2, stop_request = ?4, "
                       "generation = generation + 1, updated_at = ?3 WHERE id = ?1");
      update.bind(1, m->seq).bind(2, to_string(state)).bind(3, now);
      if (state == MachineState::Stopped && !stop.empty()) {
        update.bind(4, nlohmann::json(stop).dump());
      } else {
        update.bind_null(4);
      }
      update.run();
    }
    return *machine_by_id(c, app.id, id);
  });
}

std::vector<MachineRecord> SqliteStore::host_machines(std::uint32_t host_id) {
  return read([&](Connection& c) {
    Statement q(c, std::string(kMachineSelect) +
                       "WHERE m.host_id = ?1 AND m.host_removed = 0 AND NOT (m.state = "
                       "'destroyed' AND coalesce(m.reported_state, '') = 'destroyed') "
                       "ORDER BY m.id");
    q.bind(1, static_cast<std::int64_t>(host_id));
    std::vector<MachineRecord> out;
    while (q.step()) out.push_back(machine_from_row(q));
    return out;
  });
}

void SqliteStore::apply_reports(std::uint32_t host_id,
                                const std::vector<api::MachineReport>& reports) {
  write([&](Connection& c) {
    const auto now = now_rfc3339();
    for (const auto& r : reports) {
      Statement q(c,
                  "SELECT id, state, generation FROM machines WHERE machine_id = ?1 AND "
                  "host_id = ?2 AND host_removed = 0");
      q.bind(1, r.id).bind(2, static_cast<std::int64_t>(host_id));
      if (!q.step()) continue;  // not this host's machine
      const auto seq = q.int_at(0);
      const auto desired = q.text_at(1);
      // The user asked for something newer since: this report is about the past.
      if (static_cast<std::int64_t>(r.generation) < q.int_at(2)) continue;
      Statement update(c,
                       "UPDATE machines SET reported_state = ?2, reported_generation = ?3, "
                       "exit_code = ?4, message = ?5, updated_at = ?6 WHERE id = ?1");
      update.bind(1, seq)
          .bind(2, r.state)
          .bind(3, static_cast<std::int64_t>(r.generation))
          .bind(5, r.message)
          .bind(6, now);
      if (r.exit_code) {
        update.bind(4, std::int64_t{*r.exit_code});
      } else {
        update.bind_null(4);
      }
      update.run();
      // It ended on its own and its policy does not restart it: what is wanted now is stopped.
      if (r.state == "stopped" && desired == "started") {
        Statement(c, "UPDATE machines SET state = 'stopped' WHERE id = ?1").bind(1, seq).run();
      }
    }
    return true;
  });
}

}  // namespace sixpn::server::store
