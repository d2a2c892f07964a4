//! Helpers shared by the integration tests (each test crate uses some of them).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// Writes an executable script at `path` without this process ever holding a writable
/// descriptor to it: the test process writes a non-executable draft and a child (`install`)
/// creates the script. Otherwise a fork in another test thread can inherit the write
/// descriptor and a concurrent exec of the script fails with ETXTBSY ("Text file busy").
pub fn write_executable(path: &Path, text: &str) {
    let draft = path.with_extension("draft");
    std::fs::write(&draft, text).unwrap();
    let st = Command::new("install")
        .arg("-m")
        .arg("755")
        .arg(&draft)
        .arg(path)
        .status()
        .unwrap();
    assert!(
        st.success(),
        "install -m 755 {} {}",
        draft.display(),
        path.display()
    );
    std::fs::remove_file(&draft).unwrap();
}

/// A throw-away node layout under `d` (runit dirs, keepalived state, logs, an empty
/// /proc/mounts, the audit log) and a private-chef.rb pointing at it, with `proc_drbd`
/// as /proc/drbd. Returns the config path.
pub fn node_layout(d: &Path, proc_drbd: &Path) -> PathBuf {
    std::fs::create_dir_all(d.join("sv")).unwrap();
    std::fs::create_dir_all(d.join("service")).unwrap();
    std::fs::create_dir_all(d.join("empty-path")).unwrap();
    std::fs::write(d.join("mounts"), "").unwrap();
    let config = d.join("private-chef.rb");
    std::fs::write(
        &config,
        format!(
            r#"topology "ha"
private_chef_ctl['sv_dir'] = "{d}/sv"
private_chef_ctl['service_dir'] = "{d}/service"
private_chef_ctl['keepalived_dir'] = "{d}/ka"
private_chef_ctl['log_dir'] = "{d}/log"
private_chef_ctl['proc_mounts'] = "{d}/mounts"
private_chef_ctl['proc_drbd'] = "{fx}"
private_chef_ctl['audit_log'] = "{d}/audit/audit.log"
"#,
            d = d.display(),
            fx = proc_drbd.display()
        ),
    )
    .unwrap();
    config
}
