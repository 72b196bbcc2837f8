#pragma once
// Naming rules: what wg-quick accepts as an interface name (the config file's stem) and what
// a peer may be called so that it resolves as <name>._peer.internal.
#include <optional>
#include <string>
#include <string_view>

namespace sixpn::core {

inline constexpr std::size_t kMaxInterfaceName = 15;  // IFNAMSIZ - 1 on Linux
inline constexpr std::size_t kMaxDnsLabel = 63;

// Each returns "" when the name is fine, else one sentence naming the rule that was broken.
std::string interface_name_problem(std::string_view name);
std::string peer_name_problem(std::string_view name);
// The same DNS-label rule, for app names and other resources that appear under .internal.
std::string dns_label_problem(std::string_view what, std::string_view name);

// A name that passes the interface rule, derived from `name` (for "did you mean" hints).
std::string suggest_interface_name(std::string_view name);

// The stem of "dir/stem.conf", or nullopt when the path does not end in ".conf".
std::optional<std::string> config_file_stem(std::string_view path);

}  // namespace sixpn::core
