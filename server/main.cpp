// sixpnd: the control plane (REST API, store, allocator, DNS, WireGuard gateway).
#include <iostream>
#include <string>

#include <CLI/CLI.hpp>

#include "sixpn/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"sixpnd: the sixpn control plane"};
  app.name("sixpnd");
  app.set_version_flag("--version", std::string("sixpnd ") + sixpn::kVersion);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
