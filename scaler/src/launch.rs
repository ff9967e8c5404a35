//! Launchers: what boots a machine for a runner's JIT config, and tears
//! it down when the scaler gives up on the runner.

use gha_runners::Secret;
use std::future::Future;
use std::time::Duration;

/// Boots machines that run a runner from its JIT config.
pub(crate) trait Launcher: Send + Sync + 'static {
    /// Starts a machine for runner `name` with `config` and returns once it
    /// is on its way (not when it is up).
    fn launch(&self, name: &str, config: Secret) -> impl Future<Output = Result<(), String>> + Send;

    /// Stops runner `name`'s machine, if it has one: called after a failed
    /// launch (the machine may be up even so) and when the reaper deletes
    /// the runner. Nothing to stop is no error.
    fn teardown(&self, name: &str) -> impl Future<Output = Result<(), String>> + Send;
}

/// Runs a shell command per runner, the config in its environment.
/// Its environment lacks the scaler's own secrets (the token, the webhook
/// secret): boot scripts hand their environment on to machines.
pub(crate) struct CommandLauncher {
    pub(crate) command: String,
    /// The command that stops a runner's machine (`RUNNER_NAME` set), if
    /// any.
    pub(crate) teardown: Option<String>,
    /// Environment variables the command must not see.
    pub(crate) hidden: Vec<String>,
    /// How long a launch or teardown command may run before it is killed,
    /// with every process it started.
    pub(crate) timeout: Duration,
}

impl CommandLauncher {
    /// Runs `script` in its own process group; on timeout the whole group
    /// is killed, not only the shell (a boot script's children would
    /// otherwise live on).
    async fn run(&self, what: &str, script: &str, name: &str, config: Option<&Secret>) -> Result<(), String> {
        let mut command = tokio::process::Command::new("sh");
        command.arg("-c").arg(script).kill_on_drop(true);
        #[cfg(unix)]
        command.process_group(0);
        for var in &self.hidden {
            command.env_remove(var);
        }
        if let Some(config) = config {
            command.env("ACTIONS_RUNNER_INPUT_JITCONFIG", config.expose_secret());
        }
        command.env("RUNNER_NAME", name);
        let mut child = command.spawn().map_err(|e| format!("cannot run the {what} command: {e}"))?;
        let group = child.id();
        match tokio::time::timeout(self.timeout, child.wait()).await {
            Ok(status) => {
                let status = status.map_err(|e| format!("the {what} command: {e}"))?;
                if status.success() { Ok(()) } else { Err(format!("the {what} command failed ({status})")) }
            }
            Err(_) => {
                #[cfg(unix)]
                if let Some(pid) = group.and_then(|g| i32::try_from(g).ok()) {
                    let _ = nix::sys::signal::killpg(nix::unistd::Pid::from_raw(pid), nix::sys::signal::SIGKILL);
                }
                let _ = child.kill().await;
                Err(format!("the {what} command ran longer than {:?}: killed with its process group", self.timeout))
            }
        }
    }
}

impl Launcher for CommandLauncher {
    async fn launch(&self, name: &str, config: Secret) -> Result<(), String> {
        self.run("launch", &self.command, name, Some(&config)).await
    }

    async fn teardown(&self, name: &str) -> Result<(), String> {
        match &self.teardown {
            Some(script) => self.run("teardown", script, name, None).await,
            None => Ok(()),
        }
    }
}
