// `sixpn logs`: what an app's machines wrote, as flyctl's `fly logs` shows it.
#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/resolve.hpp"
#include "cli/signals.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/logs_stream.hpp"

namespace sixpn::commands {

namespace {

struct LogsOptions {
  std::string machine;
  int lines = 100;
  bool follow = false;
};

void run_logs(cli::Context& ctx, const LogsOptions& opts) {
  LogsRequest request;
  request.app = cli::resolve_app(ctx);
  request.machine_id = opts.machine;
  request.lines = opts.lines;
  request.follow = opts.follow;
  // An unknown machine is exit 4 whatever the logs endpoint makes of the filter.
  if (!opts.machine.empty()) ctx.client().machine(request.app, opts.machine);
  const bool json = ctx.out.json();
  stream_logs(
      ctx.client(), request,
      [&ctx, json](const std::vector<api::LogLine>& lines) {
        std::string text;
        for (const auto& line : lines) text += json ? log_line_json(line) : format_log_line(line);
        ctx.out.raw(text);  // flushed, so a pipeline sees each batch at once
      },
      [] { return cli::interrupted(); },
      [&ctx](const std::string& sentence) { ctx.out.warn(sentence); });
  cli::throw_if_interrupted();
}

}  // namespace

void add_logs(CLI::App& root, cli::Context& ctx) {
  auto opts = std::make_shared<LogsOptions>();
  auto* logs = root.add_subcommand("logs", "Show what an app's machines wrote");
  cli::add_app_flag(*logs, ctx);
  logs->add_option("--machine,-i", opts->machine, "Only this machine's lines")->type_name("ID");
  logs->add_option("--lines,-n", opts->lines, "How many of the newest kept lines to show first")
      ->type_name("N")
      ->check(CLI::Range(0, 100000))
      ->capture_default_str();
  logs->add_flag("--follow,-f", opts->follow, "Keep printing new lines as they arrive (Ctrl-C ends)");
  document(*logs,
           "Prints the newest lines the app's machines wrote to stdout and stderr, oldest first,\n"
           "one per line: <timestamp> app[<machine id>] <region> [info|stderr] <message>.\n"
           "With --follow it keeps printing new lines as the hosts send them; Ctrl-C ends it\n"
           "(exit code 130). A control plane that goes away (restarted, network down) is\n"
           "said once on stderr and tried again (1 s, doubling to 10 s); following resumes\n"
           "after the last line shown, so no line is lost or printed twice. With --json each\n"
           "line is one JSON object (NDJSON): {machine_id, region, timestamp, stream, message}.\n"
           "The control plane keeps the newest 10,000 lines of each machine.",
           {"sixpn logs -a my-app", "sixpn logs -a my-app --machine 0e286e5d2c3a47 -n 20",
            "sixpn logs -a my-app -f", "sixpn logs -a my-app -f --json | jq -r .message"});
  logs->callback([&ctx, opts] { run_logs(ctx, *opts); });
}

}  // namespace sixpn::commands
