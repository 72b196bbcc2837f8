#include <CLI/CLI.hpp>

#include "cli/context.hpp"
#include "cli/errors.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/machine_args.hpp"
#include "commands/machine_view.hpp"
#include "commands/machine_wait.hpp"

namespace sixpn::commands {

namespace {

struct CreateOptions {
  std::string region;
  std::string name;
  std::string process_group;
  std::vector<std::string> metadata;
};

struct IdOptions {
  std::string id;
  bool yes = false;
  bool detach = false;
  std::string wait_timeout = "60s";
  std::string signal;        // stop only: "" the config's stop_config.signal
  std::string stop_timeout;  // stop only: "" the config's stop_config.timeout
};

void show_one(cli::Context& ctx, const api::Machine& m) {
  if (ctx.out.json()) {
    ctx.out.json_document(machine_json(m));
  } else {
    ctx.out.table(kMachineHeaders, {machine_row(m)});
  }
}

// --wait-timeout, checked before anything is sent.
int wait_seconds(const IdOptions& opts) {
  return duration_flag(opts.wait_timeout, "--wait-timeout", 3600);
}

void run_create(cli::Context& ctx, const CreateOptions& opts) {
  api::MachineCreate body;
  body.region = opts.region;
  if (!opts.name.empty()) body.name = opts.name;
  if (!opts.process_group.empty()) body.process_group = opts.process_group;
  body.metadata = parse_metadata(opts.metadata);
  std::string app = cli::resolve_app(ctx);
  auto m = ctx.client().create_machine(app, body);
  show_one(ctx, m);
  ctx.out.info("Created machine " + m.id + " in app " + app + " (" + m.state + ")");
}

void run_list(cli::Context& ctx) {
  std::string app = cli::resolve_app(ctx);
  auto machines = ctx.client().machines(app);
  if (ctx.out.json()) {
    ctx.out.json_list(machines, machine_json);
    return;
  }
  if (machines.empty()) {
    ctx.out.info("App " + app + " has no machines");
    return;
  }
  std::vector<std::vector<std::string>> rows;
  for (const auto& m : machines) rows.push_back(machine_row(m));
  ctx.out.table(kMachineHeaders, rows);
}

void run_status(cli::Context& ctx, const IdOptions& opts) {
  std::string app = cli::resolve_app(ctx);
  auto m = ctx.client().machine(app, opts.id);
  if (ctx.out.json()) {
    ctx.out.json_document(machine_json(m));
    return;
  }
  ctx.out.raw(machine_detail(m));
}

void run_start_stop(cli::Context& ctx, const IdOptions& opts, bool start) {
  const int timeout = wait_seconds(opts);
  const auto stop = start ? api::MachineStop{} : plan_machine_stop(opts.signal, opts.stop_timeout);
  std::string app = cli::resolve_app(ctx);
  auto m = start ? ctx.client().start_machine(app, opts.id)
                 : ctx.client().stop_machine(app, opts.id, stop);
  if (!opts.detach) {
    const std::string target = start ? "started" : "stopped";
    ctx.out.info("Waiting for machine " + m.id + " to be " + target + "…");
    m = await_machine_state(ctx.client(), app, m, target, timeout);
  }
  show_one(ctx, m);
  ctx.out.info("Machine " + m.id + " is " + m.state);
}

void run_destroy(cli::Context& ctx, const IdOptions& opts) {
  const int timeout = wait_seconds(opts);
  std::string app = cli::resolve_app(ctx);
  if (!opts.yes) {
    if (!ctx.interactive()) {
      throw cli::UsageError("destroying machine " + opts.id + " needs confirmation",
                            "pass --yes when not running interactively");
    }
    if (!ctx.prompt.confirm("Destroy machine " + opts.id + " of app " + app + "?")) {
      ctx.out.info("Kept machine " + opts.id);
      return;
    }
  }
  ctx.client().destroy_machine(app, opts.id);
  if (!opts.detach) {
    api::Machine m;
    m.id = opts.id;
    m.app = app;
    ctx.out.info("Waiting for machine " + opts.id + " to be destroyed…");
    await_machine_state(ctx.client(), app, m, "destroyed", timeout);
  }
  ctx.out.info("Destroyed machine " + opts.id);
}

CLI::App* id_command(CLI::App& parent, cli::Context& ctx, const char* name, const char* summary,
                     std::shared_ptr<IdOptions> opts) {
  auto* cmd = parent.add_subcommand(name, summary);
  cmd->add_option("id", opts->id, "Machine ID")->required()->type_name("ID");
  cli::add_app_flag(*cmd, ctx);
  return cmd;
}

void add_wait_flags(CLI::App& cmd, IdOptions& opts, const char* state) {
  cmd.add_flag("--detach,-d", opts.detach,
               std::string("Return at once instead of waiting until the machine is ") + state);
  cmd.add_option("--wait-timeout", opts.wait_timeout,
                 std::string("How long to wait for it to be ") + state + " (5s, 2m, …)")
      ->type_name("DURATION")
      ->capture_default_str();
}

}  // namespace

void add_machine(CLI::App& root, cli::Context& ctx) {
  auto* machine = root.add_subcommand("machine", "Create, run and manage an app's machines");
  machine->alias("machines");
  machine->alias("m");
  machine->require_subcommand(1);
  document(*machine,
           "A machine gets a /112 of its org's private network and runs on a host of its\n"
           "region; started machines are found under <app>.internal and the other .internal\n"
           "names.",
           {"sixpn machine run -a my-app --region ams -- python3 -m http.server 8080",
            "sixpn machine list -a my-app", "sixpn machine status 0e286e5d2c3a47 -a my-app"});

  add_machine_run(*machine, ctx);

  auto create_opts = std::make_shared<CreateOptions>();
  auto* create = machine->add_subcommand("create", "Create a machine in a region");
  cli::add_app_flag(*create, ctx);
  create->add_option("--region,-r", create_opts->region, "Region code (see 'platform regions')")
      ->required()
      ->type_name("REGION");
  create->add_option("--name,-n", create_opts->name, "Machine name")->type_name("NAME");
  create->add_option("--process-group", create_opts->process_group, "Process group (default app)")
      ->type_name("GROUP");
  create->add_option("--metadata,-m", create_opts->metadata, "Metadata key=value (repeatable)")
      ->type_name("KEY=VALUE")
      ->take_all();
  document(
      *create,
      "Creates a machine with the default config (the host's image, its default command)\n"
      "and returns without waiting for it to start; 'machine run' says what to run and waits.\n"
      "Metadata is found in DNS as <value>.<key>.kv._metadata.<app>.internal.",
      {"sixpn machine create -a my-app --region ams",
       "sixpn machine create -a my-app --region ams --process-group worker --metadata role=db"});
  create->callback([&ctx, create_opts] { run_create(ctx, *create_opts); });

  auto* list = machine->add_subcommand("list", "List an app's machines");
  list->alias("ls");
  cli::add_app_flag(*list, ctx);
  document(*list, "Lists the app's machines with their host, region, state and 6PN address.",
           {"sixpn machine list -a my-app", "sixpn machine list -a my-app --json"});
  list->callback([&ctx] { run_list(ctx); });

  auto status_opts = std::make_shared<IdOptions>();
  auto* status = id_command(*machine, ctx, "status", "Show one machine and its config",
                            status_opts);
  document(*status,
           "Shows where the machine runs and in which state, how its last run ended (exit\n"
           "code, message), and its config: image, command, env, restart and stop policy.",
           {"sixpn machine status 0e286e5d2c3a47 -a my-app",
            "sixpn machine status 0e286e5d2c3a47 -a my-app --json"});
  status->callback([&ctx, status_opts] { run_status(ctx, *status_opts); });

  auto start_opts = std::make_shared<IdOptions>();
  auto* start = id_command(*machine, ctx, "start", "Start a stopped machine", start_opts);
  add_wait_flags(*start, *start_opts, "started");
  document(*start,
           "Starts the machine and waits until it runs (or fails: exit code 1 with its\n"
           "message); started machines appear in .internal DNS.",
           {"sixpn machine start 0e286e5d2c3a47 -a my-app",
            "sixpn machine start 0e286e5d2c3a47 -a my-app --detach"});
  start->callback([&ctx, start_opts] { run_start_stop(ctx, *start_opts, true); });

  auto stop_opts = std::make_shared<IdOptions>();
  auto* stop = id_command(*machine, ctx, "stop", "Stop a started machine", stop_opts);
  add_wait_flags(*stop, *stop_opts, "stopped");
  stop->add_option("--signal,-s", stop_opts->signal,
                   "Signal for this stop (default: its config's stop signal, SIGINT unless set)")
      ->type_name("SIG");
  stop->add_option("--timeout", stop_opts->stop_timeout,
                   "Time between the signal and SIGKILL for this stop, 0s to 3600s (default: its "
                   "config's stop timeout)")
      ->type_name("DURATION");
  document(*stop,
           "Stops the machine with its config's stop signal (SIGKILL after its stop timeout)\n"
           "and waits until it has stopped; stopped machines leave .internal DNS. --signal and\n"
           "--timeout replace the config's for this stop only (TERM and SIGTERM both work).",
           {"sixpn machine stop 0e286e5d2c3a47 -a my-app",
            "sixpn machine stop 0e286e5d2c3a47 -a my-app --signal SIGTERM --timeout 10s"});
  stop->callback([&ctx, stop_opts] { run_start_stop(ctx, *stop_opts, false); });

  auto destroy_opts = std::make_shared<IdOptions>();
  auto* destroy = id_command(*machine, ctx, "destroy", "Destroy a machine", destroy_opts);
  destroy->alias("remove");
  destroy->alias("rm");
  destroy->add_flag("--yes,-y", destroy_opts->yes, "Do not ask for confirmation");
  add_wait_flags(*destroy, *destroy_opts, "destroyed");
  document(*destroy,
           "Destroys the machine and frees its address, and waits until its host has removed\n"
           "it. Asks first on a terminal; elsewhere --yes is required.",
           {"sixpn machine destroy 0e286e5d2c3a47 -a my-app --yes"});
  destroy->callback([&ctx, destroy_opts] { run_destroy(ctx, *destroy_opts); });
}

}  // namespace sixpn::commands
