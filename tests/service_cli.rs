//! The service verbs against real runit: one `runsv` per service in a temp layout
//! (requires runit: `apt-get install -y runit`). The layout is injected through the
//! library API (`run_verb` with a `RunitManager` over temp `Paths`); the binary is
//! driven for what needs no custom layout.

mod common;

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use private_chef_ctl::act::services::{run_verb, service_list, tail_files, Verb};
use private_chef_ctl::config::Paths;
use private_chef_ctl::service::runit::{pgrp_of, pids_in_pgrp};
use private_chef_ctl::service::{Control, RunitManager, ServiceManager, State};

/// Kills every runsv it started (their whole process groups) and any extra process
/// group registered, even when the test panics.
struct Runsvs {
    children: Vec<Child>,
    extra_pgrps: Vec<i32>,
}

impl Drop for Runsvs {
    fn drop(&mut self) {
        // SAFETY: plain kill(2) calls on process groups we created.
        let me = unsafe { libc::getpgrp() };
        for g in &self.extra_pgrps {
            if *g > 1 && *g != me {
                unsafe { libc::kill(-*g, libc::SIGKILL) };
            }
        }
        for c in &mut self.children {
            let g = c.id() as i32;
            if g > 1 && g != me {
                unsafe { libc::kill(-g, libc::SIGKILL) };
            }
            let _ = c.wait();
        }
    }
}

struct Layout {
    _tmp: tempfile::TempDir,
    paths: Paths,
    runsvs: Runsvs,
}

fn have_runit() -> bool {
    Command::new("runsv").arg("--help").output().is_ok()
}

macro_rules! require_runit {
    () => {
        assert!(
            have_runit(),
            "these tests need runit (runsv, sv): apt-get install -y runit"
        );
    };
}

impl Layout {
    fn new() -> Layout {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for d in ["sv", "service", "log"] {
            std::fs::create_dir_all(root.join(d)).unwrap();
        }
        let paths = Paths {
            sv_dir: root.join("sv"),
            service_dir: root.join("service"),
            log_dir: root.join("log"),
            sv_bin: PathBuf::from("sv"),
            svwait_secs: 7,
            ..Paths::default()
        };
        Layout {
            _tmp: tmp,
            paths,
            runsvs: Runsvs {
                children: Vec::new(),
                extra_pgrps: Vec::new(),
            },
        }
    }

    /// sv_dir/<name> with a run script (and a log service); `down` file when asked.
    fn add(&self, name: &str, run: &str, down: bool) {
        let d = self.paths.sv_dir.join(name);
        std::fs::create_dir_all(d.join("log")).unwrap();
        write_exec(&d.join("run"), &format!("#!/bin/sh\nexec 2>&1\n{run}\n"));
        write_exec(&d.join("log/run"), "#!/bin/sh\nexec cat >/dev/null\n");
        if down {
            std::fs::write(d.join("down"), "").unwrap();
        }
    }

