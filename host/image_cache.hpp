#pragma once
// The host's cache of unpacked OCI images, <state>/images/<manifest hex>/{rootfs/, …}: the thin
// runner over image_layout.hpp's plan. It reads the layout's index, manifest and config, and
// when the manifest is not cached yet runs `umoci unpack` into a temporary directory that is
// renamed into place only once complete, so a broken layout, a missing tag or a failing umoci
// leaves nothing behind (and a directory of a run that was killed mid-unpack is swept at the
// next start). Used from the agent's one machine thread.
#include <string>

#include "host/machine_spec.hpp"

namespace sixpn::host {

class ImageCache {
 public:
  // Makes `root` when missing; removes unpacks that an earlier run left unfinished.
  explicit ImageCache(std::string root);

  // True when `image` (config.image, "path[:tag]") names an OCI image layout on this host.
  static bool is_layout(const std::string& image);

  // The spec a machine runs from: for an OCI layout, its root is the cached unpack (made now if
  // needed) and the image's ENTRYPOINT/CMD, ENV and WORKDIR fill in what the spec leaves open
  // (image_command); any other spec comes back as it is. Throws std::runtime_error with one
  // sentence when the image cannot be used.
  MachineSpec prepare(const MachineSpec& spec);

  const std::string& root() const { return root_; }

 private:
  std::string root_;
  unsigned unpacks_ = 0;
};

}  // namespace sixpn::host
