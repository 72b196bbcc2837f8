#pragma once
// How machines are shown in tables and in `machine status`: plain strings, so tests compare
// them exactly.
#include <string>
#include <vector>

#include "api/types.hpp"

namespace sixpn::commands {

// `machine list|create|run|start|stop`: one row per machine.
extern const std::vector<std::string> kMachineHeaders;
std::vector<std::string> machine_row(const api::Machine& m);

// `sixpn status`'s Machines table, flyctl's order: process group first.
extern const std::vector<std::string> kStatusMachineHeaders;
std::vector<std::string> status_machine_row(const api::Machine& m);

// `machine status ID`: "Machine" and "Config" blocks of "  Key = value" lines.
std::string machine_detail(const api::Machine& m);

// The command as a shell would take it back: words with spaces or quotes are single-quoted.
std::string shell_words(const std::vector<std::string>& words);

}  // namespace sixpn::commands