    /// Enables (symlink into service_dir) and starts a runsv on it, as runsvdir would.
    fn enable(&mut self, name: &str) {
        let link = self.paths.service_dir.join(name);
        std::os::unix::fs::symlink(self.paths.sv_dir.join(name), &link).unwrap();
        let child = Command::new("runsv")
            .arg(&link)
            .process_group(0)
            .spawn()
            .unwrap();
        self.runsvs.children.push(child);
        // Wait until runsv (and its log runsv) serve the control fifos and wrote status.
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            let m = self.mgr();
            let st = m.status(name);
            if !st.state.is_unknown() && st.log.as_ref().is_some_and(|l| l.state.is_up()) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "runsv for {name} did not come up: {:?}",
            self.mgr().status(name)
        );
    }

    fn mgr(&self) -> RunitManager {
        RunitManager::new(self.paths.clone())
    }

    /// Runs a verb; returns (exit code, stdout, stderr).
    fn verb(&self, verb: Verb, svc: Option<&str>, verbose: bool) -> (i32, String, String) {
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = run_verb(&self.mgr(), verb, svc, verbose, &mut out, &mut err).unwrap();
        (
            code,
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    fn wait_state(&self, name: &str, up: bool) {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if self.mgr().status(name).state.is_up() == up {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!("{name} not up={up}: {:?}", self.mgr().status(name));
    }
}

fn write_exec(p: &Path, text: &str) {
    common::write_executable(p, text);
}

/// Strips the pid and seconds from a status line, for comparison.
fn shape(line: &str) -> String {
    let mut s = String::new();
    for w in line.split(' ') {
        let w2 = if w.ends_with(')') && w.trim_end_matches(')').parse::<u32>().is_ok() {
            "N)".to_string()
        } else if let Some(n) = w.strip_suffix("s;").or(w.strip_suffix("s,")) {
            if n.parse::<u64>().is_ok() {
                format!("Ns{}", &w[w.len() - 1..])
            } else {
                w.to_string()
            }
        } else if w
            .strip_suffix('s')
            .is_some_and(|n| n.parse::<u64>().is_ok())
        {
            "Ns".to_string()
        } else {
            w.to_string()
        };
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(&w2);
    }
    s
}

#[test]
fn status_start_stop_with_real_runsv() {
    require_runit!();
    let mut l = Layout::new();
    l.add("alpha", "exec sleep 1000", false);
    l.add("bravo", "exec sleep 1000", true);
    l.add("charlie", "exec sleep 1000", false); // never enabled
    l.enable("alpha");
    l.enable("bravo");
    l.wait_state("alpha", true);

    let (code, out, _) = l.verb(Verb::Status, None, false);
    let lines: Vec<String> = out.lines().map(shape).collect();
    assert_eq!(
        lines,
        [
            "run: alpha: (pid N) Ns; run: log: (pid N) Ns",
            "down: bravo: Ns; run: log: (pid N) Ns",
        ],
        "{out}"
    );
    assert_eq!(code, 3, "bravo is down (has a down file)");

    // --verbose mentions the disabled service.
    let (_, out, _) = l.verb(Verb::Status, None, true);
    assert!(out.lines().any(|x| x == "charlie disabled"), "{out}");

    let (code, out, _) = l.verb(Verb::Control(Control::Start), Some("bravo"), false);
    assert_eq!(code, 0);
    assert_eq!(
        shape(out.trim()),
        "ok: run: bravo: (pid N) Ns, normally down"
    );
    let (code, out, _) = l.verb(Verb::Status, None, false);
    assert_eq!(code, 0, "{out}");

    let (code, out, _) = l.verb(Verb::Control(Control::Stop), Some("alpha"), false);
    assert_eq!(code, 0);
    assert_eq!(shape(out.trim()), "ok: down: alpha: Ns, normally up");
    let (code, out, _) = l.verb(Verb::Status, Some("alpha"), false);
    assert_eq!(code, 3);
    assert_eq!(
        shape(out.trim()),
        "down: alpha: Ns, normally up; run: log: (pid N) Ns"
    );

    // Named but disabled: "<svc> disabled", exit 1.
    let (code, out, _) = l.verb(Verb::Control(Control::Start), Some("charlie"), false);
    assert_eq!((code, out.as_str()), (1, "charlie disabled\n"));
    // Unknown name: an error listing the valid names.
    let e = run_verb(
        &l.mgr(),
        Verb::Control(Control::Start),
        Some("nosuch"),
        false,
        &mut Vec::new(),
        &mut Vec::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("nosuch") && e.contains("alpha, bravo, charlie"),
        "{e}"
    );

    // service-list: all, * when enabled.
    let mut out = Vec::new();
    assert_eq!(service_list(&l.mgr(), &mut out).unwrap(), 0);
    assert_eq!(String::from_utf8(out).unwrap(), "alpha*\nbravo*\ncharlie\n");

    // Signals go through sv without output.
    let (code, out, _) = l.verb(Verb::Control(Control::Hup), Some("bravo"), false);
    assert_eq!((code, out.as_str()), (0, ""));
}

#[test]
fn global_commands_skip_keepalived_except_status() {
    require_runit!();
    let mut l = Layout::new();
    l.add("keepalived", "exec sleep 1000", false);
    l.add("nginx", "exec sleep 1000", false);
    l.enable("keepalived");
    l.enable("nginx");
    l.wait_state("keepalived", true);
    l.wait_state("nginx", true);

    let (code, out, _) = l.verb(Verb::Control(Control::Stop), None, false);
    assert_eq!(code, 0);
    assert!(!out.contains("keepalived"), "{out}");
    assert!(l.mgr().status("keepalived").state.is_up());
    assert!(!l.mgr().status("nginx").state.is_up());

    let (code, out, _) = l.verb(Verb::Status, None, false);
    assert_eq!(code, 3, "nginx down");
    assert!(out.starts_with("run: keepalived: "), "{out}");

    // Named: handled like any service.
    let (code, out, _) = l.verb(Verb::Control(Control::Stop), Some("keepalived"), false);
    assert_eq!(code, 0);
    assert!(out.starts_with("ok: down: keepalived: "), "{out}");
    let (code, _, _) = l.verb(Verb::Control(Control::Start), None, false);
    assert_eq!(code, 0);
    assert!(
        !l.mgr().status("keepalived").state.is_up(),
        "global start skipped it"
    );
    assert!(l.mgr().status("nginx").state.is_up());
}

#[test]
fn exit_code_is_first_nonzero() {
    require_runit!();
    let mut l = Layout::new();
    l.paths.svwait_secs = 1;
    l.add("a-ok", "exec sleep 1000", false);
    l.add("b-down", "exec sleep 1000", true);
    l.add("c-broken", "exec sleep 1000", false);
    l.add("d-crash", "sleep 0.1; exit 1", true);
    // sv takes a service for up when its ./check succeeds: this one never does, so `start`
    // times out however briefly sv catches the crashing process running (a loaded machine)
    write_exec(&l.paths.sv_dir.join("d-crash/check"), "#!/bin/sh\nexit 1\n");
    for s in ["a-ok", "b-down", "c-broken", "d-crash"] {
        l.enable(s);
    }
    // c-broken: runsv gone → Unknown (4).
    let c = l.runsvs.children.remove(2);
    // SAFETY: kill(2) of the process group we created.
    unsafe { libc::kill(-(c.id() as i32), libc::SIGKILL) };
    l.runsvs.children.push(c);
    std::thread::sleep(Duration::from_millis(200));
    let st = l.mgr().status("c-broken");
    assert_eq!(st.status_line(), "fail: c-broken: runsv not running");

    // 0, 3, 4, 3 → 3: the first non-zero (not the sum 10, not the max 4).
    let (code, out, _) = l.verb(Verb::Status, None, false);
    assert_eq!(code, 3, "{out}");
    assert_eq!(out.lines().count(), 4);

    // start: a ok (0), b ok (0), c fails (sv: runsv not running → 1), d times out (1).
    let (code, out, _) = l.verb(Verb::Control(Control::Start), None, false);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("ok: run: b-down"), "{out}");
    assert!(
        out.contains("timeout: ") && out.contains("d-crash"),
        "{out}"
    );
}

#[test]
fn missing_sv_binary_is_named() {
    require_runit!();
    let mut l = Layout::new();
    l.add("alpha", "exec sleep 1000", false);
    l.enable("alpha");
    l.wait_state("alpha", true);
    l.paths.sv_bin = PathBuf::from("/nonexistent/bin/sv");
    let e = run_verb(
        &l.mgr(),
        Verb::Control(Control::Stop),
        None,
        false,
        &mut Vec::new(),
        &mut Vec::new(),
    )
    .unwrap_err();
    let msg = format!("{e:#}");
    assert!(msg.contains("/nonexistent/bin/sv"), "{msg}");
    // status does not need sv at all.
    let (code, _, _) = l.verb(Verb::Status, None, false);
    assert_eq!(code, 0);
}

#[test]
fn unreadable_status_is_unknown() {
    require_runit!();
    let mut l = Layout::new();
    l.add("alpha", "exec sleep 1000", false);
    l.enable("alpha");
    let status = l.paths.service_dir.join("alpha/supervise/status");
    std::fs::write(&status, b"short").unwrap();
    let st = l.mgr().status("alpha");
    match &st.state {
        State::Unknown { reason } => {
            assert!(reason.contains(&status.display().to_string()), "{reason}");
            assert!(reason.contains("5 bytes"), "{reason}");
        }
        s => panic!("{s:?}"),
    }
    let (code, out, _) = l.verb(Verb::Status, Some("alpha"), false);
    assert_eq!(code, 4);
    assert!(out.starts_with("fail: alpha: "), "{out}");
}

#[test]
fn graceful_kill_sweeps_the_process_group() {
    require_runit!();
    let mut l = Layout::new();
    // chpst -P: own process group (as omnibus run scripts); a background child stays
    // behind when the main process gets TERM.
    l.add(
        "stuck",
        "exec chpst -P sh -c 'sleep 1000 & exec sleep 1001'",
        false,
    );
    l.enable("stuck");
    l.wait_state("stuck", true);
    let pid = match l.mgr().status("stuck").state {
        State::Up { pid, .. } => pid as i32,
        s => panic!("{s:?}"),
    };
    // Wait for the shell to have forked the background sleep.
    std::thread::sleep(Duration::from_millis(300));
    let pgrp = pgrp_of(Path::new("/proc"), pid).unwrap();
    l.runsvs.extra_pgrps.push(pgrp);
    assert!(pids_in_pgrp(Path::new("/proc"), pgrp).len() >= 2);

    let (code, out, _) = l.verb(Verb::GracefulKill, Some("stuck"), false);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ok: down: stuck: "), "{out}");
    assert!(
        out.contains("found stuck pids still running in process group: ")
            && out.contains(", sending SIGKILL"),
        "{out}"
    );
    std::thread::sleep(Duration::from_millis(200));
    assert!(pids_in_pgrp(Path::new("/proc"), pgrp).is_empty());

    // Already stopped: no pid → the original's message, then a stop.
    let (code, out, _) = l.verb(Verb::GracefulKill, Some("stuck"), false);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(
            "could not find stuck runit pidfile (service already stopped?), cannot attempt SIGKILL..."
        ),
        "{out}"
    );
}

