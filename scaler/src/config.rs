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
    #[arg(long, required_unless_present = "webhook_secret_file", conflicts_with = "webhook_secret_file")]
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
    /// A pool: runner group name and labels, e.g. `gpu=self-hosted,linux,gpu`.
    #[arg(long = "pool", required = true)]
    pub(crate) pools: Vec<Pool>,
    /// Shell command that boots a machine (config in ACTIONS_RUNNER_INPUT_JITCONFIG).
    #[arg(long)]
    pub(crate) launch: String,
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

/// A duration in seconds (`0.5`, `600`).
pub(crate) fn seconds(s: &str) -> Result<Duration, String> {
    let n: f64 = s.parse().map_err(|_| format!("{s:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(n).map_err(|_| format!("{s:?} is not a duration in seconds"))
}

/// The scaler's settings.
pub(crate) struct Settings {
    pub(crate) org: String,
    pub(crate) prefix: String,
    pub(crate) pools: Vec<Pool>,
    pub(crate) boot_timeout: Duration,
    pub(crate) idle_timeout: Duration,
}
