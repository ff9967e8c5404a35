//! The scaler's settings: `serve`'s flags and what the scaler keeps of them.

use crate::pools::Pool;
use clap::Args;
use std::net::SocketAddr;
use std::time::Duration;

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// Address to listen on; deliveries are POSTed to /webhook.
    #[arg(long)]
    pub(crate) listen: SocketAddr,
    /// The environment variable that holds the webhook secret.
    #[arg(
        long,
        required_unless_present_any = ["webhook_secret_file", "scale_set"],
        conflicts_with = "webhook_secret_file"
    )]
    pub(crate) webhook_secret_env: Option<String>,
    /// A file that holds the webhook secret (kept out of the scaler's
    /// environment, which a launch running as the same user could read).
    #[arg(long)]
    pub(crate) webhook_secret_file: Option<std::path::PathBuf>,
    /// A file that holds the GitHub token; without it, `GITHUB_TOKEN`.
    #[arg(long)]
    pub(crate) token_file: Option<std::path::PathBuf>,
    /// The organization whose runners the scaler creates.
    #[arg(long)]
    pub(crate) org: String,
    /// Where demand comes from: `webhook` deliveries to `--listen`, or a
    /// runner scale set's session (`--scale-set`; outbound only, no
    /// webhook secret).
    #[arg(long, value_enum, default_value_t = SourceKind::Webhook)]
    pub(crate) source: SourceKind,
    /// The runner scale set to listen on (`--source scaleset`): created
    /// in `--scale-set-group` if missing; its name is the label workflows
    /// ask for (`runs-on: NAME`).
    #[arg(
        long,
        required_if_eq("source", "scaleset"),
        conflicts_with_all = ["pools", "config", "webhook_secret_env", "webhook_secret_file", "hook_id", "repos"]
    )]
    pub(crate) scale_set: Option<String>,
    /// The runner group of `--scale-set`.
    #[arg(long, default_value = "Default")]
    pub(crate) scale_set_group: String,
    /// A pool: runner group name and labels, e.g. `gpu=self-hosted,linux,gpu`.
    #[arg(long = "pool", required_unless_present_any = ["config", "scale_set"])]
    pub(crate) pools: Vec<Pool>,
    /// A TOML file of pools (`[[pool]]` with `group`, `labels`, and
    /// optionally `max_runners` and `min_idle`), beside or instead of
    /// `--pool`.
    #[arg(long)]
    pub(crate) config: Option<std::path::PathBuf>,
    /// At most this many runners alive per pool (pending or running); jobs
    /// beyond it wait and get a runner as others end. A pool of the config
    /// file may set its own.
    #[arg(long)]
    pub(crate) max_runners: Option<usize>,
    /// Runners kept idle per pool beyond the jobs waiting (a warm pool).
    #[arg(long, default_value_t = 0)]
    pub(crate) min_idle: usize,
    /// Shell command that boots a machine (config in ACTIONS_RUNNER_INPUT_JITCONFIG).
    #[arg(long)]
    pub(crate) launch: String,
    /// Shell command that stops a runner's machine (`RUNNER_NAME` set):
    /// run after a failed launch and when the reaper deletes a runner.
    /// Without it, a machine whose launch failed after it came up is left
    /// to the launch command to clean up.
    #[arg(long)]
    pub(crate) teardown: Option<String>,
    /// Seconds a launch or teardown command may run before it is killed
    /// with its whole process group.
    #[arg(long, default_value = "300", value_parser = seconds)]
    pub(crate) launch_timeout: Duration,
    /// Redis URL (`redis://host:port[/db]`, `rediss://` for TLS): replicas
    /// with the same URL, organization and prefix share their state and the
    /// client's rate-limit gate, pacing and token. A URL with a password
    /// belongs in `--redis-file`, not on the command line.
    #[arg(long, conflicts_with = "redis_file")]
    pub(crate) redis: Option<String>,
    /// A file that holds the Redis URL (mode 600).
    #[arg(long)]
    pub(crate) redis_file: Option<std::path::PathBuf>,
    /// Connections served at once; more are closed at once.
    #[arg(long, default_value_t = 256)]
    pub(crate) max_connections: usize,
    /// Seconds a client may take to send a request's headers, and again
    /// its body (GitHub gives a receiver 10 s in all).
    #[arg(long, default_value = "10", value_parser = seconds)]
    pub(crate) read_timeout: Duration,
    /// Runner name prefix: the scaler creates and deletes only runners named so.
    #[arg(long, default_value = "gha-scaler")]
    pub(crate) prefix: String,
    /// Seconds a machine may take to bring its runner online.
    #[arg(long, default_value = "600", value_parser = seconds)]
    pub(crate) boot_timeout: Duration,
    /// Seconds a runner may stay online without a job.
    #[arg(long, default_value = "900", value_parser = seconds)]
    pub(crate) idle_timeout: Duration,
    /// Seconds between two passes of the reaper.
    #[arg(long, default_value = "30", value_parser = seconds)]
    pub(crate) reap_every: Duration,
    /// Seconds between two catch-up passes (redelivery of failed deliveries,
    /// then reconciliation of queued jobs); the first runs at start.
    #[arg(long, default_value = "60", value_parser = seconds)]
    pub(crate) reconcile_every: Duration,
    /// The organization webhook (its id, `X-GitHub-Hook-ID`) whose failed
    /// deliveries catch-up redelivers; without it, only reconciliation.
    #[arg(long)]
    pub(crate) hook_id: Option<i64>,
    /// A repository (`owner/name`) whose queued jobs catch-up reconciles;
    /// repeatable. Default: every repository of the installation.
    #[arg(long = "repo")]
    pub(crate) repos: Vec<String>,
    /// Seconds a delivery is given to arrive before catch-up steps in: a
    /// job queued more recently is not reconciled yet, an event redelivered
    /// more recently is not redelivered again.
    #[arg(long, default_value = "10", value_parser = seconds)]
    pub(crate) reconcile_grace: Duration,
    /// Seconds back the first redelivery pass looks (GitHub keeps 3 days).
    #[arg(long, default_value = "3600", value_parser = seconds)]
    pub(crate) redeliver_lookback: Duration,
    /// API root, e.g. https://ghe.example.com for GitHub Enterprise Server.
    #[arg(long, env = "GITHUB_API_URL")]
    pub(crate) base_url: Option<String>,
}

