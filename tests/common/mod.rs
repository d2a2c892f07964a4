//! Helpers shared by the integration tests.

use std::path::Path;
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
