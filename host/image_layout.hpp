#pragma once
// Machine images that are OCI image layouts (a directory with `oci-layout` and `index.json`, as
// `umoci init` or `skopeo copy oci:` make them), named "path[:tag]" in config.image. The host
// unpacks each image once with umoci (Debian) into a cache under its state directory, keyed by
// the manifest's digest, and every machine of that image runs from the unpacked root file
// system, read-only. Pure: what the layout's JSON documents say, and what to do about the
// cache; image_cache.hpp reads the files and runs umoci.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sixpn::host {

// "/srv/images/web:v2" → {"/srv/images/web", "v2"}; without a tag the tag is "latest". The tag
// is what follows the last ':' after the last '/'.
struct ImageRef {
  std::string layout;
  std::string tag;
  bool operator==(const ImageRef&) const = default;
};
ImageRef parse_image_ref(const std::string& image);

// The digest ("sha256:<64 hex>") of the manifest `tag` names in an index.json, or one sentence
// saying why there is none (not an index, no such tag: the sentence lists the tags there are).
struct DigestOrProblem {
  std::string digest;
  std::string problem;
};
DigestOrProblem manifest_digest(std::string_view index_json, const std::string& tag);

// "sha256:<64 hex>" → "sha256/<64 hex>", the blob's path under the layout's blobs/; nullopt
// for anything else (an unknown algorithm, a digest that would leave blobs/).
std::optional<std::string> blob_path(const std::string& digest);

// The config digest a manifest names; "" with a problem when the text is not a manifest.
DigestOrProblem config_digest(std::string_view manifest_json);

// What a Fly Machine takes from its image when config.init.cmd / config.env say nothing:
// ENTRYPOINT, CMD, ENV and WORKDIR of the image config (OCI image spec, "config" object).
struct ImageDefaults {
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::vector<std::string> env;  // "NAME=value"
  std::string working_dir;       // "": "/"
  bool operator==(const ImageDefaults&) const = default;
};
// Throws std::invalid_argument with one sentence when the text is not an image config.
ImageDefaults parse_image_config(std::string_view config_json);

// The process a machine of this image runs, as Fly documents it: config.init.cmd replaces the
// image's CMD, its ENTRYPOINT stays in front; with no init.cmd, ENTRYPOINT + CMD. Empty when
// both are empty (the caller says why that cannot run).
std::vector<std::string> image_command(const ImageDefaults& image,
                                       const std::vector<std::string>& init_cmd);

// Where the unpack of the manifest `digest` ("sha256:<hex>") is cached: <cache_root>/<hex>.
std::string image_cache_dir(const std::string& cache_root, const std::string& digest);

// What to do so a machine can run from the image whose manifest is `digest`.
struct ImagePlan {
  enum class Kind { UseCache, Unpack } kind = Kind::UseCache;
  std::string rootfs;      // <cache>/<hex>/rootfs: the machine's root, read-only
  std::string cache_dir;   // <cache>/<hex>
  std::string unpack_dir;  // Unpack: umoci unpacks here first, then it is renamed to cache_dir
  std::vector<std::string> umoci_argv;  // Unpack
  std::string unpacked_marker;          // Unpack: in unpack_dir when umoci unpacked `digest`
};
// `cached`: cache_dir exists (it only ever appears whole, by rename). `unpack_suffix` makes the
// temporary directory's name unique to this try.
ImagePlan plan_image(const ImageRef& ref, const std::string& digest, const std::string& cache_root,
                     bool cached, const std::string& unpack_suffix);

// Mount points a bundle binds over inside the root file system: made in a fresh unpack (before
// it joins the cache), since the machine's root is read-only and runc cannot make them then.
const std::vector<std::string>& image_mount_dirs();
const std::vector<std::string>& image_mount_files();

}  // namespace sixpn::host
