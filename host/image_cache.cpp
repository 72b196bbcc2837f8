#include "host/image_cache.hpp"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "host/image_layout.hpp"
#include "net/command.hpp"

namespace sixpn::host {

namespace {
namespace fs = std::filesystem;
constexpr auto kUnpackTimeout = std::chrono::minutes(10);

std::string read_text(const fs::path& path, const std::string& what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(what + " cannot be read (" + path.string() + ")");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// umoci's last word, without its decoration ("   ⨯ tag is not found: nope").
std::string last_line(const std::string& text) {
  std::istringstream lines(text);
  std::string last;
  for (std::string line; std::getline(lines, line);) {
    auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos) continue;
    line = line.substr(start);
    if (line.starts_with("\xe2\xa8\xaf")) line = line.substr(3);  // "⨯"
    start = line.find_first_not_of(" \t");
    if (start != std::string::npos) last = line.substr(start);
  }
  return last.empty() ? "no message" : last;
}

void make_mount_points(const fs::path& rootfs) {
  for (const auto& dir : image_mount_dirs()) fs::create_directories(rootfs / dir.substr(1));
  for (const auto& file : image_mount_files()) {
    const fs::path path = rootfs / file.substr(1);
    std::error_code ec;
    if (!fs::exists(fs::symlink_status(path, ec))) std::ofstream(path).close();
  }
}
}  // namespace

ImageCache::ImageCache(std::string root) : root_(std::move(root)) {
  fs::create_directories(root_);
  fs::permissions(root_, fs::perms::owner_all);
  for (const auto& entry : fs::directory_iterator(root_)) {
    if (entry.path().filename().string().starts_with(".unpack-")) {
      std::error_code ec;
      fs::remove_all(entry.path(), ec);
    }
  }
}

bool ImageCache::is_layout(const std::string& image) {
  std::error_code ec;
  // A directory named with a ':' is a directory; otherwise the ':' may start a tag.
  const std::string layout = fs::is_directory(image, ec) ? image : parse_image_ref(image).layout;
  return fs::is_regular_file(fs::path(layout) / "oci-layout", ec) &&
         fs::is_regular_file(fs::path(layout) / "index.json", ec);
}

MachineSpec ImageCache::prepare(const MachineSpec& spec) {
  if (spec.rootfs.empty() || !is_layout(spec.rootfs)) return spec;
  std::error_code ec;
  const ImageRef ref = fs::is_directory(spec.rootfs, ec) ? ImageRef{spec.rootfs, "latest"}
                                                         : parse_image_ref(spec.rootfs);
  const std::string name = "its image " + spec.rootfs;
  const fs::path layout = ref.layout;

  auto manifest =
      manifest_digest(read_text(layout / "index.json", name + "'s index.json"), ref.tag);
  if (!manifest.problem.empty()) throw std::runtime_error(name + ": " + manifest.problem);
  auto config = config_digest(
      read_text(layout / "blobs" / *blob_path(manifest.digest), name + "'s manifest"));
  if (!config.problem.empty()) throw std::runtime_error(name + ": " + config.problem);
  ImageDefaults defaults;
  try {
    defaults = parse_image_config(
        read_text(layout / "blobs" / *blob_path(config.digest), name + "'s config"));
  } catch (const std::invalid_argument& e) {
    throw std::runtime_error(name + ": " + e.what());
  }

  const bool cached = fs::is_directory(image_cache_dir(root_, manifest.digest), ec);
  const auto image = plan_image(ref, manifest.digest, root_, cached,
                                std::to_string(::getpid()) + "-" + std::to_string(++unpacks_));
  if (image.kind == ImagePlan::Kind::Unpack) {
    auto cleanup = [&] { fs::remove_all(image.unpack_dir, ec); };
    try {
      net::CommandOptions options;
      options.timeout = kUnpackTimeout;
      auto result = net::run_command(image.umoci_argv, options);
      if (result.exit_code != 0) {
        cleanup();
        throw std::runtime_error("umoci could not unpack " + name + ": " + last_line(result.err));
      }
      if (!fs::exists(fs::path(image.unpack_dir) / image.unpacked_marker, ec)) {
        cleanup();
        throw std::runtime_error(
            name + " moved its tag to another manifest while it was unpacked; start it again");
      }
      make_mount_points(fs::path(image.unpack_dir) / "rootfs");
      fs::rename(image.unpack_dir, image.cache_dir);
    } catch (const net::CommandError& e) {
      cleanup();
      throw std::runtime_error("umoci could not unpack " + name + ": " + e.what());
    } catch (const fs::filesystem_error& e) {
      cleanup();
      throw std::runtime_error("the unpack of " + name + " could not be kept: " + e.what());
    }
  }

  MachineSpec out = spec;
  out.rootfs = image.rootfs;
  out.cmd = image_command(defaults, spec.cmd);
  if (out.cwd.empty()) out.cwd = defaults.working_dir;
  for (const auto& entry : defaults.env) {
    auto eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;  // not NAME=value: no variable to set
    out.env.emplace(entry.substr(0, eq), entry.substr(eq + 1));  // config.env wins
  }
  return out;
}

}  // namespace sixpn::host
