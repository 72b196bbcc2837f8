#include "server/open_files.hpp"

#include <sys/resource.h>

namespace sixpn::server {

std::uint64_t raise_open_file_limit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
  if (limit.rlim_cur != limit.rlim_max) {
    rlimit raised = limit;
    raised.rlim_cur = limit.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) limit = raised;
  }
  return limit.rlim_cur == RLIM_INFINITY ? UINT64_MAX : static_cast<std::uint64_t>(limit.rlim_cur);
}

std::string open_file_limit_warning(std::uint64_t limit, std::size_t max_connections) {
  if (limit >= kOwnDescriptors + max_connections) return "";
  auto connections = limit > kOwnDescriptors ? limit - kOwnDescriptors : 0;
  return "the open-file limit (ulimit -n) is " + std::to_string(limit) + ", room for about " +
         std::to_string(connections) + " connections of --max-connections " +
         std::to_string(max_connections) + "; connections beyond it wait (raise the hard limit, " +
         "e.g. LimitNOFILE= in the systemd unit)";
}

}  // namespace sixpn::server
