#pragma once
// `sixpn wireguard …`: the options of each subcommand and the functions that run them.
#include <string>

#include "cli/context.hpp"

namespace sixpn::commands {

struct WgCreateOptions {
  std::string org;     // positional; "" → resolve_org
  std::string region;  // positional; "" → SIXPN_WG_REGION → the API's nearest gateway region
  std::string name;    // positional; "" → interactive-<host>-<random>
  std::string file;    // positional; "stdout" or NAME.conf; "" → prompt on a terminal
  bool force = false;  // replace an existing file (atomically)
};

struct WgListOptions {
  std::string org;
};

struct WgRemoveOptions {
  std::string org;
  std::string name;
  bool yes = false;
};

void run_wireguard_create(cli::Context& ctx, const WgCreateOptions& opts);
void run_wireguard_list(cli::Context& ctx, const WgListOptions& opts);
void run_wireguard_remove(cli::Context& ctx, const WgRemoveOptions& opts);

}  // namespace sixpn::commands
