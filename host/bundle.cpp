#include "host/bundle.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace sixpn::host {

namespace {
using nlohmann::json;

// The capability set container runtimes grant by default (moby, containerd, Podman agree).
const std::vector<std::string> kDefaultCapabilities = {
    "CAP_AUDIT_WRITE", "CAP_CHOWN",   "CAP_DAC_OVERRIDE",     "CAP_FOWNER",    "CAP_FSETID",
    "CAP_KILL",        "CAP_MKNOD",   "CAP_NET_BIND_SERVICE", "CAP_NET_RAW",   "CAP_SETFCAP",
    "CAP_SETGID",      "CAP_SETPCAP", "CAP_SETUID",           "CAP_SYS_CHROOT"};

const char* const kPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr long kCpuPeriodMicros = 100000;

bool is_machine_id(const std::string& id) {
  return id.size() == 14 && std::all_of(id.begin(), id.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

bool is_env_name(const std::string& name) {
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

json mount(const std::string& destination, const std::string& type, const std::string& source,
           std::vector<std::string> options) {
  return {{"destination", destination}, {"type", type}, {"source", source}, {"options", options}};
}

json read_only_bind(const std::string& destination, const std::string& source) {
  return mount(destination, "bind", source, {"rbind", "ro", "nosuid", "nodev"});
}

// The kernel file systems every container gets (as `runc spec` lays them out), minus
// /sys/fs/cgroup: runc 1.1 cannot mount it under this kernel's hybrid cgroup layout.
json kernel_mounts() {
  return json::array({
      mount("/proc", "proc", "proc", {}),
      mount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      mount("/dev/pts", "devpts", "devpts",
            {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}),
      mount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      mount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      mount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
  });
}

json resources(const Guest& guest) {
  json out = json::object();
  if (guest.memory_mb) out["memory"] = {{"limit", *guest.memory_mb * 1024 * 1024}};
  if (guest.cpus) {
    out["cpu"] = {{"period", kCpuPeriodMicros},
                  {"quota", std::llround(*guest.cpus * kCpuPeriodMicros)}};
  }
  return out;
}
}  // namespace

const std::vector<std::string>& host_image_dirs() {
  static const std::vector<std::string> dirs = {"/usr", "/bin", "/lib", "/lib64", "/sbin", "/etc"};
  return dirs;
}

std::string spec_problem(const MachineSpec& spec) {
  if (auto problem = spec_problem_besides_command(spec); !problem.empty()) return problem;
  if (spec.cmd.empty() || spec.cmd[0].empty()) return "machine " + spec.id + " has no command";
  return "";
}

std::string spec_problem_besides_command(const MachineSpec& spec) {
  if (!is_machine_id(spec.id))
    return "machine id \"" + spec.id + "\" is not 14 lower-case hex digits";
  if (spec.app.empty()) return "machine " + spec.id + " names no app";
  if (spec.region.empty()) return "machine " + spec.id + " names no region";
  if (!core::is_sixpn(spec.private_ip)) {
    return "machine " + spec.id + " has no 6PN address (" + spec.private_ip.str() + ")";
  }
  for (const auto& arg : spec.cmd) {
    if (arg.find('\0') != std::string::npos) return "a command argument holds a NUL byte";
  }
  for (const auto& [name, value] : spec.env) {
    if (!is_env_name(name))
      return "environment name \"" + name + "\" is not [A-Za-z_][A-Za-z0-9_]*";
    if (value.find('\0') != std::string::npos)
      return "environment value of " + name + " holds a NUL byte";
  }
  if (!spec.rootfs.empty() &&
      (spec.rootfs[0] != '/' || spec.rootfs.find("/../") != std::string::npos ||
       spec.rootfs.ends_with("/.."))) {
    return "image \"" + spec.rootfs + "\" is neither \"host\" nor an absolute path without \"..\"";
  }
  if (!spec.cwd.empty() && spec.cwd[0] != '/') {
    return "the working directory \"" + spec.cwd + "\" is not an absolute path";
  }
  if (spec.guest.cpus && !(*spec.guest.cpus >= 0.01 && *spec.guest.cpus <= 1024)) {
    return "guest.cpus must be between 0.01 and 1024";
  }
  if (spec.guest.memory_mb && (*spec.guest.memory_mb < 8 || *spec.guest.memory_mb > (1 << 24))) {
    return "guest.memory_mb must be between 8 and 16777216";
  }
  return "";
}

std::vector<std::string> machine_environment(const MachineSpec& spec) {
  std::map<std::string, std::string> env = spec.env;
  env.emplace("PATH", kPath);
  env.emplace("HOME", "/root");
  // The platform's own names are facts about the machine, not settings: they override config.env.
  env["FLY_APP_NAME"] = spec.app;
  env["FLY_MACHINE_ID"] = spec.id;
  env["FLY_ALLOC_ID"] = spec.id;
  env["FLY_REGION"] = spec.region;
  env["FLY_PRIVATE_IP"] = spec.private_ip.str();
  env["FLY_PROCESS_GROUP"] = spec.process_group;
  std::vector<std::string> out;
  out.reserve(env.size());
  for (const auto& [name, value] : env) out.push_back(name + "=" + value);
  return out;
}

BundleFiles plan_bundle(const MachineSpec& spec, const BundleLayout& layout) {
  BundleFiles files;
  const std::string ip = spec.private_ip.str();
  files.hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n" + ip +
                "\tfly-local-6pn\n" + ip + "\t" + spec.id + "\n";
  files.resolv_conf = "nameserver fdaa::3\n";
  files.hostname = spec.id + "\n";

  json mounts = kernel_mounts();
  if (spec.rootfs.empty()) {
    for (const auto& dir : layout.host_dirs) {
      mounts.push_back(read_only_bind(dir, dir));
      files.rootfs_dirs.push_back(dir);
    }
    for (const char* dir : {"/proc", "/dev", "/sys", "/tmp", "/run"})
      files.rootfs_dirs.push_back(dir);
  }
  mounts.push_back(mount("/tmp", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=1777"}));
  mounts.push_back(mount("/run", "tmpfs", "tmpfs", {"nosuid", "nodev", "mode=755"}));
  const std::string etc = layout.bundle_dir + "/etc";
  mounts.push_back(read_only_bind("/etc/hosts", etc + "/hosts"));
  mounts.push_back(read_only_bind("/etc/resolv.conf", etc + "/resolv.conf"));
  mounts.push_back(read_only_bind("/etc/hostname", etc + "/hostname"));

  json config = {
      {"ociVersion", "1.0.2"},
      {"process",
       {{"terminal", false},
        {"user", {{"uid", 0}, {"gid", 0}}},
        {"args", spec.cmd},
        {"env", machine_environment(spec)},
        {"cwd", spec.cwd.empty() ? "/" : spec.cwd},
        {"capabilities",
         {{"bounding", kDefaultCapabilities},
          {"effective", kDefaultCapabilities},
          {"permitted", kDefaultCapabilities}}},
        {"noNewPrivileges", true}}},
      {"root",
       {{"path", spec.rootfs.empty() ? layout.bundle_dir + "/rootfs" : spec.rootfs},
        {"readonly", true}}},
      {"hostname", spec.id},
      {"mounts", mounts},
      {"linux",
       {{"namespaces", json::array({{{"type", "pid"}},
                                    {{"type", "ipc"}},
                                    {{"type", "uts"}},
                                    {{"type", "mount"}},
                                    {{"type", "network"}, {"path", layout.netns_path}}})},
        {"resources", resources(spec.guest)},
        {"maskedPaths",
         {"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
          "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
          "/proc/scsi"}},
        {"readonlyPaths",
         {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"}}}}};
  files.config_json = config.dump(2) + "\n";
  return files;
}

}  // namespace sixpn::host
