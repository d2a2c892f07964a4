//! `lab`: drive the two-node pair and its front end from the command line. State lives in a run directory
//! (default `~/.cache/private-chef-ctl-lab/run/`, or `$LAB_RUN_DIR`) so separate invocations
//! share one running pair.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use lab::{cache, Lab, LabOptions, Link, NodeId};

const USAGE: &str = "usage: lab <command>
  up [--no-frontend] [--monitoring]
                          boot be1 + be2 and the front end fe1 fresh (bootstraps the base images if
                          needed); returns when the pair is healthy and fe1's /_status says pong
                          (--no-frontend: the pair alone; --monitoring: the back ends run
                          node_exporter on :9100 and the metrics textfile service)
  images                  build what the cache lacks (kernel, initramfs, keys, base disk images); boots
                          nothing else
  status                  each back end's view: DRBD role/cstate/dstate, cluster state, VIP, mount,
                          services; fe1: its /_status answer
  exec NODE -- CMD...     run CMD in NODE (be1|be2|fe1); prints its stdout/stderr, exits with its status
  crash NODE              power cut (SIGKILL of the node's qemu)
  start NODE              boot NODE again (a back end on its disk)
  shutdown NODE           graceful: stop keepalived, demote, power off (fe1: power off)
  partition public|cluster [NODE]   unplug the link (on NODE, default be1; fe1 has public only)
  heal public|cluster [NODE]        plug it back in
  pace                    the pace factor measured at boot (scripts scale their waits by it)
  down                    stop everything, remove the run directory
environment: LAB_RUN_DIR, LAB_CACHE_DIR, LAB_PRODUCT_BIN, LAB_VERBOSE, LAB_PACE";

fn run_dir() -> Result<PathBuf> {
    if let Some(d) = std::env::var_os("LAB_RUN_DIR") {
        return Ok(PathBuf::from(d));
    }
    Ok(cache::cache_dir()?.join("run"))
}

fn main() -> ExitCode {
    match real_main() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("lab: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn real_main() -> Result<ExitCode> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        return Ok(ExitCode::from(2));
    };
    let rest = &args[1..];
    let run = run_dir()?;
    match cmd.as_str() {
        "up" => {
            let t0 = Instant::now();
            let (mut frontend, mut monitoring) = (true, false);
            for a in rest {
                match a.as_str() {
                    "--no-frontend" => frontend = false,
                    "--monitoring" => monitoring = true,
                    _ => bail!(
                        "up: unknown option {a:?}; expected up [--no-frontend] [--monitoring]"
                    ),
                }
            }
            if let Some(why) = lab::run_dir_problem(&run) {
                bail!("{why}");
            }
            if run.join("state.json").exists() {
                // a previous pair: stop it first, so `up` always gives a fresh one
                if let Ok(old) = Lab::attach(&run) {
                    old.down()?;
                }
            }
            let opts = LabOptions {
                run_dir: Some(run.clone()),
                detached: true,
                name: Some("cli".into()),
                verbose: true,
                frontend,
                monitoring,
                ..LabOptions::default()
            };
            match Lab::up(opts) {
                Ok(lab) => {
                    println!(
                        "lab: pair healthy in {:.1}s (be1 master, be2 backup{}); pace factor {:.2}; run dir {}",
                        t0.elapsed().as_secs_f64(),
                        if frontend { ", fe1 /_status pong" } else { "" },
                        lab.pace(),
                        run.display()
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(e) => {
                    if let Ok(l) = Lab::attach(&run) {
                        let _ = l.down();
                    }
                    Err(e)
                }
            }
        }
        "images" => {
            if !rest.is_empty() {
                bail!("images takes no arguments");
            }
            lab::prepare_cache(true)?;
            Ok(ExitCode::SUCCESS)
        }
        "status" => {
            let lab = Lab::attach(&run)?;
            println!(
                "pace factor {:.2} (every lab wait is scaled by it)",
                lab.pace()
            );
            let mut bad = false;
            for n in NodeId::ALL {
                if n == NodeId::Fe1 && !lab.has_frontend() {
                    continue;
                }
                if !lab.is_running(n) {
                    println!("{n}: not running");
                    bad = true;
                    continue;
                }
                if n == NodeId::Fe1 {
                    match lab.frontend_status() {
                        Ok(a) => {
                            println!("{n}: /_status {} {}", a.code, a.body);
                            bad |= a.code != 200;
                        }
                        Err(e) => {
                            println!("{n}: /_status unreachable: {e:#}");
                            bad = true;
                        }
                    }
                    continue;
                }
                match lab.status(n) {
                    Ok(s) => println!("{n}: {}", s.summary()),
                    Err(e) => {
                        println!("{n}: unreachable: {e:#}");
                        bad = true;
                    }
                }
            }
            Ok(if bad {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        "exec" => {
            let node = NodeId::parse(rest.first().context("exec NODE -- CMD...")?)?;
            let mut argv: &[String] = &rest[1..];
            if argv.first().map(String::as_str) == Some("--") {
                argv = &argv[1..];
            }
            if argv.is_empty() {
                bail!("exec NODE -- CMD...");
            }
            let lab = Lab::attach(&run)?;
            // one argument = a shell script (pipes etc.); several = an argument vector
            let out = if argv.len() == 1 {
                lab.exec_timeout(node, &argv[0], std::time::Duration::from_secs(600))?
            } else {
                let v: Vec<&str> = argv.iter().map(String::as_str).collect();
                lab.exec_argv(node, &v)?
            };
            std::io::stdout().write_all(out.stdout.as_bytes())?;
            std::io::stderr().write_all(out.stderr.as_bytes())?;
            Ok(ExitCode::from(
                u8::try_from(out.code.clamp(0, 255)).unwrap_or(255),
            ))
        }
        "crash" | "start" | "shutdown" => {
            let node = NodeId::parse(rest.first().context("NODE (be1|be2|fe1)")?)?;
            let lab = Lab::attach(&run)?;
            let t0 = Instant::now();
            match cmd.as_str() {
                "crash" => lab.crash(node)?,
                "start" => lab.start(node)?,
                _ => lab.shutdown(node)?,
            }
            println!(
                "lab: {cmd} {node} done in {:.1}s",
                t0.elapsed().as_secs_f64()
            );
            Ok(ExitCode::SUCCESS)
        }
        "partition" | "heal" => {
            let link = Link::parse(rest.first().context("public|cluster")?)?;
            let node = match rest.get(1) {
                Some(n) => NodeId::parse(n)?,
                None => NodeId::Be1,
            };
            let lab = Lab::attach(&run)?;
            if cmd == "partition" {
                lab.cut_link(node, link)?;
            } else {
                lab.heal_link(node, link)?;
            }
            println!("lab: {cmd} {link:?} link of {node}");
            Ok(ExitCode::SUCCESS)
        }
        "pace" => {
            println!("{:.2}", Lab::attach(&run)?.pace());
            Ok(ExitCode::SUCCESS)
        }
        "down" => {
            match Lab::attach(&run) {
                Ok(lab) => lab.down()?,
                Err(_) => {
                    // only a directory the lab made (marked) is removed
                    if run.join(".lab-run-dir").exists() {
                        let _ = std::fs::remove_dir_all(&run);
                    }
                }
            }
            println!("lab: down");
            Ok(ExitCode::SUCCESS)
        }
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        other => {
            eprintln!("lab: unknown command {other:?}\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}
