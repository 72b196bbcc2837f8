#pragma once
// Shared by the operator's subcommand files (admin*.cpp).
#include <ostream>
#include <string>
#include <vector>

#include "server/store/store.hpp"

namespace sixpn::server {

// "Error: <message>" on stderr; returns `code`.
int admin_error(int code, const std::string& message);
// Left-aligned columns two spaces apart, like sixpn's tables.
void print_table(std::ostream& out, const std::vector<std::string>& header,
                 const std::vector<std::vector<std::string>>& rows);
int exit_code_of(const store::StoreError& e);

}  // namespace sixpn::server
