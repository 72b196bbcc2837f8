#pragma once
// Waiting for a machine to reach a state, as `machine run|start|stop|destroy` do unless
// --detach: the API's wait endpoint holds each request up to 60 s, so a longer wait is several.
#include <string>

#include "api/client.hpp"

namespace sixpn::commands {

// Returns the machine once it is in `state` ("started", "stopped" or "destroyed"; for
// "destroyed" the machine as last seen, since the API may no longer list it). Throws
// cli::Failure "machine ID failed: <message>" when it fails while a start is awaited, and
// cli::Failure naming the state it is in when `timeout_seconds` pass first.
api::Machine await_machine_state(api::Client& client, const std::string& app,
                                 const api::Machine& machine, const std::string& state,
                                 int timeout_seconds);

}  // namespace sixpn::commands
