#include "host/image_layout.hpp"

#include <algorithm>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace sixpn::host {

namespace {
using nlohmann::json;

constexpr const char* kRefName = "org.opencontainers.image.ref.name";

json parse_json(std::string_view text) {
  return json::parse(text.begin(), text.end(), nullptr, false);
}

bool is_hex(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::vector<std::string> strings_at(const json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it == object.end() || it->is_null()) return out;
  if (!it->is_array()) {
    throw std::invalid_argument(std::string("its config's ") + key + " is not a list of strings");
  }
  for (const auto& item : *it) {
    if (!item.is_string()) {
      throw std::invalid_argument(std::string("its config's ") + key + " is not a list of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}
}  // namespace

ImageRef parse_image_ref(const std::string& image) {
  const auto slash = image.rfind('/');
  const auto colon = image.rfind(':');
  if (colon == std::string::npos || (slash != std::string::npos && colon < slash)) {
    return {image, "latest"};
  }
  return {image.substr(0, colon), image.substr(colon + 1)};
}

DigestOrProblem manifest_digest(std::string_view index_json, const std::string& tag) {
  auto index = parse_json(index_json);
  if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
    return {"", "its index.json is not an OCI image index"};
  }
  std::vector<std::string> tags;
  for (const auto& m : index["manifests"]) {
    if (!m.is_object()) continue;
    auto annotations = m.find("annotations");
    if (annotations == m.end() || !annotations->is_object()) continue;
    auto name = annotations->find(kRefName);
    if (name == annotations->end() || !name->is_string()) continue;
    if (name->get<std::string>() != tag) {
      tags.push_back(name->get<std::string>());
      continue;
    }
    auto digest = m.find("digest");
    if (digest == m.end() || !digest->is_string() || !blob_path(digest->get<std::string>())) {
      return {"", "its tag \"" + tag + "\" names no sha256 manifest digest"};
    }
    return {digest->get<std::string>(), ""};
  }
  std::sort(tags.begin(), tags.end());
  std::string known;
  for (const auto& t : tags) known += (known.empty() ? "" : ", ") + t;
  return {"", "it has no tag \"" + tag + "\" (" +
                  (known.empty() ? std::string("it has no tags") : "its tags: " + known) + ")"};
}

std::optional<std::string> blob_path(const std::string& digest) {
  constexpr std::string_view prefix = "sha256:";
  if (!digest.starts_with(prefix)) return std::nullopt;
  const std::string hex = digest.substr(prefix.size());
  if (hex.size() != 64 || !is_hex(hex)) return std::nullopt;
  return "sha256/" + hex;
}

DigestOrProblem config_digest(std::string_view manifest_json) {
  auto manifest = parse_json(manifest_json);
  if (!manifest.is_object() || !manifest.contains("config") || !manifest["config"].is_object()) {
    return {"", "its manifest is not an OCI image manifest"};
  }
  auto digest = manifest["config"].find("digest");
  if (digest == manifest["config"].end() || !digest->is_string() ||
      !blob_path(digest->get<std::string>())) {
    return {"", "its manifest names no sha256 config digest"};
  }
  return {digest->get<std::string>(), ""};
}

ImageDefaults parse_image_config(std::string_view config_json) {
  auto doc = parse_json(config_json);
  if (!doc.is_object()) throw std::invalid_argument("its image config is not a JSON object");
  ImageDefaults out;
  auto it = doc.find("config");
  if (it == doc.end() || it->is_null()) return out;  // an image may say nothing of its process
  if (!it->is_object()) throw std::invalid_argument("its image config's config is not an object");
  out.entrypoint = strings_at(*it, "Entrypoint");
  out.cmd = strings_at(*it, "Cmd");
  out.env = strings_at(*it, "Env");
  if (auto wd = it->find("WorkingDir"); wd != it->end() && wd->is_string()) {
    out.working_dir = wd->get<std::string>();
  }
  return out;
}

std::vector<std::string> image_command(const ImageDefaults& image,
                                       const std::vector<std::string>& init_cmd) {
  std::vector<std::string> out = image.entrypoint;
  const auto& cmd = init_cmd.empty() ? image.cmd : init_cmd;
  out.insert(out.end(), cmd.begin(), cmd.end());
  return out;
}

std::string image_cache_dir(const std::string& cache_root, const std::string& digest) {
  return cache_root + "/" + digest.substr(digest.find(':') + 1);
}

ImagePlan plan_image(const ImageRef& ref, const std::string& digest, const std::string& cache_root,
                     bool cached, const std::string& unpack_suffix) {
  ImagePlan plan;
  const std::string hex = digest.substr(digest.find(':') + 1);
  plan.cache_dir = image_cache_dir(cache_root, digest);
  plan.rootfs = plan.cache_dir + "/rootfs";
  if (cached) return plan;
  plan.kind = ImagePlan::Kind::Unpack;
  // A leading dot: never taken for a cached image, and swept when the host starts.
  plan.unpack_dir = cache_root + "/.unpack-" + hex + "-" + unpack_suffix;
  plan.umoci_argv = {"umoci", "unpack", "--image", ref.layout + ":" + ref.tag, plan.unpack_dir};
  // umoci takes a tag, not a digest, and the tag may have moved on since it was read: umoci
  // names the manifest it unpacked in this file, and only that manifest's unpack is kept.
  plan.unpacked_marker = "sha256_" + hex + ".mtree";
  return plan;
}

const std::vector<std::string>& image_mount_dirs() {
  static const std::vector<std::string> dirs = {"/proc", "/dev", "/sys", "/tmp", "/run", "/etc"};
  return dirs;
}

const std::vector<std::string>& image_mount_files() {
  static const std::vector<std::string> files = {"/etc/hosts", "/etc/resolv.conf", "/etc/hostname"};
  return files;
}

}  // namespace sixpn::host
