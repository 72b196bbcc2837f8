#include <CLI/CLI.hpp>

#include "cli/completion.hpp"
#include "cli/context.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"

namespace sixpn::commands {

namespace {

struct CompletionOptions {
  std::string shell;
};

// Values the completion scripts ask for while a person presses Tab: quick, and silent when
// the API is unreachable or no token is configured (the shell then offers nothing).
void run_complete(cli::Context& ctx, const std::string& what) {
  ctx.options.timeout_seconds = 2;
  std::string text;
  try {
    if (what == "regions") {
      for (const auto& r : ctx.client().regions().items) {
        if (!r.deprecated) text += r.code + "\n";
      }
    } else if (what == "orgs") {
      for (const auto& o : ctx.client().orgs()) text += o.slug + "\n";
    } else if (what == "apps") {
      for (const auto& a : ctx.client().apps(std::nullopt)) text += a.name + "\n";
    }
  } catch (const std::exception&) {
    return;
  }
  ctx.out.raw(text);
}

}  // namespace

void add_completion(CLI::App& root, cli::Context& ctx) {
  auto opts = std::make_shared<CompletionOptions>();
  auto* cmd = root.add_subcommand("completion", "Print a shell completion script");
  cmd->add_option("shell", opts->shell, "bash, zsh or fish")
      ->required()
      ->type_name("SHELL")
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  document(*cmd,
           "Prints a completion script for commands, flags, and (from the API, when it answers)\n"
           "org slugs, app names and region codes. The same scripts are in completions/.",
           {"source <(sixpn completion bash)", "sixpn completion zsh > \"${fpath[1]}/_sixpn\"",
            "sixpn completion fish > ~/.config/fish/completions/sixpn.fish"});
  cmd->callback([&root, &ctx, opts] {
    auto model = cli::completion_model(root);
    if (opts->shell == "bash") ctx.out.raw(cli::bash_completion(model));
    if (opts->shell == "zsh") ctx.out.raw(cli::zsh_completion(model));
    if (opts->shell == "fish") ctx.out.raw(cli::fish_completion(model));
  });

  auto what = std::make_shared<std::string>();
  auto* hidden = root.add_subcommand("__complete", "Values for shell completion");
  hidden->group("");
  hidden->add_option("what", *what, "orgs, apps or regions")->required();
  hidden->callback([&ctx, what] { run_complete(ctx, *what); });
}

}  // namespace sixpn::commands
