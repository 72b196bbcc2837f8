// Handlers: apps, their machines and their logs.
#include "server/http/handlers.hpp"
#include "server/http/long_poll.hpp"

namespace sixpn::server::http {

namespace {
const RegionEntry& machine_region(const Services& s, const std::string& code) {
  const auto* region = s.regions.find(code);
  if (region == nullptr) {
    throw HttpException(unprocessable("unknown_region", "region " + printable(code, 40) +
                                                            " does not exist; see GET "
                                                            "/v1/platform/regions"));
  }
  if (region->region.deprecated) {
    throw HttpException(unprocessable("deprecated_region",
                                      "region " + code + " is deprecated; pick another region"));
  }
  return *region;
}

Reply machine_reply(const store::MachineRecord& m) {
  return Reply{200, to_api(m)};
}
}  // namespace

Reply list_apps(const Services& s, const Call& call) {
  auto page = page_of(call);
  std::vector<std::int64_t> orgs;
  if (auto slug = call.query_value("org_slug"); slug && !slug->empty()) {
    orgs.push_back(visible_org(call, *slug).id);
  } else {
    for (const auto& org : call.principal->orgs) orgs.push_back(org.id);
  }
  auto result = s.store.list_apps(orgs, page);
  return Reply{200, page_json(result, [](const auto& a) { return to_api(a); })};
}

Reply create_app(const Services& s, const Call& call) {
  auto req = decoded(decode_app_create(call.body));
  const auto& org = visible_org(call, req.org_slug);
  return Reply{201, to_api(s.store.create_app(org, req.app_name))};
}

Reply show_app(const Services& s, const Call& call) {
  return Reply{200, to_api(visible_app(s, call, call.params.at(0)))};
}

Reply list_machines(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto page = page_of(call);
  bool destroyed = decoded(decode_flag("include_deleted", call.query_value("include_deleted")));
  auto result = s.store.list_machines(app, page, destroyed);
  return Reply{200, page_json(result, [](const auto& m) { return to_api(m); })};
}

Reply create_machine(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto req = decoded(decode_machine_create(call.body));
  const auto& region = machine_region(s, req.region);
  store::NewMachine spec;
  spec.name = req.name.value_or("");
  spec.region = region.region.code;
  spec.machine_host = region.machine_host;
  spec.process_group = req.process_group.value_or("app");
  spec.metadata = req.metadata;
  spec.config = req.config;
  return Reply{201, to_api(s.store.create_machine(app, spec))};
}

Reply show_machine(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto m = s.store.find_machine(app, call.params.at(1));
  if (!m) {
    throw HttpException(
        not_found("app " + app.name + " has no machine " + printable(call.params.at(1), 40)));
  }
  return machine_reply(*m);
}

Reply start_machine(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  return machine_reply(
      s.store.set_machine_state(app, call.params.at(1), store::MachineState::Started));
}

Reply stop_machine(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto stop = decoded(decode_machine_stop(call.body));
  return machine_reply(
      s.store.set_machine_state(app, call.params.at(1), store::MachineState::Stopped, stop));
}

Reply destroy_machine(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  return machine_reply(
      s.store.set_machine_state(app, call.params.at(1), store::MachineState::Destroyed));
}

Reply wait_machine(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  const auto& id = call.params.at(1);
  const std::string want(call.query_value("state").value_or(""));
  if (want != "started" && want != "stopped" && want != "destroyed") {
    throw HttpException(
        bad_request("invalid_parameter", "state must be started, stopped or destroyed"));
  }
  const auto timeout = decoded(decode_seconds("timeout", call.query_value("timeout"), 1, 60, 30));
  std::optional<store::MachineRecord> m;
  const bool reached = wait_until(s.changes, std::chrono::seconds(timeout), [&] {
    m = s.store.find_machine(app, id);
    return !m || m->state == want || (want == "started" && m->state == "failed");
  });
  if (!m) throw HttpException(not_found("app " + app.name + " has no machine " + printable(id, 40)));
  if (m->state == "failed" && want == "started") {
    throw HttpException(HttpError{409, "machine_failed",
                                  "machine " + m->id + " failed" +
                                      (m->message.empty() ? "" : ": " + m->message)});
  }
  if (!reached) {
    throw HttpException(HttpError{408, "timeout", "machine " + m->id + " is " + m->state +
                                                      ", not " + want + ", after " +
                                                      std::to_string(timeout) + " s"});
  }
  return Reply{200, api::MachineWait{true, m->state}};
}

Reply app_logs(const Services& s, const Call& call) {
  auto app = visible_app(s, call, call.params.at(0));
  auto page = page_of(call);
  const std::string machine(call.query_value("machine_id").value_or(""));
  if (!machine.empty() && !s.store.find_machine(app, machine)) {
    throw HttpException(
        not_found("app " + app.name + " has no machine " + printable(machine, 40)));
  }
  const auto wait = decoded(decode_seconds("wait", call.query_value("wait"), 0, 60, 0));
  store::PageResult<store::LogRecord> result;
  wait_until(s.log_lines, std::chrono::seconds(wait), [&] {
    result = s.store.app_logs(app, machine, page);
    return !result.items.empty();
  });
  api::Json items = api::Json::array();
  for (const auto& r : result.items) items.push_back(r.line);
  // Always a cursor, so `sixpn logs -f` continues from where this page ended.
  auto last = result.items.empty() ? page.after : result.items.back().seq;
  return Reply{200, api::Json{{"items", std::move(items)}, {"next_cursor", encode_cursor(last)}}};
}

}  // namespace sixpn::server::http
