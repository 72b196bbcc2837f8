#pragma once
// What a host needs to know to run one machine: the parts of the control plane's machine record
// and config that shape its namespace, bundle and process. Plain values; the planners in
// bundle.hpp and machine_net.hpp turn them into files and commands.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/address.hpp"

namespace sixpn::host {

struct Guest {
  std::optional<double> cpus;             // CFS quota in CPUs; none: no limit
  std::optional<std::int64_t> memory_mb;  // none: no limit
};

struct MachineSpec {
  std::string id;  // 14 lower-case hex characters; also the hostname
  std::string app;
  std::string region;
  std::string process_group = "app";
  core::Ipv6 private_ip;                   // the machine's address, ending in :2 in its /112
  std::vector<std::string> cmd;            // config.init.cmd; argv[0] is looked up in PATH
  std::map<std::string, std::string> env;  // config.env
  // `image`: empty for the host's own /usr, /bin, /lib, /etc, read-only (the default), else the
  // absolute path of an unpacked root filesystem on the host, also mounted read-only.
  // For an OCI image layout, config.image as given ("path[:tag]") until the host's ImageCache
  // replaces it with the unpacked root (image_cache.hpp).
  std::string rootfs;
  std::string cwd;  // the process's working directory; "": "/" (an OCI image's WORKDIR)
  Guest guest;
};

}  // namespace sixpn::host