#[test]
fn tail_file_selection() {
    let t = tempfile::tempdir().unwrap();
    let log = t.path();
    for f in [
        "nginx/current",
        "nginx/access.log",
        "nginx/@4000000063.s",
        "nginx/lock",
        "nginx/config",
        "nginx/old.log.gz",
        "rabbitmq/sasl/x.log",
        "rabbitmq/current",
    ] {
        let p = log.join(f);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, "x").unwrap();
    }
    let rel = |v: Vec<PathBuf>| -> Vec<String> {
        v.iter()
            .map(|p| p.strip_prefix(log).unwrap().display().to_string())
            .collect()
    };
    assert_eq!(
        rel(tail_files(log, None).unwrap()),
        ["nginx/access.log", "nginx/current", "rabbitmq/current"]
    );
    assert_eq!(
        rel(tail_files(log, Some("rabbitmq")).unwrap()),
        ["rabbitmq/current"]
    );
    let e = tail_files(log, Some("nosuch")).unwrap_err().to_string();
    assert!(e.contains("nosuch") && e.contains("does not exist"), "{e}");
}

/// The binary with the default layout: where /opt/opscode/sv does not exist, the verbs
/// fail with an error naming it (exit 1), never a silent success.
#[test]
fn binary_without_install_names_the_missing_dir() {
    // the default topology file absent (not named: a named missing file is an error)
    if Path::new("/opt/opscode/sv").exists() || Path::new("/etc/opscode/private-chef.rb").exists() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_private-chef-ctl");
    for args in [&["status"][..], &["service-list"], &["stop", "nginx"]] {
        let o = Command::new(bin)
            .args(args)
            .env_remove("PRIVATE_CHEF_CTL_CONFIG")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("/opt/opscode/sv"), "{args:?}: {err}");
    }
    if !Path::new("/var/log/opscode").exists() {
        let o = Command::new(bin)
            .arg("tail")
            .env_remove("PRIVATE_CHEF_CTL_CONFIG")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains("/var/log/opscode") && err.contains("does not exist"),
            "{err}"
        );
    }
}

