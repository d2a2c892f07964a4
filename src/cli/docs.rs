//! Completions and man pages, generated from the clap definitions.
use anyhow::{bail, Result};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// bash, zsh or fish
    pub shell: String,
}

#[derive(Debug, clap::Args)]
pub struct GenDocsArgs {
    /// Directory to write man/ and completions/ into.
    pub dir: std::path::PathBuf,
}

pub fn run_completions(_a: &CompletionsArgs) -> Result<i32> {
    bail!("not built yet")
}
pub fn run_gen_docs(_a: &GenDocsArgs) -> Result<i32> {
    bail!("not built yet")
}
