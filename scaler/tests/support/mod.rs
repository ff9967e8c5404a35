//! The harness of the scaler's tests: its binary, `serve` running
//! against a fake GitHub, and its log.
#![allow(dead_code)] // each test file uses part of it

use gha_runners::testkit::FakeGitHub;
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The scaler's binary, which cargo builds for this crate's tests.
pub fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_gha-scaler"))
}

pub fn demo(args: &[&str]) -> Output {
    Command::new(example())
        .arg("demo")
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .output()
        .expect("run the example (built by cargo test)")
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Kills the example when the test ends, passed or not.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for `done`, polling, at most 20 seconds.
pub async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The example's stderr, line by line, kept for the final checks.
pub struct Log {
    lines: mpsc::Receiver<String>,
    seen: Vec<String>,
}

impl Log {
    /// Waits (20 seconds at most) for a line containing `needle`.
    pub fn wait_for(&mut self, needle: &str) -> String {
        if let Some(line) = self.seen.iter().find(|l| l.contains(needle)) {
            return line.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            let line = self.lines.recv_timeout(left).unwrap_or_else(|_| {
                panic!("the example never printed {needle:?}; it printed:\n{}", self.seen.join("\n"))
            });
            self.seen.push(line.clone());
            if line.contains(needle) {
                return line;
            }
        }
    }

    /// Everything printed so far (and in the next 200 ms).
    pub fn all(&mut self) -> String {
        while let Ok(line) = self.lines.recv_timeout(Duration::from_millis(200)) {
            self.seen.push(line);
        }
        self.seen.join("\n")
    }
}

/// A `queued` delivery of job `id` in `octo-org/app` asking for `labels`,
/// signed with `secret`, as GitHub would send it.
pub fn queued_delivery(id: i64, labels: &[&str]) -> Vec<u8> {
    let mut payload = gha_runners::testkit::webhook_sample("webhook-workflow-job-queued").unwrap();
    payload["workflow_job"]["id"] = serde_json::json!(id);
    payload["workflow_job"]["labels"] = serde_json::json!(labels);
    payload["repository"]["full_name"] = serde_json::json!("octo-org/app");
    payload["repository"]["name"] = serde_json::json!("app");
    payload["repository"]["owner"]["login"] = serde_json::json!("octo-org");
    serde_json::to_vec(&payload).unwrap()
}

/// The first argument of [`Serve::start`] that puts the token and the
/// webhook secret in files rather than the environment.
pub const SECRETS_IN_FILES: &str = "(secrets in files)";

/// `gha-scaler serve` running against `fake`, its machines a directory.
pub struct Serve {
    pub log: Log,
    pub url: String,
    pub secret: String,
    pub machines: PathBuf,
    pub running: Running,
}

impl Serve {
    /// Starts the scaler for organization `octo-org` with one pool
    /// (`gpu=self-hosted,linux,gpu`), reaping every 0.1 s unless `args`
    /// say otherwise, plus `args`.
    /// `before` is shell run by the launch command before the machine
    /// "boots": it writes its config whole (renamed into place) and its
    /// environment beside it.
    pub fn start(fake: &FakeGitHub, before: &str, args: &[&str]) -> Serve {
        let machines =
            std::env::temp_dir().join(format!("autoscaler-machines-{}-{}", std::process::id(), fastrand::u64(..)));
        std::fs::create_dir_all(&machines).unwrap();
        let secret = format!("{:032x}", fastrand::u128(..));
        let dir = machines.display();
        let launch = format!(
            "{before} env > '{dir}'/.env.\"$RUNNER_NAME\" && printf %s \"$ACTIONS_RUNNER_INPUT_JITCONFIG\" > \
             '{dir}'/.tmp.\"$RUNNER_NAME\" && mv '{dir}'/.tmp.\"$RUNNER_NAME\" '{dir}'/\"$RUNNER_NAME\""
        );
        // A scale set (`--scale-set` in `args`) takes no pool and no secret.
        let scale_set = args.contains(&"--scale-set");
        let mut command = Command::new(example());
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--org", "octo-org"])
            .args(if scale_set { &[][..] } else { &["--pool", "gpu=self-hosted,linux,gpu"][..] })
            .args(["--launch", &launch])
            .args(if args.contains(&"--reap-every") { &[][..] } else { &["--reap-every", "0.1"][..] })
            .env("GITHUB_API_URL", fake.base_url());
        if args.first() == Some(&SECRETS_IN_FILES) {
            // Secrets in files, none in the environment.
            let (token, hook) = (machines.join(".token"), machines.join(".hook-secret"));
            for (path, value) in [(&token, fake.token()), (&hook, secret.clone())] {
                std::fs::write(path, format!("{value}\n")).unwrap();
                std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
            }
            command.arg("--token-file").arg(&token).arg("--webhook-secret-file").arg(&hook);
            command.env_remove("GITHUB_TOKEN").env_remove("GH_TOKEN").args(&args[1..]);
        } else if scale_set {
            command.args(args).env("GITHUB_TOKEN", fake.token());
        } else {
            command.args(["--webhook-secret-env", "HOOK_SECRET"]).args(args);
            command.env("GITHUB_TOKEN", fake.token()).env("GH_TOKEN", fake.token()).env("HOOK_SECRET", &secret);
        }
        let mut child = command.stderr(Stdio::piped()).spawn().expect("start the example");
        let stderr = child.stderr.take().unwrap();
        let (lines_tx, lines) = mpsc::channel::<String>();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                let _ = lines_tx.send(line);
            }
        });
        let mut log = Log { lines, seen: Vec::new() };
        let metrics = log.wait_for("metrics on ").trim_start_matches("metrics on ").to_string();
        log.wait_for("listening on ");
        let url = metrics.replace("/metrics", "/webhook");
        Serve { log, url, secret, machines, running: Running(child) }
    }

    /// What `/metrics` serves now.
    pub async fn metrics(&self) -> String {
        let url = self.url.replace("/webhook", "/metrics");
        reqwest::get(&url).await.unwrap().text().await.unwrap()
    }

    /// The scaler's process id.
    pub fn pid(&self) -> u32 {
        self.running.0.id()
    }

    /// The config machine `name` booted with, once it has.
    pub async fn machine(&self, name: &str) -> String {
        let path = self.machines.join(name);
        until(&format!("the machine of {name}"), || path.exists()).await;
        std::fs::read_to_string(&path).unwrap()
    }

    /// The machines launched so far.
    pub fn launched(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.machines)
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| !n.starts_with('.'))
            .collect();
        names.sort();
        names
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.machines);
    }
}

/// The two lines `demo` prints, after checking it succeeded (and that a
/// test that needs Redis says how to install it).
pub fn lines(out: &Output, what: &str) -> (String, String) {
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("redis-server is not installed"),
        "these tests need a real Redis: install it with `apt-get install -y redis-server`"
    );
    let mut it = stdout.lines();
    let (first, second) = (it.next().unwrap_or_default().to_string(), it.next().unwrap_or_default().to_string());
    assert!(out.status.success(), "{what}: {stdout}\n{}", stderr.lines().rev().take(30).collect::<Vec<_>>().join("\n"));
    (first, second)
}
