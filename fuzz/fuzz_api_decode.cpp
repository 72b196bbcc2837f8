// Any bytes as a request body (and as query values and headers) through sixpnd's request
// decoders. Besides crashes and sanitizer reports, it checks what every refusal must be: a
// 4xx status with a machine code and a sentence, and that an accepted peer passes the rules.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/keys.hpp"
#include "core/names.hpp"
#include "server/http/decode.hpp"

namespace {
using namespace sixpn::server::http;

template <class T>
void check_refusal(const Result<T>& r) {
  if (r.ok()) return;
  const auto& e = r.error();
  if (e.status < 400 || e.status > 499 || e.code.empty() || e.message.empty()) __builtin_trap();
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto peer = decode_peer_create(text);
  check_refusal(peer);
  if (peer.ok() && (!sixpn::core::peer_name_problem(peer.value().name).empty() ||
                    !sixpn::core::key_problem(peer.value().pubkey).empty())) {
    __builtin_trap();
  }
  check_refusal(decode_app_create(text));
  check_refusal(decode_machine_create(text));
  check_refusal(decode_ip_assignment_create(text));
  auto page = decode_page(text, text);
  check_refusal(page);
  if (page.ok() && (page.value().limit < 1 || page.value().limit > kMaxPageLimit)) __builtin_trap();
  check_refusal(decode_idempotency_key(text));
  check_refusal(decode_ip(text));
  check_refusal(decode_flag("f", text));
  auto bearer = decode_bearer(text);
  if (!bearer.ok() && bearer.error().status != 401) __builtin_trap();
  return 0;
}
