//! The command line: one file per command, each with its clap `Args` and a `run`
//! function returning the process exit code. `main.rs` only maps errors to exit codes.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

pub mod check;
pub mod cluster_transition;
pub mod common;
pub mod docs;
pub mod drbd_handler;
pub mod drbd_status;
pub mod drbd_witness;
pub mod failover;
pub mod frontend_status;
pub mod ha_diagnose;
pub mod ha_recover;
pub mod ha_status;
pub mod master_recover;
pub mod metrics;
pub mod preserve_copy;
pub mod quorum_status;
pub mod service;
pub mod show_config;

/// Default location of the topology file, as in Enterprise Chef 11.
pub const DEFAULT_CONFIG: &str = "/etc/opscode/private-chef.rb";

/// High-availability control for a DRBD + keepalived back-end pair.
#[derive(Debug, Parser)]
#[command(
    name = "private-chef-ctl",
    version,
    about,
    long_about = None,
    after_help = crate::model::exit::HELP
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Commands,
}

/// Options every command takes.
#[derive(Debug, Clone, clap::Args)]
pub struct GlobalArgs {
    /// Topology file (a strict subset of Enterprise Chef's private-chef.rb Ruby DSL).
    /// [default: /etc/opscode/private-chef.rb]. A file named here (or in the environment)
    /// that is missing or unreadable is an error for every command; the default file alone
    /// may be absent where a command can work without it (the service verbs,
    /// cluster-transition and drbd-handler then use the default paths).
    #[arg(
        long,
        global = true,
        env = "PRIVATE_CHEF_CTL_CONFIG",
        value_name = "PATH"
    )]
    pub config: Option<PathBuf>,
    /// Say more: e.g. the configuration lines that were skipped.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

impl GlobalArgs {
    /// The topology file: the one named, else the default.
    pub fn config_path(&self) -> &std::path::Path {
        self.config
            .as_deref()
            .unwrap_or(std::path::Path::new(DEFAULT_CONFIG))
    }

    /// Was the topology file named (`--config` or the environment)?
    pub fn config_is_explicit(&self) -> bool {
        self.config.is_some()
    }
}

/// Context handed to every command.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub global: GlobalArgs,
}

