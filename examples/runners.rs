//! `runners`: a small command-line tool for GitHub Actions runners, built on
//! gha-runners.
//!
//! ```text
//! cargo run --example runners -- list --org octo-org
//! cargo run --example runners -- reap --org octo-org --name-pattern 'ci-*' --dry-run
//! ```
//!
//! With `GITHUB_TOKEN` set it talks to GitHub (or `--base-url` for GitHub
//! Enterprise Server). Without one it starts the crate's fake GitHub seeded
//! with a demo fleet (organization `octo-org`, repository
//! `octo-org/octo-repo`, enterprise `octo-ent`) and says so on stderr.

use clap::{Args, Parser, Subcommand};
use futures::TryStreamExt;
use gha_runners::testkit::FakeGitHub;
use gha_runners::types::{JitConfigRequest, ListRunnerGroups, ListRunners, Runner, RunnerLabel, RunnerStatus};
use gha_runners::{Client, Deployment, Error};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Parser)]
#[command(name = "runners", about = "Manage GitHub Actions runners (gha-runners example)")]
struct Cli {
    #[command(flatten)]
    scope: ScopeArgs,
    /// API root, e.g. https://ghe.example.com for GitHub Enterprise Server.
    #[arg(long, global = true, env = "GITHUB_API_URL")]
    base_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct ScopeArgs {
    /// Organization.
    #[arg(long, global = true, conflicts_with_all = ["repo", "enterprise"])]
    org: Option<String>,
    /// Repository, as owner/name.
    #[arg(long, global = true, conflicts_with = "enterprise")]
    repo: Option<String>,
    /// Enterprise slug.
    #[arg(long, global = true)]
    enterprise: Option<String>,
}

#[derive(Subcommand)]
enum Command {
    /// List self-hosted runners.
    List {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
        /// Only the runner with this exact name.
        #[arg(long)]
        name: Option<String>,
    },
    /// Show one runner.
    Get { runner_id: i64 },
    /// Delete one runner.
    Delete { runner_id: i64 },
    /// Runner labels.
    Labels {
        #[command(subcommand)]
        action: LabelAction,
    },
    /// Create a just-in-time runner and print its config.
    Jit {
        /// The runner's name.
        #[arg(long)]
        name: String,
        /// Labels, comma-separated (1 to 100).
        #[arg(long, value_delimiter = ',', default_value = "self-hosted")]
        labels: Vec<String>,
        /// Runner group id.
        #[arg(long, default_value_t = 1)]
        group: i64,
        /// Print the encoded config (a secret: anyone holding it can run jobs as this runner).
        #[arg(long)]
        show_secret: bool,
    },
    /// Create a registration token (or a remove token).
    Token {
        /// A remove token instead.
        #[arg(long)]
        remove: bool,
        /// Print the token itself.
        #[arg(long)]
        show_secret: bool,
    },
    /// List runner groups (organization or enterprise).
    Groups,
    /// List GitHub-hosted runners (organization or enterprise).
    Hosted,
    /// Delete offline runners matching a name pattern and/or offline for longer than a duration.
    Reap {
        /// Only runners whose name matches this pattern (`*` and `?` wildcards).
        #[arg(long)]
        name_pattern: Option<String>,
        /// Only runners seen offline for longer than this (`90m`, `2h`, `1d`). GitHub reports no
        /// last-seen time, so reap remembers when it first saw each runner offline in --state-file.
        #[arg(long, value_parser = parse_duration)]
        offline_for: Option<Duration>,
        /// Where reap remembers when runners were first seen offline.
        #[arg(long, default_value = ".runners-reap-state.json")]
        state_file: PathBuf,
        /// Only print what would be deleted.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum LabelAction {
    /// List a runner's labels.
    List { runner_id: i64 },
    /// Add custom labels.
    Add { runner_id: i64, labels: Vec<String> },
    /// Replace the custom labels.
    Set { runner_id: i64, labels: Vec<String> },
    /// Remove one custom label.
    Remove { runner_id: i64, label: String },
}

/// A scope chosen on the command line.
enum Scope {
    Org(String),
    Repo(String, String),
    Enterprise(String),
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let scope = match (cli.scope.org, cli.scope.repo, cli.scope.enterprise) {
        (Some(o), None, None) => Scope::Org(o),
        (None, Some(r), None) => match r.split_once('/') {
            Some((owner, name)) => Scope::Repo(owner.to_string(), name.to_string()),
            None => return Err(format!("--repo {r}: expected owner/name")),
        },
        (None, None, Some(e)) => Scope::Enterprise(e),
        _ => return Err("choose a scope: --org NAME, --repo OWNER/NAME or --enterprise SLUG".into()),
    };
    // Keep the fake alive for the whole command.
    let (client, _fake) = connect(cli.base_url, &scope).await.map_err(|e| e.to_string())?;
    execute(&client, &scope, cli.command).await.map_err(|e| e.to_string())
}

async fn connect(base_url: Option<String>, scope: &Scope) -> Result<(Client, Option<FakeGitHub>), Error> {
    match std::env::var("GITHUB_TOKEN").ok().filter(|t| !t.trim().is_empty()) {
        Some(token) => {
            let mut b = Client::builder().token(token).user_agent("gha-runners-example");
            if let Some(url) = base_url {
                b = b.base_url(url);
            }
            if matches!(scope, Scope::Enterprise(_)) {
                b = b.deployment(Deployment::EnterpriseCloud);
            }
            Ok((b.build()?, None))
        }
        None => {
            let fake = FakeGitHub::demo().await;
            eprintln!(
                "GITHUB_TOKEN is not set: using a fake GitHub on {} with a demo fleet (--org octo-org, --repo octo-org/octo-repo, --enterprise octo-ent)",
                fake.base_url()
            );
            Ok((fake.client()?, Some(fake)))
        }
    }
}

/// The runners handle of any scope, as one type for the commands below.
enum RunnersOf {
    Org(gha_runners::api::Runners<gha_runners::scope::Org>),
    Repo(gha_runners::api::Runners<gha_runners::scope::Repo>),
    Enterprise(gha_runners::api::Runners<gha_runners::scope::Enterprise>),
}

/// Calls the same method on whichever scope's handle this is.
macro_rules! on_runners {
    ($r:expr, |$h:ident| $call:expr) => {
        match $r {
            RunnersOf::Org($h) => $call,
            RunnersOf::Repo($h) => $call,
            RunnersOf::Enterprise($h) => $call,
        }
    };
}

fn runners_of(client: &Client, scope: &Scope) -> RunnersOf {
    match scope {
        Scope::Org(o) => RunnersOf::Org(client.org(o.as_str()).runners()),
        Scope::Repo(o, r) => RunnersOf::Repo(client.repo(o.as_str(), r.as_str()).runners()),
        Scope::Enterprise(e) => RunnersOf::Enterprise(client.enterprise(e.as_str()).runners()),
    }
}

async fn execute(client: &Client, scope: &Scope, command: Command) -> Result<(), Error> {
    let runners = runners_of(client, scope);
    match command {
        Command::List { json, name } => {
            let filter = name.map(ListRunners::named).unwrap_or_default();
            let all: Vec<Runner> = on_runners!(&runners, |h| h.list(filter).try_collect().await?);
            if json {
                println!("{}", serde_json::to_string_pretty(&all).unwrap_or_default());
            } else {
                print_runners(&all);
            }
        }
        Command::Get { runner_id } => {
            let r = on_runners!(&runners, |h| h.get(runner_id).await?);
            print_runners(&[r]);
        }
        Command::Delete { runner_id } => {
            on_runners!(&runners, |h| h.delete(runner_id).await?);
            println!("deleted runner {runner_id}");
        }
        Command::Labels { action } => {
            let labels: Vec<RunnerLabel> = match action {
                LabelAction::List { runner_id } => on_runners!(&runners, |h| h.labels(runner_id).await?),
                LabelAction::Add { runner_id, labels } => {
                    on_runners!(&runners, |h| h.add_labels(runner_id, &labels).await?)
                }
                LabelAction::Set { runner_id, labels } => {
                    on_runners!(&runners, |h| h.set_labels(runner_id, &labels).await?)
                }
                LabelAction::Remove { runner_id, label } => {
                    on_runners!(&runners, |h| h.remove_label(runner_id, &label).await?)
                }
            };
            for l in labels {
                let kind = l.label_type.map(|t| t.to_string()).unwrap_or_default();
                println!("{:<24} {kind}", l.name);
            }
        }
        Command::Jit { name, labels, group, show_secret } => {
            let req = JitConfigRequest::new(name, labels).runner_group_id(group);
            let jit = on_runners!(&runners, |h| h.jit_config(&req).await?);
            println!("created runner {} ({}), offline until started", jit.runner.id, jit.runner.name);
            if show_secret {
                println!("{}", jit.encoded_jit_config.expose_secret());
            } else {
                println!("encoded JIT config: {} (pass --show-secret to print it)", jit.encoded_jit_config);
            }
        }
        Command::Token { remove, show_secret } => {
            let token = if remove {
                on_runners!(&runners, |h| h.remove_token().await?)
            } else {
                on_runners!(&runners, |h| h.registration_token().await?)
            };
            let shown = if show_secret { token.token.expose_secret().to_string() } else { token.token.to_string() };
            println!("{shown} (expires {})", token.expires_at.to_rfc3339());
        }
        Command::Groups => {
            let rows: Vec<(gha_runners::types::RunnerGroupId, String, String, bool)> = match scope {
                Scope::Org(o) => {
                    client
                        .org(o.as_str())
                        .runner_groups()
                        .list(ListRunnerGroups::default())
                        .map_ok(|g| (g.id, g.name, g.visibility.to_string(), g.default))
                        .try_collect()
                        .await?
                }
                Scope::Enterprise(e) => {
                    client
                        .enterprise(e.as_str())
                        .runner_groups()
                        .list(ListRunnerGroups::default())
                        .map_ok(|g| (g.id, g.name, g.visibility.to_string(), g.default))
                        .try_collect()
                        .await?
                }
                Scope::Repo(..) => return Err(no_repo("runner groups")),
            };
            println!("{:>6}  {:<24} {:<10} DEFAULT", "ID", "NAME", "VISIBILITY");
            for (id, name, vis, default) in rows {
                println!("{id:>6}  {name:<24} {vis:<10} {}", if default { "yes" } else { "" });
            }
        }
        Command::Hosted => {
            let rows: Vec<gha_runners::types::HostedRunner> = match scope {
                Scope::Org(o) => client.org(o.as_str()).hosted_runners().list().try_collect().await?,
                Scope::Enterprise(e) => client.enterprise(e.as_str()).hosted_runners().list().try_collect().await?,
                Scope::Repo(..) => return Err(no_repo("GitHub-hosted runners")),
            };
            println!("{:>6}  {:<20} {:<12} {:<10} IMAGE", "ID", "NAME", "STATUS", "SIZE");
            for h in rows {
                let image = h.image_details.map(|i| i.display_name).unwrap_or_default();
                println!("{:>6}  {:<20} {:<12} {:<10} {image}", h.id, h.name, h.status, h.machine_size_details.id);
            }
        }
        Command::Reap { name_pattern, offline_for, state_file, dry_run } => {
            let all: Vec<Runner> = on_runners!(&runners, |h| h.list(ListRunners::default()).try_collect().await?);
            let now = chrono::Utc::now();
            let mut state = load_state(&state_file);
            // Remember when each runner was first seen offline; forget the ones back online.
            state.retain(|id, _| all.iter().any(|r| r.id.to_string() == *id && r.status == RunnerStatus::Offline));
            for r in all.iter().filter(|r| r.status == RunnerStatus::Offline) {
                state.entry(r.id.to_string()).or_insert(now);
            }
            let doomed: Vec<&Runner> = all
                .iter()
                .filter(|r| r.status == RunnerStatus::Offline && !r.busy)
                .filter(|r| name_pattern.as_deref().is_none_or(|p| glob(p, &r.name)))
                .filter(|r| match offline_for {
                    None => true,
                    Some(d) => state
                        .get(&r.id.to_string())
                        .is_some_and(|since| (now - *since).to_std().is_ok_and(|offline| offline >= d)),
                })
                .collect();
            if !dry_run {
                save_state(&state_file, &state)?;
            }
            if doomed.is_empty() {
                println!("nothing to reap ({} runners, {} offline)", all.len(), state.len());
                return Ok(());
            }
            if dry_run {
                println!("would delete {} of {} runners:", doomed.len(), all.len());
                print_runners(&doomed.into_iter().cloned().collect::<Vec<_>>());
                return Ok(());
            }
            let bar = indicatif::ProgressBar::new(doomed.len() as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            let mut failed = 0;
            for r in &doomed {
                bar.set_message(r.name.clone());
                if let Err(e) = on_runners!(&runners, |h| h.delete(r.id).await) {
                    bar.println(format!("could not delete {} ({}): {e}", r.name, r.id));
                    failed += 1;
                }
                bar.inc(1);
            }
            bar.finish_and_clear();
            println!("deleted {} runners, {failed} failed", doomed.len() - failed);
        }
    }
    Ok(())
}

fn no_repo(what: &str) -> Error {
    Error::InvalidInput {
        field: "scope",
        reason: format!("GitHub has no {what} at repository scope: use --org or --enterprise"),
    }
}

fn print_runners(runners: &[Runner]) {
    println!("{:>6}  {:<20} {:<8} {:<5} {:<8} LABELS", "ID", "NAME", "STATUS", "BUSY", "OS");
    for r in runners {
        let labels: Vec<&str> = r.labels.iter().map(|l| l.name.as_str()).collect();
        println!(
            "{:>6}  {:<20} {:<8} {:<5} {:<8} {}",
            r.id,
            r.name,
            r.status,
            if r.busy { "yes" } else { "no" },
            r.os,
            labels.join(",")
        );
    }
    let online = runners.iter().filter(|r| r.status == RunnerStatus::Online).count();
    let busy = runners.iter().filter(|r| r.busy).count();
    println!("{} runners: {online} online ({busy} busy), {} offline", runners.len(), runners.len() - online);
}

/// `*` matches any run of characters, `?` any one character.
fn glob(pattern: &str, name: &str) -> bool {
    fn go(p: &[char], n: &[char]) -> bool {
        match (p.first(), n.first()) {
            (None, None) => true,
            (Some('*'), _) => go(&p[1..], n) || (!n.is_empty() && go(p, &n[1..])),
            (Some('?'), Some(_)) => go(&p[1..], &n[1..]),
            (Some(a), Some(b)) if a == b => go(&p[1..], &n[1..]),
            _ => false,
        }
    }
    let (p, n): (Vec<char>, Vec<char>) = (pattern.chars().collect(), name.chars().collect());
    go(&p, &n)
}

/// `30s`, `90m`, `2h`, `1d`.
fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (n, unit) = s.split_at(split);
    let n: u64 = n.parse().map_err(|_| format!("`{s}`: expected a number and a unit, e.g. 90m or 2h"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86400,
        _ => return Err(format!("`{s}`: the unit is one of s, m, h, d")),
    };
    Ok(Duration::from_secs(secs))
}

fn load_state(path: &PathBuf) -> BTreeMap<String, chrono::DateTime<chrono::Utc>> {
    std::fs::read(path).ok().and_then(|b| serde_json::from_slice(&b).ok()).unwrap_or_default()
}

fn save_state(path: &PathBuf, state: &BTreeMap<String, chrono::DateTime<chrono::Utc>>) -> Result<(), Error> {
    let text = serde_json::to_string_pretty(state).unwrap_or_default();
    std::fs::write(path, text).map_err(|e| Error::InvalidInput {
        field: "state_file",
        reason: format!("cannot write {}: {e}", path.display()),
    })
}
