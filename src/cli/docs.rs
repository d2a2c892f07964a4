//! Completions and man pages, generated from the clap definitions (never by hand).
//! `gen-docs DIR` writes `DIR/man/*.1` (one page per command) and
//! `DIR/completions/` (bash, zsh, fish); the checked-in copies are kept fresh by
//! `scripts/gen-docs.sh`, and a test fails when they are stale.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::CommandFactory;
use clap_complete::Shell;

use super::Cli;

/// The shells we ship completions for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
}

impl CompletionShell {
    fn shell(self) -> Shell {
        match self {
            CompletionShell::Bash => Shell::Bash,
            CompletionShell::Zsh => Shell::Zsh,
            CompletionShell::Fish => Shell::Fish,
        }
    }

    fn file_name(self) -> &'static str {
        match self {
            CompletionShell::Bash => "private-chef-ctl.bash",
            CompletionShell::Zsh => "_private-chef-ctl",
            CompletionShell::Fish => "private-chef-ctl.fish",
        }
    }
}

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to print a completion script for.
    #[arg(value_enum)]
    pub shell: CompletionShell,
}

#[derive(Debug, clap::Args)]
pub struct GenDocsArgs {
    /// Directory to write man/ and completions/ into (created when missing).
    pub dir: PathBuf,
}

fn completion_script(shell: CompletionShell) -> Vec<u8> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(shell.shell(), &mut cmd, "private-chef-ctl", &mut buf);
    buf
}

pub fn run_completions(a: &CompletionsArgs) -> Result<i32> {
    use std::io::Write;
    std::io::stdout()
        .write_all(&completion_script(a.shell))
        .context("writing the completion script to stdout")?;
    Ok(0)
}

/// Writes every man page and completion script under `dir`.
pub fn generate_docs(dir: &Path) -> Result<()> {
    let man = dir.join("man");
    let comp = dir.join("completions");
    for d in [&man, &comp] {
        std::fs::create_dir_all(d).with_context(|| format!("creating {}", d.display()))?;
    }
    clap_mangen::generate_to(Cli::command(), &man)
        .with_context(|| format!("writing man pages into {}", man.display()))?;
    for shell in [
        CompletionShell::Bash,
        CompletionShell::Zsh,
        CompletionShell::Fish,
    ] {
        let path = comp.join(shell.file_name());
        std::fs::write(&path, completion_script(shell))
            .with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

pub fn run_gen_docs(a: &GenDocsArgs) -> Result<i32> {
    generate_docs(&a.dir)?;
    Ok(0)
}