#[derive(Debug, Subcommand)]
pub enum Commands {
    /// Show the status of high availability services (the original's checks, lines and exit codes).
    HaStatus(ha_status::Args),
    /// Show the DRBD devices from /proc/drbd (or a file) as a table or JSON.
    DrbdStatus(drbd_status::Args),
    /// Show the effective topology and paths read from private-chef.rb.
    ShowConfig(show_config::Args),
    /// Show the status of all enabled services, or of one.
    Status(common::ServiceArgs),
    /// Start services if they are down, restart them if they stop. `start keepalived` waits
    /// until this node settles as master or backup.
    Start(failover::StartStopArgs),
    /// Stop services, and do not restart them. `stop keepalived` is the graceful failover:
    /// it returns when the peer is Primary and holds the VIP (exit 0), is stuck (1) or is
    /// refused (2).
    Stop(failover::StartStopArgs),
    /// Stop services if they are running, then start them again.
    Restart(common::ServiceArgs),
    /// Start services if they are down; do not restart them if they stop.
    Once(common::ServiceArgs),
    /// Send services a HUP.
    Hup(common::ServiceArgs),
    /// Send services a TERM.
    Term(common::ServiceArgs),
    /// Send services an INT.
    Int(common::ServiceArgs),
    /// Send services a KILL.
    Kill(common::ServiceArgs),
    /// Send services a USR1.
    Usr1(common::ServiceArgs),
    /// Send services a USR2.
    Usr2(common::ServiceArgs),
    /// Stop services, then SIGKILL whatever is left of their process groups.
    GracefulKill(common::ServiceArgs),
    /// List all the services (enabled services end with a *).
    ServiceList(service::ServiceListArgs),
    /// Watch the service logs of all enabled services, or of one.
    Tail(common::ServiceArgs),
    /// keepalived's notify entry point: move this node to master, backup, fault or stop.
    ClusterTransition(cluster_transition::Args),
    /// Set this server to HA master state, ignoring VRRP (after checking preconditions).
    MasterRecover(master_recover::Args),
    /// Set this server to HA backup state, ignoring VRRP.
    BackupRecover(master_recover::Args),
    /// Name the pair's situation (healthy, scenario 1-5, split brain, …) from both nodes' state.
    HaDiagnose(ha_diagnose::Args),
    /// Walk through the recovery of a failure scenario, one confirmed step at a time.
    HaRecover(ha_recover::Args),
    /// DRBD handler entry point (drbd.conf `handlers { fence-peer "…"; split-brain "…"; … }`):
    /// fence-peer answers DRBD with its exit code, the others always exit 0.
    DrbdHandler(drbd_handler::Args),
    /// Remember what this node saw of its DRBD peer since boot (an always-up service; the
    /// master transition reads its record before promoting).
    DrbdWitness(drbd_witness::Args),
    /// Copy a split-brain victim's backing device to an image (free space checked first,
    /// mode 0600, no partial image left behind); used by ha-recover split-brain.
    #[command(hide = true)]
    PreserveCopy(preserve_copy::Args),
    /// May this node serve as far as quorum goes (exit 0) or not (exit 1).
    QuorumStatus(quorum_status::Args),
    /// Keep keepalived's quorum track file current from corosync's notifications (an
    /// always-up service on the back ends when quorum is on).
    QuorumWatch(quorum_status::WatchArgs),
    /// Ask the front ends for /_status (in parallel, each bounded in time): pong, fail or
    /// unreachable, per upstream, with the back end that served.
    FrontendStatus(frontend_status::Args),
    /// Print this node's state as Prometheus metrics: to stdout, to a node_exporter
    /// textfile directory, or served over HTTP.
    #[command(after_long_help = crate::render::metrics::catalogue::text())]
    Metrics(metrics::Args),
    /// Check this node for Nagios, Icinga, Sensu or Zabbix (Monitoring Plugins
    /// conventions: exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN).
    #[command(after_long_help = crate::decide::health::STATES)]
    Check(Box<check::Args>),
    /// Print a shell completion script (bash, zsh or fish) to stdout.
    Completions(docs::CompletionsArgs),
    /// Write man pages and completion scripts generated from the command definitions.
    #[command(hide = true)]
    GenDocs(docs::GenDocsArgs),
}

impl Commands {
    /// Commands that only read and print: a closed stdout (`| head -1`) ends them at once
    /// and quietly, killed by SIGPIPE as coreutils are (the shell shows 141). Every other
    /// command keeps SIGPIPE ignored and finishes its work, whatever happens to its output.
    pub fn only_reads(&self) -> bool {
        // metrics to stdout only reads; with --textfile or --listen it writes and serves
        if let Commands::Metrics(a) = self {
            return a.textfile.is_none() && a.listen.is_none();
        }
        matches!(
            self,
            Commands::HaStatus(_)
                | Commands::DrbdStatus(_)
                | Commands::ShowConfig(_)
                | Commands::Status(_)
                | Commands::ServiceList(_)
                | Commands::Tail(_)
                | Commands::HaDiagnose(_)
                | Commands::FrontendStatus(_)
                | Commands::Check(_)
                | Commands::Completions(_)
        )
    }
}

/// The command a command line names (the first word that is not an option).
fn command_word(args: impl Iterator<Item = std::ffi::OsString>) -> Option<String> {
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        if a == "--config" {
            args.next(); // its value
            continue;
        }
        let a = a.to_string_lossy().into_owned();
        if a.starts_with('-') {
            continue;
        }
        return Some(a);
    }
    None
}

/// The exit code of a command line clap refused: 2 (refused: bad arguments), except for
/// `frontend-status`, whose 2 means a front end is unreachable, and `check`, whose 2 means
/// CRITICAL: there it is 3 (bad configuration; UNKNOWN).
pub fn usage_error_code(args: impl Iterator<Item = std::ffi::OsString>) -> i32 {
    match command_word(args).as_deref() {
        Some("frontend-status") => crate::decide::frontends::EXIT_CONFIG,
        Some("check") => crate::decide::health::State::Unknown.code(),
        _ => crate::model::exit::REFUSED,
    }
}

