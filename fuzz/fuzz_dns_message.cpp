// Any bytes through the decoder; whatever decodes must survive encode → decode unchanged in
// meaning: the re-encoded form decodes, and encoding that again gives the same bytes.
#include <cstddef>
#include <cstdint>

#include "core/dns/message.hpp"
#include "core/dns/text.hpp"

namespace w = sixpn::core::dns;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto first = w::decode(std::span<const std::uint8_t>(data, size));
  if (!first.message) return 0;
  for (const auto* section : {&first.message->answers, &first.message->authority}) {
    for (const auto& r : *section) (void)w::record_str(r);  // presentation must not crash
  }
  auto wire = w::encode(*first.message);
  auto second = w::decode(wire);
  if (!second.message) __builtin_trap();
  if (w::encode(*second.message) != wire) __builtin_trap();
  return 0;
}
