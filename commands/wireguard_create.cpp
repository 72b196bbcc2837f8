// `sixpn wireguard create`: everything that can be checked is checked before the peer exists;
// the key pair is made here and only the public half leaves the machine.
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "api/client.hpp"
#include "cli/errors.hpp"
#include "cli/resolve.hpp"
#include "commands/wg_config_file.hpp"
#include "commands/wireguard.hpp"
#include "core/keys.hpp"
#include "core/names.hpp"
#include "core/wgconf.hpp"

namespace sixpn::commands {

namespace {

const char* const kBanner =
    "!!!! WARNING: Output includes private key. Private keys cannot be recovered !!!!\n"
    "!!!! after creating the peer; if you lose the key, you'll need to remove    !!!!\n"
    "!!!! and re-add the peering connection.                                     !!!!";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string gateway_codes(const api::RegionList& regions) {
  std::string out;
  for (const auto& r : regions.items) {
    if (r.gateway_available && !r.deprecated) out += (out.empty() ? "" : ", ") + r.code;
  }
  return out.empty() ? "none" : out;
}

// Argument, else SIXPN_WG_REGION, else the API's nearest gateway region; refused unless it
// has a gateway.
std::string choose_region(cli::Context& ctx, const std::string& arg) {
  auto regions = ctx.client().regions();
  std::string code = arg;
  if (code.empty()) {
    const char* env = std::getenv("SIXPN_WG_REGION");
    code = env ? env : "";
  }
  if (code.empty()) code = regions.nearest;
  if (code.empty()) {
    throw cli::UsageError("the API named no nearest gateway region",
                          "pass a region: " + gateway_codes(regions));
  }
  code = lower(code);
  const std::string hint =
      "regions with a gateway: " + gateway_codes(regions) + " (see 'sixpn platform regions')";
  for (const auto& r : regions.items) {
    if (r.code != code) continue;
    if (!r.gateway_available || r.deprecated) {
      throw cli::UsageError("region \"" + code + "\" has no WireGuard gateway", hint);
    }
    return code;
  }
  throw cli::UsageError("unknown region \"" + code + "\"", hint);
}

ConfigTarget choose_target(cli::Context& ctx, const std::string& arg, const std::string& name) {
  if (!arg.empty()) return parse_config_target(arg);
  if (!ctx.interactive()) {
    throw cli::UsageError("no file given for the configuration",
                          "pass a file name ending in .conf, or 'stdout' to print it");
  }
  for (;;) {
    std::string answer = ctx.prompt.ask("Filename to store WireGuard configuration in, or 'stdout'",
                                        default_config_file(name));
    try {
      return parse_config_target(answer);
    } catch (const cli::UsageError& e) {
      ctx.out.error(e.what(), e.hint());
    }
  }
}

core::SecretString render(const api::Peer& peer, const core::PrivateKey& key) {
  auto ip = core::Ipv6::parse(peer.peer_ip);
  if (!ip) throw api::ShapeError("the API returned peer_ip \"" + peer.peer_ip + "\"");
  if (auto problem = core::public_key_problem(peer.gateway_pubkey); !problem.empty()) {
    throw api::ShapeError("the API returned a bad gateway_pubkey: " + problem);
  }
  if (peer.endpoint_ip.empty()) throw api::ShapeError("the API returned no endpoint_ip");
  return core::render_config({*ip, peer.gateway_pubkey, peer.endpoint_ip, peer.endpoint_port}, key);
}

// Puts the config where it was asked for. Throws with the reason when it cannot.
void deliver(cli::Context& ctx, std::optional<ClaimedFile>& file, const core::SecretString& text) {
  if (file) {
    file->commit(text.view());
  } else if (!ctx.out.write_unbuffered(text.view())) {
    throw cli::Failure(std::string("cannot write the configuration to stdout: ") +
                       std::strerror(errno));
  }
}

}  // namespace

void run_wireguard_create(cli::Context& ctx, const WgCreateOptions& opts) {
  // What needs no server first, so a typo costs nothing.
  if (!opts.name.empty()) {
    if (auto problem = core::peer_name_problem(opts.name); !problem.empty()) {
      throw cli::UsageError(problem);
    }
  }
  std::optional<ConfigTarget> target;
  if (!opts.file.empty()) target = parse_config_target(opts.file);
  if (target && target->to_stdout && ctx.out.json()) {
    throw cli::UsageError("--json cannot be combined with 'stdout'",
                          "stdout carries only the configuration; write it to a file instead");
  }

  const std::string org = cli::resolve_org(ctx, opts.org);
  const std::string region = choose_region(ctx, opts.region);
  const std::string name = opts.name.empty() ? generate_peer_name() : opts.name;
  if (auto problem = core::peer_name_problem(name); !problem.empty()) {
    throw cli::UsageError(problem, "pass a peer name");
  }
  if (!target) target = choose_target(ctx, opts.file, name);
  if (target->to_stdout && ctx.out.json()) {
    throw cli::UsageError("--json cannot be combined with 'stdout'");
  }
  std::optional<ClaimedFile> file;
  if (!target->to_stdout) file.emplace(ClaimedFile::claim(target->path, opts.force));

  core::PrivateKey key = core::PrivateKey::generate();
  api::Peer peer;
  try {
    peer = ctx.client().create_peer(org, {name, region, key.public_key().base64()});
  } catch (const api::Cancelled&) {
    throw cli::CliError(cli::kExitInterrupted,
                        "interrupted; peer \"" + name + "\" may have been created",
                        "check with 'sixpn wireguard list " + org + "'");
  }

  try {
    auto text = render(peer, key);
    ctx.out.info(kBanner);
    deliver(ctx, file, text);
  } catch (const std::exception& e) {
    // No orphans: a peer whose key is lost is useless, so take it away again.
    std::string why = e.what();
    try {
      ctx.client().delete_peer(org, name);
    } catch (const std::exception& again) {
      throw cli::Failure(
          why + "; removing peer \"" + name + "\" again also failed: " + again.what(),
          "remove it with 'sixpn wireguard remove " + org + " " + name + " --yes'");
    }
    throw cli::Failure(why + "; peer \"" + name + "\" was removed again");
  }

  if (target->to_stdout) return;
  const std::string path = target->path.string();
  if (ctx.out.json()) {
    ctx.out.json_document({{"name", peer.name},
                           {"org", org},
                           {"region", peer.region},
                           {"peer_ip", peer.peer_ip},
                           {"endpoint", peer.endpoint},
                           {"dns", peer.dns},
                           {"created_at", peer.created_at},
                           {"file", path}});
  }
  ctx.out.info("Wrote WireGuard configuration to '" + path +
               "'; load it in your WireGuard client, or run 'wg-quick up " +
               (target->path.is_absolute() ? path : "./" + path) + "'");
}

}  // namespace sixpn::commands
