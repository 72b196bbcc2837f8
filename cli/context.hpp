#pragma once
// What every command gets: the global flags, the resolved settings, the output, the API client,
// and whether a person is there to answer a prompt.
#include <memory>
#include <optional>
#include <string>

#include "api/client.hpp"
#include "cli/config.hpp"
#include "cli/output.hpp"
#include "cli/prompt.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace sixpn::cli {

struct GlobalOptions {
  bool json = false;
  bool verbose = false;
  double timeout_seconds = 30;
  SettingFlags settings;
};

class Context {
 public:
  GlobalOptions options;
  Output out;
  Prompter prompt;

  // Resolved on first use, so `--version` and `--help` never read a file or the environment.
  const Settings& settings();

  // The API client for the resolved URL and token, made on first use. A missing token is
  // reported by the first call that needs one, so `platform regions` works without login.
  api::Client& client();

  // Prompts only when stdin and stderr are terminals and CI is unset.
  bool interactive() const;
  // Tests decide for themselves whether a person is present.
  void set_interactive(bool on) { interactive_override_ = on; }

 private:
  std::optional<Settings> settings_;
  std::unique_ptr<api::Client> client_;
  std::optional<bool> interactive_override_;
};

// Binds the global flags (--json, --verbose, --api-url, --access-token, --timeout, -c/--config)
// to ctx.options.
void add_global_flags(CLI::App& app, Context& ctx);

// `-o/--org ORG` and `-a/--app APP` for the commands that act on one; they feed settings(), so
// they win over SIXPN_ORG / SIXPN_APP and the config files.
CLI::Option* add_org_flag(CLI::App& cmd, Context& ctx);
CLI::Option* add_app_flag(CLI::App& cmd, Context& ctx);

}  // namespace sixpn::cli
