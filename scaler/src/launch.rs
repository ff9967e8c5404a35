//! Launchers: what boots a machine for a runner's JIT config.

use gha_runners::Secret;
use std::future::Future;
use std::time::Duration;

/// Boots machines that run a runner from its JIT config.
pub(crate) trait Launcher: Send + Sync + 'static {
    /// Starts a machine for runner `name` with `config` and returns once it
    /// is on its way (not when it is up).
    fn launch(&self, name: &str, config: Secret) -> impl Future<Output = Result<(), String>> + Send;
}

/// Runs a shell command per runner, the config in its environment.
/// Its environment lacks the scaler's own secrets (the token, the webhook
/// secret): boot scripts hand their environment on to machines.
pub(crate) struct CommandLauncher {
    pub(crate) command: String,
    /// Environment variables the command must not see.
    pub(crate) hidden: Vec<String>,
}

impl CommandLauncher {
    /// How long a launch command may run before it is killed.
    pub(crate) const TIMEOUT: Duration = Duration::from_secs(300);
}

impl Launcher for CommandLauncher {
    async fn launch(&self, name: &str, config: Secret) -> Result<(), String> {
        let mut command = tokio::process::Command::new("sh");
        command.arg("-c").arg(&self.command).kill_on_drop(true);
        for var in &self.hidden {
            command.env_remove(var);
        }
        command.env("ACTIONS_RUNNER_INPUT_JITCONFIG", config.expose_secret()).env("RUNNER_NAME", name);
        let status = tokio::time::timeout(Self::TIMEOUT, command.status())
            .await
            .map_err(|_| format!("the launch command ran longer than {:?}: killed", Self::TIMEOUT))?
            .map_err(|e| format!("cannot run the launch command: {e}"))?;
        if status.success() { Ok(()) } else { Err(format!("the launch command failed ({status})")) }
    }
}