/// Where the scaler learns of demand.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SourceKind {
    /// `workflow_job` webhook deliveries (an inbound URL and a secret).
    Webhook,
    /// A runner scale set's session (outbound only).
    Scaleset,
}

/// The secret in `path`, without its trailing newline; an error names the
/// file, never its content. A file others may read is refused.
pub(crate) fn read_secret(what: &str, path: &std::path::Path) -> Result<String, String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let meta =
            std::fs::metadata(path).map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
        if meta.permissions().mode() & 0o077 != 0 {
            return Err(format!(
                "the {what} file {} may be read by others (mode {:o}): chmod 600 it",
                path.display(),
                meta.permissions().mode() & 0o777
            ));
        }
    }
    let text =
        std::fs::read_to_string(path).map_err(|e| format!("cannot read the {what} file {}: {e}", path.display()))?;
    let secret = text.trim_end_matches(['\n', '\r']).to_string();
    if secret.is_empty() {
        return Err(format!("the {what} file {} is empty", path.display()));
    }
    Ok(secret)
}

/// A duration: seconds (`0.5`, `600`, `2s`), or with `ms` or `m`.
pub(crate) fn seconds(s: &str) -> Result<Duration, String> {
    let (number, unit) = match s.trim() {
        t if t.ends_with("ms") => (&t[..t.len() - 2], 0.001),
        t if t.ends_with('s') => (&t[..t.len() - 1], 1.0),
        t if t.ends_with('m') => (&t[..t.len() - 1], 60.0),
        t => (t, 1.0),
    };
    let bad = || format!("{s:?} is not a duration: give seconds (`2`, `0.5`, `2s`), or `500ms` or `5m`");
    let n: f64 = number.trim().parse().map_err(|_| bad())?;
    Duration::try_from_secs_f64(n * unit).map_err(|_| bad())
}

/// The scaler's settings.
pub(crate) struct Settings {
    pub(crate) org: String,
    pub(crate) prefix: String,
    pub(crate) pools: Vec<Pool>,
    pub(crate) boot_timeout: Duration,
    pub(crate) idle_timeout: Duration,
    /// How long a launch may take: a runner whose launch never returned
    /// (its replica died) is judged from its creation plus this.
    pub(crate) launch_timeout: Duration,
}

/// A pool in the TOML config file.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct PoolFile {
    group: String,
    labels: Vec<String>,
    max_runners: Option<usize>,
    #[serde(default)]
    min_idle: Option<usize>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    #[serde(default)]
    pool: Vec<PoolFile>,
}

/// The pools of `--pool` and `--config`, with `--max-runners` and
/// `--min-idle` where a pool sets none of its own.
pub(crate) fn pools(
    flags: &[Pool],
    config: Option<&std::path::Path>,
    max_runners: Option<usize>,
    min_idle: usize,
) -> Result<Vec<Pool>, String> {
    let mut pools: Vec<Pool> = flags.iter().map(|p| Pool { max_runners, min_idle, ..p.clone() }).collect();
    if let Some(path) = config {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        let file: ConfigFile = toml::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        for p in file.pool {
            let pool = Pool::new(&p.group, p.labels.iter().map(String::as_str))
                .map_err(|e| format!("{}: pool {:?}: {e}", path.display(), p.group))?;
            pools.push(Pool {
                max_runners: p.max_runners.or(max_runners),
                min_idle: p.min_idle.unwrap_or(min_idle),
                ..pool
            });
        }
    }
    if pools.is_empty() {
        return Err("no pool: give --pool GROUP=labels or a --config file with [[pool]]".into());
    }
    if let Some(p) = pools.iter().find(|p| p.max_runners == Some(0)) {
        return Err(format!("pool {:?}: a cap of 0 runners serves no job", p.group));
    }
    if let Some(p) = pools.iter().find(|p| p.max_runners.is_some_and(|max| p.min_idle > max)) {
        return Err(format!("pool {:?}: min_idle {} exceeds max_runners", p.group, p.min_idle));
    }
    let mut keys = std::collections::HashSet::new();
    if let Some(p) = pools.iter().find(|p| !keys.insert(p.key())) {
        return Err(format!("pool {:?}: given twice (group and labels {})", p.group, p.key()));
    }
    Ok(pools)
}

#[cfg(test)]
mod tests {
    use super::seconds;
    use std::time::Duration;

    #[test]
    fn durations_take_seconds_or_a_unit() {
        for (given, expected) in [("2", 2000), ("2s", 2000), ("0.5", 500), ("500ms", 500), ("5m", 300_000)] {
            assert_eq!(seconds(given), Ok(Duration::from_millis(expected)), "{given}");
        }
        for bad in ["", "s", "-1", "2h", "NaN", "inf", "1e400"] {
            assert!(seconds(bad).is_err(), "{bad}");
        }
    }
}
