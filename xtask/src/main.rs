//! `cargo xtask <command>`: maintainer tasks for gha-runners.

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use std::path::PathBuf;
use xtask::{fixtures, refresh, selection::Selection, source};

#[derive(Parser)]
#[command(name = "cargo xtask", about = "Maintainer tasks for gha-runners")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Derive spec/ (the vendored runner subset) from GitHub's upstream description.
    RefreshSpec {
        /// Upstream description: a file path or an http(s) URL [default: GitHub's published GHEC description].
        #[arg(long)]
        from: Option<String>,
        /// Where to write the subset [default: the spec directory].
        #[arg(long)]
        out_dir: Option<PathBuf>,
        /// The spec directory holding the reviewed inputs (selection.toml, example-defects.toml) [default: spec/].
        #[arg(long)]
        spec_dir: Option<PathBuf>,
    },
    /// Extract every documented example of spec/ into tests/fixtures/docs/.
    Fixtures {
        /// Where to write the examples [default: tests/fixtures/docs/].
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
}

fn project_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

fn main() {
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let default_spec_dir = project_root().join("spec");
    match cli.command {
        Command::RefreshSpec {
            from,
            out_dir,
            spec_dir,
        } => {
            let spec_dir = spec_dir.unwrap_or(default_spec_dir);
            let from = from.as_deref().unwrap_or(source::DEFAULT_UPSTREAM);
            let sel_path = spec_dir.join(refresh::SELECTION_FILE);
            let text = std::fs::read_to_string(&sel_path).with_context(|| {
                format!("cannot read the selection file {}", sel_path.display())
            })?;
            let selection = Selection::parse(&text)?;
            let upstream = source::load(from)?;
            let refreshed = refresh::build(&upstream, &selection)?;
            let out_dir = out_dir.unwrap_or_else(|| spec_dir.clone());
            refresh::write(&refreshed, &spec_dir, &out_dir)?;
            print!("{}", refresh::summary(&refreshed));
            println!("wrote {}", out_dir.display());
        }
        Command::Fixtures { out_dir } => {
            let spec_path = default_spec_dir.join(refresh::SPEC_FILE);
            let text = std::fs::read_to_string(&spec_path)
                .with_context(|| format!("cannot read {}", spec_path.display()))?;
            let spec = serde_json::from_str(&text)
                .with_context(|| format!("{} is not JSON", spec_path.display()))?;
            let examples = fixtures::extract(&spec)?;
            let dir = out_dir.unwrap_or_else(|| project_root().join("tests/fixtures/docs"));
            let n = fixtures::write(&examples, &dir)?;
            println!("wrote {n} examples to {}", dir.display());
        }
    }
    Ok(())
}
