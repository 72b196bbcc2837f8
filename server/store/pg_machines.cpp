// PgStore: machines — placement on a host, their address, desired state and generation, and
// what their host reports about them (docs/host-protocol.md).
#include <nlohmann/json.hpp>

#include "server/store/pg_tx.hpp"

namespace sixpn::server::store {

using pg::Params;

namespace {

MachineRecord machine_from_row(const pg::Result& q, int i) {
  MachineRecord m;
  m.seq = q.int_at(i, 0);
  m.id = q.text_at(i, 1);
  m.name = q.text_at(i, 2);
  m.app = q.text_at(i, 3);
  m.org = q.text_at(i, 4);
  m.network_id = static_cast<std::uint32_t>(q.int_at(i, 5));
  m.region = q.text_at(i, 6);
  m.desired = machine_state_from(q.text_at(i, 7)).value_or(MachineState::Destroyed);
  m.process_group = q.text_at(i, 8);
  m.metadata = nlohmann::json::parse(q.text_at(i, 9)).get<std::map<std::string, std::string>>();
  m.private_ip = ipv6_from_blob(q.bytes_at(i, 10));
  m.host_id = static_cast<std::uint32_t>(q.int_at(i, 11));
  m.host = q.text_at(i, 12);
  m.config = nlohmann::json::parse(q.text_at(i, 13)).get<api::MachineConfig>();
  m.generation = static_cast<std::uint64_t>(q.int_at(i, 14));
  m.reported = q.optional_text(i, 15);
  m.reported_generation = static_cast<std::uint64_t>(q.int_at(i, 16));
  if (!q.null_at(i, 17)) m.exit_code = static_cast<int>(q.int_at(i, 17));
  m.message = q.text_at(i, 18);
  m.host_removed = q.int_at(i, 19) != 0;
  m.created_at = q.text_at(i, 20);
  m.updated_at = q.text_at(i, 21);
  if (auto stop = q.optional_text(i, 22))
    m.stop_request = nlohmann::json::parse(*stop).get<api::MachineStop>();
  m.state = derived_state(MachineStatus{m.desired, m.generation, m.host_id, m.reported,
                                        m.reported_generation, m.host_removed});
  return m;
}

std::optional<MachineRecord> machine_by_id(pg::Connection& c, std::int64_t app_id,
                                           std::string_view id) {
  auto q = c.query(std::string(kMachineSelect) + "WHERE m.app_id = $1 AND m.machine_id = $2",
                   Params().add(app_id).add(id));
  if (q.empty()) return std::nullopt;
  return machine_from_row(q, 0);
}

// The host a new machine of `region` goes to (see NewMachine); none while no host has ever
// registered.
std::optional<std::uint32_t> place_machine(pg::Connection& c, const NewMachine& spec) {
  if (c.query("SELECT 1 FROM host_id_counter").empty()) return std::nullopt;
  const auto cutoff = host_live_cutoff();
  for (std::string_view region :
       {std::string_view(spec.region), std::string_view(kEmbeddedRegion)}) {
    auto pick = c.query(
        "SELECT h.id FROM hosts h WHERE h.region = $1 AND h.last_seen_at >= $2 "
        "ORDER BY (SELECT count(*) FROM machines m WHERE m.host_id = h.id "
        "AND m.state != 'destroyed'), h.id LIMIT 1",
        Params().add(region).add(cutoff));
    if (!pick.empty()) return static_cast<std::uint32_t>(pick.int_at(0, 0));
  }
  auto live = c.query(
      "SELECT coalesce(string_agg(region, ', ' ORDER BY region), '') FROM (SELECT DISTINCT "
      "region FROM hosts WHERE last_seen_at >= $1 AND region != $2) r",
      Params().add(cutoff).add(std::string_view(kEmbeddedRegion)));
  auto regions = live.text_at(0, 0);
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

MachineRecord PgStore::create_machine(const AppRecord& app, const NewMachine& spec) {
  return write(
      [&](Connection& c) {
        // 7 random bytes: a collision is astronomically unlikely, but the UNIQUE column decides.
        std::string id;
        do {
          id = random_hex(7);
        } while (
            !c.query("SELECT 1 FROM machines WHERE machine_id = $1", Params().add(id)).empty());
        std::string name = spec.name.empty() ? id : spec.name;
        auto dup = c.query(
            "SELECT 1 FROM machines WHERE app_id = $1 AND name = $2 AND state != 'destroyed'",
            Params().add(app.id).add(name));
        if (!dup.empty()) {
          throw StoreError(StoreError::Kind::Conflict,
                           "app " + app.name + " already has a machine named " + name);
        }
        const auto placed = place_machine(c, spec);
        // host_id 0 marks a machine placed by region alone.
        const std::int64_t host_id = placed.value_or(0);
        const std::uint32_t host = placed.value_or(spec.machine_host);
        auto network = app.org.network_id;
        auto alloc = allocate(c, app.org, host, "machine", [&](std::uint64_t slot) {
          return core::machine_address(network, host, slot);
        });
        auto now = now_rfc3339();
        c.query(
            "INSERT INTO machines (machine_id, app_id, name, region, state, process_group, "
            "metadata, allocation_id, private_ip, created_at, updated_at, host_id, config) "
            "VALUES ($1, $2, $3, $4, 'started', $5, $6, $7, $8, $9, $9, $10, $11)",
            Params()
                .add(id)
                .add(app.id)
                .add(name)
                .add(spec.region)
                .add(spec.process_group)
                .add(nlohmann::json(spec.metadata).dump())
                .add(alloc.id)
                .add_bytes(alloc.address.bytes.data(), alloc.address.bytes.size())
                .add(now)
                .add(host_id)
                .add(nlohmann::json(spec.config).dump()));
        return *machine_by_id(c, app.id, id);
      },
      true, Isolation::ReadCommitted);
}

std::optional<MachineRecord> PgStore::find_machine(const AppRecord& app, std::string_view id) {
  return read([&](Connection& c) { return machine_by_id(c, app.id, id); });
}

PageResult<MachineRecord> PgStore::list_machines(const AppRecord& app, PageRequest page,
                                                 bool include_destroyed) {
  return read([&](Connection& c) {
    auto q = c.query(std::string(kMachineSelect) +
                         "WHERE m.app_id = $1 AND m.id > $2 AND ($3::boolean OR m.state != "
                         "'destroyed' OR m.host_removed != 0) ORDER BY m.id LIMIT $4",
                     Params()
                         .add(app.id)
                         .add(page.after)
                         .add(std::string_view(include_destroyed ? "true" : "false"))
                         .add(page.limit + 1));
    return pg_page<MachineRecord>(q, page.limit, machine_from_row);
  });
}

MachineRecord PgStore::set_machine_state(const AppRecord& app, std::string_view id,
                                         MachineState state, const api::MachineStop& stop) {
  return write([&](Connection& c) {
    auto m = machine_by_id(c, app.id, id);
    auto now = now_rfc3339();
    if (m && m->host_removed && state == MachineState::Destroyed) {
      // Its host and address are gone already: destroying it only takes it off the list.
      c.query(
          "UPDATE machines SET host_removed = 0, reported_state = 'destroyed', "
          "reported_generation = generation, updated_at = $2 WHERE id = $1",
          Params().add(m->seq).add(now));
      return *machine_by_id(c, app.id, id);
    }
    if (!m || (m->desired == MachineState::Destroyed && state == MachineState::Destroyed)) {
      throw StoreError(StoreError::Kind::NotFound,
                       "app " + app.name + " has no machine " + std::string(id));
    }
    if (m->desired == MachineState::Destroyed) {
      throw StoreError(StoreError::Kind::Conflict,
                       "machine " + m->id + (m->host_removed ? " lost its host" : " is destroyed") +
                           "; it cannot be " +
                           (state == MachineState::Started ? "started" : "stopped"));
    }
    if (m->desired == state) return *m;  // starting a started machine is not an error
    if (state == MachineState::Destroyed) {
      auto a = c.query("SELECT allocation_id FROM machines WHERE id = $1", Params().add(m->seq));
      auto allocation = a.int_at(0, 0);
      c.query(
          "UPDATE machines SET state = 'destroyed', allocation_id = NULL, "
          "stop_request = NULL, generation = generation + 1, updated_at = $2 WHERE id = $1",
          Params().add(m->seq).add(now));
      release(c, allocation);
    } else {
      Params params;
      params.add(m->seq).add(to_string(state)).add(now);
      if (state == MachineState::Stopped && !stop.empty()) {
        params.add(nlohmann::json(stop).dump());
      } else {
        params.add_null();
      }
      c.query(
          "UPDATE machines SET state = $2, stop_request = $4, "
          "generation = generation + 1, updated_at = $3 WHERE id = $1",
          params);
    }
    return *machine_by_id(c, app.id, id);
  });
}

std::vector<MachineRecord> PgStore::host_machines(std::uint32_t host_id) {
  return read([&](Connection& c) {
    auto q = c.query(std::string(kMachineSelect) +
                         "WHERE m.host_id = $1 AND m.host_removed = 0 AND NOT (m.state = "
                         "'destroyed' AND coalesce(m.reported_state, '') = 'destroyed') "
                         "ORDER BY m.id",
                     Params().add(static_cast<std::int64_t>(host_id)));
    std::vector<MachineRecord> out;
    for (int i = 0; i < q.rows(); ++i) out.push_back(machine_from_row(q, i));
    return out;
  });
}

void PgStore::apply_reports(std::uint32_t host_id, const std::vector<api::MachineReport>& reports) {
  write(
      [&](Connection& c) {
        const auto now = now_rfc3339();
        for (const auto& r : reports) {
          // FOR UPDATE: a user's start or stop of this machine waits for this report, or this
          // report for it, so the generation compared below is the one the update overwrites.
          auto q = c.query(
              "SELECT id, state, generation FROM machines WHERE machine_id = $1 AND host_id = $2 "
              "AND host_removed = 0 FOR UPDATE",
              Params().add(r.id).add(static_cast<std::int64_t>(host_id)));
          if (q.empty()) continue;  // not this host's machine
          const auto seq = q.int_at(0, 0);
          const auto desired = q.text_at(0, 1);
          // The user asked for something newer since: this report is about the past.
          if (static_cast<std::int64_t>(r.generation) < q.int_at(0, 2)) continue;
          Params params;
          params.add(seq).add(r.state).add(static_cast<std::int64_t>(r.generation));
          if (r.exit_code) {
            params.add(std::int64_t{*r.exit_code});
          } else {
            params.add_null();
          }
          params.add(r.message).add(now);
          c.query(
              "UPDATE machines SET reported_state = $2, reported_generation = $3, "
              "exit_code = $4, message = $5, updated_at = $6 WHERE id = $1",
              params);
          // It ended on its own and its policy does not restart it: what is wanted now is stopped.
          if (r.state == "stopped" && desired == "started") {
            c.query("UPDATE machines SET state = 'stopped' WHERE id = $1", Params().add(seq));
          }
        }
        return true;
      },
      true, Isolation::ReadCommitted);
}

}  // namespace sixpn::server::store