/// The exit code after `--help` or `--version`: 0, except for `check`, which follows the
/// Monitoring Plugins guidelines (UNKNOWN: no state was checked).
pub fn help_exit_code(args: impl Iterator<Item = std::ffi::OsString>) -> i32 {
    match command_word(args).as_deref() {
        Some("check") => crate::decide::health::State::Unknown.code(),
        _ => 0,
    }
}

/// Runs the parsed command line; returns the exit code. The peer connection the command
/// opened (if any) is closed when it ends.
pub fn run(cli: Cli) -> anyhow::Result<i32> {
    let r = dispatch(cli);
    crate::observe::ssh_share::close_all();
    r
}

fn dispatch(cli: Cli) -> anyhow::Result<i32> {
    if cli.command.only_reads() {
        crate::sys::default_sigpipe();
    }
    let ctx = Ctx {
        global: cli.global.clone(),
    };
    use crate::act::services::Verb;
    use crate::service::Control;
    match &cli.command {
        Commands::HaStatus(a) => ha_status::run(a, &ctx),
        Commands::DrbdStatus(a) => drbd_status::run(a, &ctx),
        Commands::ShowConfig(a) => show_config::run(a, &ctx),
        Commands::Status(a) => service::run(Verb::Status, a, &ctx),
        Commands::Start(a) => match failover::run(false, a, &ctx)? {
            Some(code) => Ok(code),
            None => service::run(Verb::Control(Control::Start), &a.svc, &ctx),
        },
        Commands::Stop(a) => match failover::run(true, a, &ctx)? {
            Some(code) => Ok(code),
            None => service::run(Verb::Control(Control::Stop), &a.svc, &ctx),
        },
        Commands::Restart(a) => service::run(Verb::Control(Control::Restart), a, &ctx),
        Commands::Once(a) => service::run(Verb::Control(Control::Once), a, &ctx),
        Commands::Hup(a) => service::run(Verb::Control(Control::Hup), a, &ctx),
        Commands::Term(a) => service::run(Verb::Control(Control::Term), a, &ctx),
        Commands::Int(a) => service::run(Verb::Control(Control::Int), a, &ctx),
        Commands::Kill(a) => service::run(Verb::Control(Control::Kill), a, &ctx),
        Commands::Usr1(a) => service::run(Verb::Control(Control::Usr1), a, &ctx),
        Commands::Usr2(a) => service::run(Verb::Control(Control::Usr2), a, &ctx),
        Commands::GracefulKill(a) => service::run(Verb::GracefulKill, a, &ctx),
        Commands::ServiceList(a) => service::run_service_list(a, &ctx),
        Commands::Tail(a) => service::run_tail(a, &ctx),
        Commands::ClusterTransition(a) => cluster_transition::run(a, &ctx),
        Commands::MasterRecover(a) => {
            master_recover::run(master_recover::RecoverTo::Master, a, &ctx)
        }
        Commands::BackupRecover(a) => {
            master_recover::run(master_recover::RecoverTo::Backup, a, &ctx)
        }
        Commands::HaDiagnose(a) => ha_diagnose::run(a, &ctx),
        Commands::HaRecover(a) => ha_recover::run(a, &ctx),
        Commands::DrbdHandler(a) => drbd_handler::run(a, &ctx),
        Commands::PreserveCopy(a) => preserve_copy::run(a),
        Commands::DrbdWitness(a) => drbd_witness::run(a, &ctx),
        Commands::QuorumStatus(a) => quorum_status::run(a, &ctx),
        Commands::QuorumWatch(a) => quorum_status::watch(a, &ctx),
        Commands::FrontendStatus(a) => frontend_status::run(a, &ctx),
        Commands::Metrics(a) => metrics::run(a, &ctx),
        // whatever fails, a check answers in its own terms: UNKNOWN
        Commands::Check(a) => check::run(a, &ctx).or_else(|e| {
            print!("{}", crate::render::check::unknown(&format!("{e:#}")));
            Ok(crate::decide::health::State::Unknown.code())
        }),
        Commands::Completions(a) => docs::run_completions(a),
        Commands::GenDocs(a) => docs::run_gen_docs(a),
    }
}
