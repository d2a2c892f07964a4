//! Completions, man pages and the command-line reference, generated from the clap
//! definitions (never by hand). `gen-docs DIR` writes `DIR/man/*.1` (one page per
//! command), `DIR/completions/` (bash, zsh, fish) and `DIR/docs/cli.md` (every command's
//! `--help`); the checked-in copies are kept fresh by `scripts/gen-docs.sh`, and a test
//! fails when they are stale.

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
    /// Directory to write man/, completions/ and docs/cli.md into (created when missing).
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

/// The width `docs/cli.md` wraps help at, whatever the terminal.
const CLI_MD_WIDTH: usize = 100;

/// `docs/cli.md`: the long `--help` of the program and of every command clap shows (hidden
/// commands and clap's own `help` left out), in the order they are declared, each in a
/// code block. The width is fixed and environment values are not shown, so the page is
/// the same on every machine.
pub fn cli_markdown() -> String {
    let mut root = Cli::command().term_width(CLI_MD_WIDTH).mut_args(|a| {
        if a.get_env().is_some() {
            a.hide_env_values(true)
        } else {
            a
        }
    });
    root.build();
    let mut sections: Vec<(String, String)> = vec![(
        "private-chef-ctl".to_string(),
        root.render_long_help().to_string(),
    )];
    for sub in root.get_subcommands_mut() {
        if sub.is_hide_set() || sub.get_name() == "help" {
            continue;
        }
        let title = format!("private-chef-ctl {}", sub.get_name());
        sections.push((title, sub.render_long_help().to_string()));
    }
    let mut md = String::from(
        "# Command-line reference\n\n\
         Every command's `--help`, generated from the command definitions by \
         `scripts/gen-docs.sh`\n\
         (`private-chef-ctl gen-docs .`): do not edit by hand; a test fails when this page is stale.\n\
         The same text is in the man pages (`man/`). What the commands print and why: the\n\
         [README](../README.md) and the other pages of `docs/`.\n\n",
    );
    for (title, _) in &sections {
        md.push_str(&format!("- [`{title}`](#{})\n", title.replace(' ', "-")));
    }
    for (title, help) in &sections {
        md.push_str(&format!("\n## {title}\n\n```text\n"));
        for line in help.trim_end().lines() {
            md.push_str(line.trim_end());
            md.push('\n');
        }
        md.push_str("```\n");
    }
    md
}

/// Writes every man page, completion script and `docs/cli.md` under `dir`.
pub fn generate_docs(dir: &Path) -> Result<()> {
    let man = dir.join("man");
    let comp = dir.join("completions");
    let docs = dir.join("docs");
    for d in [&man, &comp, &docs] {
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
    let path = docs.join("cli.md");
    std::fs::write(&path, cli_markdown()).with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

pub fn run_gen_docs(a: &GenDocsArgs) -> Result<i32> {
    generate_docs(&a.dir)?;
    Ok(0)
}
