// `sixpn machine run`: flyctl's `fly machine run` for machines on sixpn hosts. What to run
// comes after "--"; the machine is created with that config and, unless --detach, awaited
// until its process runs.
#include <CLI/CLI.hpp>

#include "cli/config.hpp"
#include "cli/context.hpp"
#include "cli/resolve.hpp"
#include "commands/commands.hpp"
#include "commands/common.hpp"
#include "commands/machine_args.hpp"
#include "commands/machine_view.hpp"
#include "commands/machine_wait.hpp"

namespace sixpn::commands {

namespace {

// The services of the app's fly.toml, found the way -a resolution finds it.
FileServices file_services(cli::Context& ctx, const std::string& app) {
  auto fly = cli::fly_toml_of_app(ctx.options.settings.fly_toml, app);
  if (!fly) return {};
  return FileServices{fly->source, fly->services, fly->force_https_at};
}

void run_machine(cli::Context& ctx, const RunFlags& flags) {
  const std::string app = cli::resolve_app(ctx);
  // Every flag and the fly.toml are checked before anything is sent.
  const RunPlan plan = plan_machine_run(flags, file_services(ctx, app));
  auto m = ctx.client().create_machine(app, plan.body);
  ctx.out.info("Created machine " + m.id + " in app " + app + " on " +
               (m.host.empty() ? "a host" : "host " + m.host) + " in " + m.region);
  if (plan.wait) {
    ctx.out.info("Waiting for machine " + m.id + " to start…");
    m = await_machine_state(ctx.client(), app, m, "started", plan.wait_timeout_seconds);
  }
  if (ctx.out.json()) {
    ctx.out.json_document(machine_json(m));
  } else {
    ctx.out.table(kMachineHeaders, {machine_row(m)});
  }
  if (plan.wait) {
    ctx.out.info("Machine " + m.id + " is started at " + m.private_ip + "; its output: 'sixpn logs -a " +
                 app + " --machine " + m.id + "'");
  }
}

void add_service_flags(CLI::App& run, ServiceFlags& f) {
  run.add_option("--port,-p", f.ports,
                 "A service port [PORT:]INTERNAL/tcp on the app's Flycast address (repeatable; "
                 "replaces fly.toml's services)")
      ->type_name("[PORT:]INTERNAL/tcp")
      ->allow_extra_args(false);
  // A function, not a std::optional<bool> target: CLI11 sets such a target even when the flag
  // is absent. It gets the sum of the values given, false counting -1.
  run.add_flag_function(
         "--autostart", [&f](std::int64_t sum) { f.autostart = sum > 0; },
         "Start the machine when a connection needs it (default true; --autostart=false)");
  run.add_option("--autostop", f.autostop, "Stop the machine when traffic allows (default off)")
      ->type_name("stop|off");
  run.add_option("--soft-limit", f.soft_limit,
                 "Connections over which it gets traffic only when all others do (default 20)")
      ->type_name("N");
  run.add_option("--hard-limit", f.hard_limit,
                 "Connections at which it gets no new ones (default 25)")
      ->type_name("N");
  run.add_option("--min-machines-running", f.min_machines_running,
                 "Machines autostop leaves running (default 0)")
      ->type_name("N");
}

}  // namespace

void add_machine_run(CLI::App& machine, cli::Context& ctx) {
  auto flags = std::make_shared<RunFlags>();
  auto* run = machine.add_subcommand("run", "Create a machine that runs a command, and start it");
  cli::add_app_flag(*run, ctx);
  run->add_option("--region,-r", flags->region, "Region code (see 'platform regions')")
      ->required()
      ->type_name("REGION");
  run->add_option("--name,-n", flags->name, "Machine name")->type_name("NAME");
  run->add_option("--env,-e", flags->env, "Environment variable KEY=VALUE (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  run->add_option("--metadata,-m", flags->metadata, "Metadata key=value (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  run->add_option("--image", flags->image,
                  "host (the host's own /usr, /bin, /lib, /etc, read-only) or an absolute path on "
                  "the host to a root filesystem or OCI image layout (DIR[:TAG])")
      ->type_name("IMAGE")
      ->capture_default_str();
  run->add_option("--restart", flags->restart,
                  "Restart policy: no, always or on-failure (default on-failure)")
      ->type_name("POLICY:{no,always,on-failure}");
  run->add_option("--max-retries", flags->max_retries,
                  "Restarts in a row with --restart on-failure (default 10)")
      ->type_name("N");
  run->add_option("--stop-signal", flags->stop_signal, "Signal that stops it (default SIGINT)")
      ->type_name("SIGNAL:{SIGINT,SIGTERM,SIGQUIT,SIGHUP,SIGUSR1,SIGUSR2,SIGKILL}");
  run->add_option("--stop-timeout", flags->stop_timeout,
                  "Time between the stop signal and SIGKILL (default 5s)")
      ->type_name("DURATION");
  run->add_option("--cpus", flags->cpus, "CPU quota in CPUs (default: no limit)")->type_name("N");
  run->add_option("--memory", flags->memory_mb, "Memory limit in MB (default: no limit)")
      ->type_name("MB");
  run->add_option("--process-group", flags->process_group, "Process group (default app)")
      ->type_name("GROUP");
  add_service_flags(*run, flags->services);
  run->add_flag("--detach,-d", flags->detach, "Return once it is created, without waiting");
  run->add_option("--wait-timeout", flags->wait_timeout, "How long to wait for it to start")
      ->type_name("DURATION")
      ->capture_default_str();
  run->add_option("command", flags->command, "The command and its arguments, after --")
      ->type_name("COMMAND [ARGS...]");
  document(*run,
           "Creates a machine on a host of the region with the command after -- and waits\n"
           "until its process runs. A machine that cannot start (no such program, its image\n"
           "missing, its restart policy giving up) is exit code 1 with the host's message.\n"
           "The machine's environment has FLY_APP_NAME, FLY_MACHINE_ID, FLY_REGION,\n"
           "FLY_PRIVATE_IP and the --env variables; its output is in 'sixpn logs'.\n"
           "Its services (what the app's Flycast address reaches) come from --port, else\n"
           "from the app's fly.toml ([[services]], [http_service]); --autostart, --autostop,\n"
           "the limits and --min-machines-running then apply to every service.",
           {"sixpn machine run -a my-app --region ams -- python3 -m http.server 8080",
            "sixpn machine run -a my-app -r ams --name worker-1 --env MODE=batch --restart no "
            "-- /usr/bin/env",
            "sixpn machine run -a my-app -r ams --image /srv/rootfs/alpine --detach -- sleep 600",
            "sixpn machine run -a db -r ams --port 5432/tcp --autostop stop -- my-db-server"});
  run->callback([&ctx, flags] { run_machine(ctx, *flags); });
}

}  // namespace sixpn::commands