impl Layout {
    /// A private-chef.rb pointing the binary at this layout.
    fn config(&self) -> PathBuf {
        let p = self.paths.sv_dir.parent().unwrap().join("private-chef.rb");
        let text = format!(
            "private_chef_ctl['sv_dir'] = \"{}\"\nprivate_chef_ctl['service_dir'] = \"{}\"\nprivate_chef_ctl['log_dir'] = \"{}\"\nprivate_chef_ctl['sv_bin'] = \"{}\"\nprivate_chef_ctl['svwait'] = {}\n",
            self.paths.sv_dir.display(),
            self.paths.service_dir.display(),
            self.paths.log_dir.display(),
            self.paths.sv_bin.display(),
            self.paths.svwait_secs
        );
        std::fs::write(&p, text).unwrap();
        p
    }

    /// Runs the binary with `--config`; returns (exit code, stdout, stderr).
    fn bin(&self, args: &[&str]) -> (i32, String, String) {
        let o = Command::new(env!("CARGO_BIN_EXE_private-chef-ctl"))
            .arg("--config")
            .arg(self.config())
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&o.stdout).into_owned(),
            String::from_utf8_lossy(&o.stderr).into_owned(),
        )
    }
}

#[test]
fn binary_with_config_layout() {
    require_runit!();
    let mut l = Layout::new();
    l.add("keepalived", "exec sleep 1000", false);
    l.add("nginx", "exec sleep 1000", false);
    l.add("solr", "exec sleep 1000", true);
    l.add("webui", "exec sleep 1000", false); // disabled
    std::fs::write(l.paths.sv_dir.join("nginx/keepalive_me"), "").unwrap();
    for s in ["keepalived", "nginx", "solr"] {
        l.enable(s);
    }
    l.wait_state("nginx", true);

    let (code, out, _) = l.bin(&["service-list"]);
    assert_eq!(
        (code, out.as_str()),
        (0, "keepalived*\nnginx*\nsolr*\nwebui\n")
    );

    let (code, out, _) = l.bin(&["status"]);
    assert_eq!(code, 3, "solr is down: {out}");
    let shapes: Vec<String> = out.lines().map(shape).collect();
    assert_eq!(
        shapes,
        [
            "run: keepalived: (pid N) Ns; run: log: (pid N) Ns",
            "run: nginx: (pid N) Ns; run: log: (pid N) Ns",
            "down: solr: Ns; run: log: (pid N) Ns",
        ]
    );
    let (_, out, _) = l.bin(&["--verbose", "status"]);
    assert!(out.ends_with("webui disabled\n"), "{out}");

    let (code, out, _) = l.bin(&["start", "solr"]);
    assert_eq!(code, 0);
    assert_eq!(
        shape(out.trim()),
        "ok: run: solr: (pid N) Ns, normally down"
    );
    let (code, _, _) = l.bin(&["status"]);
    assert_eq!(code, 0);

    // Global stop skips keepalived.
    let (code, out, _) = l.bin(&["stop"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(out.lines().count(), 2, "{out}");
    let (code, out, _) = l.bin(&["status", "keepalived"]);
    assert_eq!(code, 0, "{out}");

    let (code, out, _) = l.bin(&["stop", "webui"]);
    assert_eq!((code, out.as_str()), (1, "webui disabled\n"));
    let (code, _, err) = l.bin(&["stop", "nosuch"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("unknown service 'nosuch'") && err.contains("keepalived, nginx, solr, webui"),
        "{err}"
    );

    // Missing sv: an error naming it, exit 1.
    l.paths.sv_bin = PathBuf::from("/nonexistent/sv");
    let (code, _, err) = l.bin(&["restart", "nginx"]);
    assert_eq!(code, 1);
    assert!(err.contains("/nonexistent/sv"), "{err}");

    // tail: a missing log dir is a clear error.
    let (code, _, err) = l.bin(&["tail", "nginx"]);
    assert_eq!(code, 1);
    assert!(err.contains("does not exist"), "{err}");
}

/// `tail NAME` follows only a known service's logs: a path, or a name with `..`, is refused
/// before anything is opened.
#[test]
fn tail_accepts_only_known_services() {
    let (dir, config) = common::node_with("peer-primary-connected.txt");
    std::fs::create_dir_all(dir.path().join("sv/postgresql")).unwrap();
    std::fs::create_dir_all(dir.path().join("log/postgresql")).unwrap();
    for bad in ["/etc", "../../etc", "postgresql/../../..", "nginx"] {
        let o = common::ctl(&dir, &config, &["tail", bad]);
        assert_eq!(o.status.code(), Some(1), "{bad}: {o:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            err.contains(&format!(
                "unknown service '{bad}'; valid services: postgresql"
            )),
            "{bad}: {err}"
        );
    }
}
