//! `private-chef-ctl quorum-status`: may this node serve, as far as quorum goes? One line
//! and an exit code, for operators and scripts. And `quorum-watch`, the service that keeps
//! keepalived's quorum track file current from corosync's notifications, so that a node
//! that loses quorum enters FAULT, drops the VIP and runs the transition that demotes it.

use anyhow::Result;

use super::common::load_optional;
use super::Ctx;
use crate::model::Known;
use crate::observe::quorum::{read, QuorumView};

/// Arguments of `quorum-status`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Exit status: 0 when quorum is off (no ha['quorum_arbiter']) or this node holds it; \
1 when quorum is on and this node does not hold it, or corosync cannot say, or \
private-chef.rb cannot be read."
)]
pub struct Args {
    /// Print nothing: the exit code is the answer.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The line and the exit code for a view.
pub fn verdict(view: &QuorumView) -> (String, i32) {
    match view {
        QuorumView::Off => (
            "quorum off: no arbiter configured (ha['quorum_arbiter']); this node decides alone"
                .to_string(),
            0,
        ),
        QuorumView::On {
            arbiter,
            status: Known::Unknown(r),
        } => (
            format!("quorum unknown (arbiter {arbiter}): {r}; this node must not serve"),
            1,
        ),
        QuorumView::On {
            arbiter,
            status: Known::Known(s),
        } => {
            let members: Vec<&str> = s.members.iter().map(|m| m.name.as_str()).collect();
            let arbiter_vote = if s.arbiter_votes_here() {
                "counted here"
            } else {
                "not counted here"
            };
            let head = format!(
                "{} of {} votes, {} needed; partition: {}; the arbiter {arbiter}'s vote: {arbiter_vote}",
                s.total_votes,
                s.expected_votes,
                s.quorum,
                if members.is_empty() {
                    "none".to_string()
                } else {
                    members.join(", ")
                }
            );
            if s.quorate {
                (format!("quorate: {head}"), 0)
            } else {
                (format!("no quorum: {head}; this node must not serve"), 1)
            }
        }
    }
}

/// Runs the command; returns the exit code.
pub fn run(args: &Args, ctx: &Ctx) -> Result<i32> {
    let (cfg, _) = load_optional(ctx)?;
    let settings = cfg.map(|c| c.quorum_settings()).unwrap_or_default();
    let (line, code) = verdict(&read(&settings));
    if !args.quiet {
        println!("{line}");
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(fixture: &str) -> QuorumView {
        crate::corosync::fixture_view(fixture, "fe1.lab.example")
    }

    #[test]
    fn lines_and_codes() {
        assert_eq!(verdict(&QuorumView::Off).1, 0);
        assert_eq!(
            verdict(&on("quorumtool-s-healthy.txt")),
            (
                "quorate: 3 of 3 votes, 2 needed; partition: be1, be2; the arbiter fe1.lab.example's vote: counted here".to_string(),
                0
            )
        );
        assert_eq!(
            verdict(&on("quorumtool-s-isolated.txt")),
            (
                "no quorum: 1 of 3 votes, 2 needed; partition: be2; the arbiter fe1.lab.example's vote: not counted here; this node must not serve".to_string(),
                1
            )
        );
        let unknown = QuorumView::On {
            arbiter: "fe1".into(),
            status: Known::Unknown("corosync is not running".into()),
        };
        assert_eq!(verdict(&unknown).1, 1);
    }
}

/// Arguments of `quorum-watch`.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Runs until killed (a service: runit `sv/quorum-watch/run` with `exec private-chef-ctl quorum-watch`, always up on the back ends when quorum is on).

keepalived.conf, on both back ends:
  track_file quorum {
    file \"/var/opt/opscode/keepalived/quorum.track\"
    weight 0
    init_file 1
  }
and `track_file { quorum }` in the vrrp_instance."
)]
pub struct WatchArgs {
    /// The file keepalived tracks (default: quorum.track in keepalived's directory).
    #[arg(long, value_name = "PATH")]
    pub file: Option<std::path::PathBuf>,
}

/// Runs the watcher (never returns unless the topology cannot be read).
pub fn watch(args: &WatchArgs, ctx: &Ctx) -> Result<i32> {
    let (_, paths) = load_optional(ctx)?;
    let file = args
        .file
        .clone()
        .unwrap_or_else(|| paths.keepalived_dir.join("quorum.track"));
    crate::act::quorum_watch::run(&file, &paths.cluster_log)
}
