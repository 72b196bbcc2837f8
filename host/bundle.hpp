#pragma once
// The OCI bundle a machine runs from (runc, Debian): config.json plus the files the machine sees
// as its own /etc/hosts, /etc/resolv.conf and /etc/hostname. Pure: the host's runner writes the
// files and calls runc; tests check the plan without either.
//
// What the bundle gives the process, as a Fly Machine has it:
// - PID, mount, UTS and IPC namespaces of its own, and the machine's pre-made network namespace;
// - the default capability set of container runtimes, `noNewPrivileges`, a read-only root;
// - memory and CPU limits from config.guest when given;
// - hostname = machine id; `fly-local-6pn` and the id in /etc/hosts; `nameserver fdaa::3`;
// - FLY_APP_NAME, FLY_MACHINE_ID, FLY_ALLOC_ID, FLY_REGION, FLY_PRIVATE_IP, FLY_PROCESS_GROUP
//   beside config.env (the platform's names win over config.env's).
#include <string>
#include <vector>

#include "host/machine_spec.hpp"

namespace sixpn::host {

struct BundleLayout {
  std::string bundle_dir;  // absolute; holds config.json, rootfs/ and etc/
  std::string netns_path;  // the machine's network namespace, e.g. /var/run/netns/NAME
  // For the host image: those of /usr, /bin, /lib, /lib64, /sbin, /etc that exist on this host,
  // bound read-only into rootfs/ (the runner looks; the plan does not touch the disk).
  std::vector<std::string> host_dirs;
};

struct BundleFiles {
  std::string config_json;
  std::string hosts;        // written to etc/hosts in the bundle, bound over /etc/hosts
  std::string resolv_conf;  // etc/resolv.conf
  std::string hostname;     // etc/hostname
  // Directories to create under rootfs/ before runc starts (the host image's mount points).
  std::vector<std::string> rootfs_dirs;
};

// The directories the host image binds when they exist on the host.
const std::vector<std::string>& host_image_dirs();

// "" when the spec can be run, else one sentence naming what is wrong with it.
std::string spec_problem(const MachineSpec& spec);
// The same, except that the command may still be empty (an image's default fills it in later).
std::string spec_problem_besides_command(const MachineSpec& spec);

// The process environment, "NAME=value" sorted by name. Precondition: spec_problem(spec) == "".
std::vector<std::string> machine_environment(const MachineSpec& spec);

// Precondition: spec_problem(spec) == "".
BundleFiles plan_bundle(const MachineSpec& spec, const BundleLayout& layout);

}  // namespace sixpn::host
