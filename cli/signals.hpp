#pragma once
// Ctrl-C: the first SIGINT only raises a flag that requests, retry waits and prompts poll, so
// the command stops cleanly with exit code 130; a second one ends the process at once.
namespace sixpn::cli {

void install_interrupt_handler();
bool interrupted();
// Throws cli::Interrupted when SIGINT has arrived.
void throw_if_interrupted();

}  // namespace sixpn::cli
