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
    /// Vendor the workflow_job webhook events of GitHub's webhook description
    /// (OpenAPI 3.1) as spec/webhooks.json, normalized to OpenAPI 3.0.
    RefreshWebhooks {
        /// The webhook description (a file or URL; e.g. the `ghec.json` of @octokit/openapi-webhooks).
        #[arg(long)]
        from: String,
        /// Where to write [default: the spec directory].
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Extract every documented example of spec/ into tests/fixtures/docs/.
    Fixtures {
        /// Where to write the examples [default: tests/fixtures/docs/].
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Record a scenario's exchanges (secrets scrubbed) under tests/fixtures/recorded/<scenario>/.
    /// Reads the token from GITHUB_TOKEN.
    Record {
        /// The scenario (runner-lifecycle, fleet-listing).
        #[arg(long)]
        scenario: String,
        /// The API root to record against, e.g. https://api.github.com or https://ghe.example.com.
        #[arg(long, required_unless_present = "fake")]
        base_url: Option<String>,
        /// Record against the crate's fake GitHub (demo fleet) instead; no token needed.
        #[arg(long, conflicts_with = "base_url")]
        fake: bool,
        /// The organization the scenario works in.
        #[arg(long, default_value = "octo-org")]
        org: String,
        /// What to call the deployment in the recording (github.com, ghec, ghes-3.19) [default: from the host].
        #[arg(long)]
        deployment: Option<String>,
        /// Required to record against github.com: the scenarios create and delete runners.
        #[arg(long)]
        i_understand_this_mutates: bool,
        /// Where to write [default: tests/fixtures/recorded/<scenario>/].
        #[arg(long)]
        out_dir: Option<PathBuf>,
    },
    /// Report what changed between the runner subsets of two descriptions, or
    /// of two REST API versions of one description (Markdown), opening with
    /// the release it needs. Exit code 0: a patch or minor release; 2: a
    /// major one; 1: error.
    Diff {
        /// The old description (file or URL).
        #[arg(long)]
        from: String,
        /// The new description (file or URL); default: the old one (to
        /// compare two of its versions).
        #[arg(long)]
        to: Option<String>,
        /// Compare the old description as of this REST API version
        /// (derived from its `x-github-breaking-changes` annotations).
        #[arg(long)]
        from_version: Option<String>,
        /// Compare the new description as of this REST API version.
        #[arg(long)]
        to_version: Option<String>,
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
        Command::RefreshWebhooks { from, out_dir } => {
            let upstream = xtask::webhooks::load(&from)?;
            let vendored = xtask::webhooks::build(&upstream)?;
            let out_dir = out_dir.unwrap_or(default_spec_dir);
            // Show what changes against what is there now, before overwriting it.
            let current = out_dir.join(xtask::webhooks::WEBHOOKS_FILE);
            if let Ok(text) = std::fs::read_to_string(&current) {
                match serde_json::from_str(&text) {
                    Ok(old) => {
                        let report = xtask::webhooks::diff(&old, &vendored.spec);
                        let (old_label, new_label) = (format!("current {}", current.display()), upstream.label.clone());
                        println!("{}", report.markdown_titled("Webhook changes", &old_label, &new_label));
                    }
                    Err(e) => println!("(the current {} is not JSON: {e}; no diff)", current.display()),
                }
            }
            xtask::webhooks::write(&vendored, &out_dir)?;
            println!(
                "vendored {} events and {} schemas; passes: {}",
                xtask::webhooks::EVENTS.len(),
                vendored.provenance["schemas"],
                vendored.provenance["normalization_passes"]
            );
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
        Command::Record { scenario, base_url, fake, org, deployment, i_understand_this_mutates, out_dir } => {
            if !gha_runners::testkit::scenario::SCENARIOS.contains(&scenario.as_str()) {
                bail!("no scenario `{scenario}`; there are: {}", gha_runners::testkit::scenario::SCENARIOS.join(", "));
            }
            let out_dir = out_dir.unwrap_or_else(|| project_root().join("tests/fixtures/recorded").join(&scenario));
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
            let n =
                rt.block_on(record(&scenario, base_url, fake, &org, deployment, i_understand_this_mutates, &out_dir))?;
            println!("recorded {n} exchanges of `{scenario}` into {}", out_dir.display());
            Ok(0)
        }
        Command::Diff { from, to, from_version, to_version, output } => {
            if to.is_none() && from_version.is_none() && to_version.is_none() {
                anyhow::bail!("nothing to compare: give --to, or --from-version/--to-version (or both)");
            }
            let selection = read_selection(&default_spec_dir)?;
            let old_up = source::load(&from)?;
            let old = refresh::build_with(&old_up, &selection, false)?;
            // Without --to, both sides are the same description (loaded and
            // built once), seen as of two versions.
            let loaded_to = match &to {
                Some(to) => {
                    let up = source::load(to)?;
                    let built = refresh::build_with(&up, &selection, false)?;
                    Some((up, built))
                }
                None => None,
            };
            let (new_up, new) = loaded_to.as_ref().map_or((&old_up, &old), |(u, b)| (u, b));
            let as_of = |spec: &serde_json::Value, version: &Option<String>| match version {
                Some(v) => xtask::versions::derive(spec, v),
                None => Ok(spec.clone()),
            };
            let report = diff::diff(&as_of(&old.spec, &from_version)?, &as_of(&new.spec, &to_version)?);
            let name = |up: &source::Upstream, version: &Option<String>| match version {
                Some(v) => format!("{} as of {v}", label(up)),
                None => label(up),
            };
            let mut text = report.markdown(&name(&old_up, &from_version), &name(new_up, &to_version));
            for (side, r) in [("old", &old), ("new", new)] {
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
            Ok(if report.semver() == diff::Semver::Major { 2 } else { 0 })
        }
    }
}

async fn record(
    scenario: &str,
    base_url: Option<String>,
    fake: bool,
    org: &str,
    deployment: Option<String>,
    mutate_ok: bool,
    out_dir: &Path,
) -> Result<usize> {
    use gha_runners::record::Recorder;
    let (demo, base_url, token, label) = if fake {
        let demo = gha_runners::testkit::FakeGitHub::demo().await;
        let (url, token) = (demo.base_url().to_string(), demo.token());
        (Some(demo), url, token, deployment.unwrap_or_else(|| "fake".into()))
    } else {
        let url = base_url.context("--base-url is required without --fake")?;
        let host = reqwest::Url::parse(&url).with_context(|| format!("--base-url {url} is not a URL"))?;
        let host = host.host_str().unwrap_or_default().to_string();
        if (host == "api.github.com" || host == "github.com") && !mutate_ok {
            bail!(
                "refusing to record against github.com: scenario `{scenario}` creates and deletes runners in `{org}`. Pass --i-understand-this-mutates to go ahead"
            );
        }
        let token = std::env::var("GITHUB_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty())
            .context("set GITHUB_TOKEN to a token with runner administration rights on the organization")?;
        let label =
            deployment.unwrap_or_else(|| if host == "api.github.com" { "github.com".into() } else { host.clone() });
        (None, url, token, label)
    };
    let recorder = Recorder::new(label.clone());
    let client = gha_runners::Client::builder().base_url(&base_url).token(token).recorder(&recorder).build()?;
    let outcome = gha_runners::testkit::scenario::run(scenario, &client, org).await;
    drop(demo);
    outcome.with_context(|| format!("scenario `{scenario}` failed; nothing was written"))?;
    let n = recorder.write_dir(out_dir).with_context(|| format!("cannot write {}", out_dir.display()))?;
    let meta = serde_json::json!({"scenario": scenario, "org": org, "deployment": label});
    std::fs::write(out_dir.join("scenario.json"), xtask::canonical::to_string(&meta))?;
    Ok(n)
}
