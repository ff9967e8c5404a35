//! `cargo xtask <command>`: maintainer tasks for gha-runners.

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use xtask::{availability, diff, fixtures, refresh, selection::Selection, source};

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
        /// Another deployment's description, NAME=FILE_OR_URL (github.com, ghes-3.19, ...); repeatable.
        /// [default: the api.github.com.json and ghes-*.json files beside --from, or GitHub's published ones online]
        #[arg(long = "deployment", value_name = "NAME=SOURCE")]
        deployments: Vec<String>,
        /// Record availability for the main description only.
        #[arg(long)]
        no_deployments: bool,
    },
    /// Extract every documented example of spec/ into tests/fixtures/docs/.
    Fixtures {
        /// Where to write the examples [default: tests/fixtures/docs/].
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Report what changed between the runner subsets of two descriptions (Markdown).
    /// Exit code 0: nothing breaking; 2: breaking changes; 1: error.
    Diff {
        /// The old description (file or URL).
        #[arg(long)]
        from: String,
        /// The new description (file or URL).
        #[arg(long)]
        to: String,
        /// Also write the report to this file.
        #[arg(long)]
        output: Option<PathBuf>,
    },
}

fn project_root() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    root.canonicalize().unwrap_or(root)
}

fn main() {
    match run(Cli::parse()) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::exit(1);
        }
    }
}

fn read_selection(spec_dir: &Path) -> Result<Selection> {
    let path = spec_dir.join(refresh::SELECTION_FILE);
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("cannot read the selection file {}", path.display()))?;
    Selection::parse(&text)
}

fn label(u: &source::Upstream) -> String {
    match u.doc.pointer("/info/version").and_then(|v| v.as_str()) {
        Some(v) => format!("{} ({v})", u.label),
        None => u.label.clone(),
    }
}

/// The other deployments to read: explicit ones, else the siblings of a
/// local `--from`, else GitHub's published descriptions.
fn deployment_sources(from: &str, explicit: &[String], none: bool) -> Result<Vec<(String, String)>> {
    if none {
        return Ok(Vec::new());
    }
    if !explicit.is_empty() {
        return explicit
            .iter()
            .map(|d| match d.split_once('=') {
                Some((n, s)) if !n.is_empty() && !s.is_empty() => Ok((n.to_string(), s.to_string())),
                _ => bail!("--deployment `{d}`: expected NAME=FILE_OR_URL, e.g. ghes-3.19=descriptions/ghes-3.19.json"),
            })
            .collect();
    }
    if from.starts_with("http://") || from.starts_with("https://") {
        return Ok(availability::default_deployments()
            .into_iter()
            .map(|n| {
                let url = availability::default_url(&n);
                (n, url)
            })
            .collect());
    }
    Ok(availability::siblings(Path::new(from))
        .into_iter()
        .map(|(n, p)| (n, p.to_string_lossy().into_owned()))
        .collect())
}

fn run(cli: Cli) -> Result<i32> {
    let default_spec_dir = project_root().join("spec");
    match cli.command {
        Command::RefreshSpec { from, out_dir, spec_dir, deployments, no_deployments } => {
            let spec_dir = spec_dir.unwrap_or(default_spec_dir);
            let from = from.as_deref().unwrap_or(source::DEFAULT_UPSTREAM);
            let selection = read_selection(&spec_dir)?;
            let upstream = source::load(from)?;
            let mut refreshed = refresh::build(&upstream, &selection)?;
            let main_name = match upstream.label.rsplit('/').next().and_then(availability::deployment_of_file) {
                Some(n) => n,
                None => "ghec".to_string(),
            };
            let mut others = Vec::new();
            for (name, src) in deployment_sources(from, &deployments, no_deployments)? {
                let up = source::load(&src).with_context(|| format!("deployment {name}"))?;
                others.push((name, up));
            }
            refresh::add_deployments(&mut refreshed, &main_name, &upstream, &others)?;
            let out_dir = out_dir.unwrap_or_else(|| spec_dir.clone());
            // Show what changes against what is there now, before overwriting it.
            let current = out_dir.join(refresh::SPEC_FILE);
            if let Ok(text) = std::fs::read_to_string(&current) {
                match serde_json::from_str(&text) {
                    Ok(old) => {
                        let report = diff::diff(&old, &refreshed.spec);
                        println!("{}", report.markdown(&format!("current {}", current.display()), &label(&upstream)));
                    }
                    Err(e) => println!("(the current {} is not JSON: {e}; no diff)", current.display()),
                }
            }
            refresh::write(&refreshed, &spec_dir, &out_dir)?;
            print!("{}", refresh::summary(&refreshed));
            println!("wrote {}", out_dir.display());
            Ok(0)
        }
        Command::Fixtures { out_dir } => {
            let spec_path = default_spec_dir.join(refresh::SPEC_FILE);
            let text =
                std::fs::read_to_string(&spec_path).with_context(|| format!("cannot read {}", spec_path.display()))?;
            let spec = serde_json::from_str(&text).with_context(|| format!("{} is not JSON", spec_path.display()))?;
            let examples = fixtures::extract(&spec)?;
            let dir = out_dir.unwrap_or_else(|| project_root().join("tests/fixtures/docs"));
            let n = fixtures::write(&examples, &dir)?;
            println!("wrote {n} examples to {}", dir.display());
            Ok(0)
        }
        Command::Diff { from, to, output } => {
            let selection = read_selection(&default_spec_dir)?;
            let (old_up, new_up) = (source::load(&from)?, source::load(&to)?);
            let old = refresh::build_with(&old_up, &selection, false)?;
            let new = refresh::build_with(&new_up, &selection, false)?;
            let report = diff::diff(&old.spec, &new.spec);
            let mut text = report.markdown(&label(&old_up), &label(&new_up));
            for (side, r) in [("old", &old), ("new", &new)] {
                if !r.unmatched.is_empty() {
                    text.push_str(&format!(
                        "\nSelection patterns absent from the {side} description: {}\n",
                        r.unmatched.join(", ")
                    ));
                }
            }
            print!("{text}");
            if let Some(path) = output {
                std::fs::write(&path, &text).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Ok(if report.breaking() { 2 } else { 0 })
        }
    }
}
