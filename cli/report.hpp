#pragma once
// The one place where anything that went wrong becomes the "Error: …" line, an optional
// "hint: …" line, and the documented exit code.
#include <exception>

#include "cli/output.hpp"

namespace sixpn::cli {

// Exit code for an HTTP error status: 401/403 → 3, 404 → 4, 409 → 5, 400/422 → 2, else 1.
int exit_code_for_status(long status);

// Prints the error for `error` on out's stderr and returns the exit code.
int report_error(Output& out, std::exception_ptr error);

}  // namespace sixpn::cli
