#pragma once
// SQL both stores' dialects share, word for word: the selects whose rows the row readers of
// both turn into records.

namespace sixpn::server::store {

// id, slug, name, network_id, created_at of an org aliased o.
inline constexpr const char* kOrgColumns = "o.id, o.slug, o.name, o.network_id, o.created_at";

// started_machines counts machines whose derived state is started (machine_state.hpp): a
// machine only asked to start, or failing, does not make its app deployed.
inline constexpr const char* kAppSelect =
    "SELECT a.id, a.name, a.created_at, "
    "(SELECT count(*) FROM machines m WHERE m.app_id = a.id AND m.state != 'destroyed'), "
    "(SELECT count(*) FROM machines m WHERE m.app_id = a.id AND m.state = 'started' "
    "AND m.host_removed = 0 AND (m.host_id = 0 OR m.reported_state = 'started')), "
    "o.id, o.slug, o.name, o.network_id, o.created_at "
    "FROM apps a JOIN orgs o ON o.id = a.org_id ";

inline constexpr const char* kMachineSelect =
    "SELECT m.id, m.machine_id, m.name, a.name, o.slug, o.network_id, m.region, m.state, "
    "m.process_group, m.metadata, m.private_ip, m.host_id, coalesce(h.name, ''), m.config, "
    "m.generation, m.reported_state, m.reported_generation, m.exit_code, m.message, "
    "m.host_removed, m.created_at, m.updated_at, m.stop_request FROM machines m JOIN apps a ON "
    "a.id = m.app_id "
    "JOIN orgs o ON o.id = a.org_id LEFT JOIN hosts h ON h.id = m.host_id ";

}  // namespace sixpn::server::store
