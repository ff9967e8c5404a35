//! `examples/autoscaler.rs`: `demo` against the in-process fake prints the
//! counts line with equal counts (and the reaper replaces machines that never
//! boot); `serve` scales deliveries from a GitHub it knows only by URL and
//! token (the fake, in this process), refusing unsigned ones.

mod support;

use gha_runners::Secret;
use gha_runners::testkit::{FakeGitHub, FakeScope};
use gha_runners::types::{JobConclusion, JobStatus};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The example binary, which `cargo test` builds beside the test binaries.
fn example() -> PathBuf {
    support::examples::binary("autoscaler")
}

fn demo(args: &[&str]) -> Output {
    Command::new(example())
        .arg("demo")
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .output()
        .expect("run the example (built by cargo test)")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_serves_a_burst_and_prints_equal_counts() {
    let out = demo(&[]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout, "demo: 12 jobs queued, 12 runners created, 12 jobs completed, 0 runners left\n", "{stderr}");
    // Mixed labels: each pool's group got runners.
    for group in ["Default", "gpu", "arm64"] {
        assert_eq!(stderr.matches(&format!("created in group {group}\n")).count(), 4, "{stderr}");
    }
}

#[test]
fn demo_replaces_machines_that_never_boot() {
    let out = demo(&["--jobs", "6", "--lost-machines", "2"]);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert_eq!(stdout, "demo: 6 jobs queued, 8 runners created, 6 jobs completed, 0 runners left\n", "{stderr}");
    assert_eq!(stderr.matches("deleted: never ran a job").count(), 2, "{stderr}");
}

/// Kills the example when the test ends, passed or not.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Waits for `done`, polling, at most 20 seconds.
async fn until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_scales_deliveries_and_refuses_unsigned_ones() {
    let org = FakeScope::org("octo-org");
    let repo = FakeScope::repo("octo-org", "app");
    let fake = FakeGitHub::builder().org("octo-org").runner_group(org.clone(), 2, "gpu").start().await;
    let machines =
        std::env::temp_dir().join(format!("autoscaler-machines-{}-{}", std::process::id(), fastrand::u64(..)));
    std::fs::create_dir_all(&machines).unwrap();
    let secret = format!("{:032x}", fastrand::u128(..));
    let launch = format!("printf %s \"$ACTIONS_RUNNER_INPUT_JITCONFIG\" > '{}'/\"$RUNNER_NAME\"", machines.display());
    let mut child = Command::new(example())
        .args(["serve", "--listen", "127.0.0.1:0", "--webhook-secret-env", "HOOK_SECRET", "--org", "octo-org"])
        .args(["--pool", "gpu=self-hosted,linux,gpu", "--launch", &launch])
        .env("GITHUB_TOKEN", fake.token())
        .env("GITHUB_API_URL", fake.base_url())
        .env("HOOK_SECRET", &secret)
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the example");
    let stderr = child.stderr.take().unwrap();
    let _running = Running(child);
    let (lines_tx, lines) = mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    let url = loop {
        let line = lines.recv_timeout(Duration::from_secs(20)).expect("the example says where it listens");
        log.push(line.clone());
        if let Some(url) = line.strip_prefix("listening on ") {
            break url.to_string();
        }
    };
    // Unsigned or wrongly signed deliveries are refused.
    let http = reqwest::Client::new();
    let body = br#"{"action":"queued"}"#.to_vec();
    let post = |signature: Option<String>| {
        let mut r = http.post(&url).header("x-github-event", "workflow_job").body(body.clone());
        if let Some(s) = signature {
            r = r.header("x-hub-signature-256", s);
        }
        r.send()
    };
    assert_eq!(post(None).await.unwrap().status(), 401);
    let forged = gha_runners::webhook::sign(&Secret::new("not the secret"), &body);
    assert_eq!(post(Some(forged)).await.unwrap().status(), 401);

    fake.set_webhook(&url, Secret::new(&secret));
    let (ignored, _) = fake.queue_job(repo.clone(), ["self-hosted", "windows"]);
    // Another owner's job: the organization's runners cannot serve it.
    let (foreign, _) = fake.queue_job(FakeScope::repo("someone-else", "app"), ["self-hosted", "gpu"]);
    let (job, _) = fake.queue_job(repo.clone(), ["self-hosted", "GPU"]);
    let booted = || std::fs::read_dir(&machines).unwrap().filter_map(Result::ok).map(|e| e.path()).collect::<Vec<_>>();
    until("the launch command", || !booted().is_empty()).await;
    let config = std::fs::read_to_string(&booted()[0]).unwrap();
    assert_eq!(booted()[0].file_name().unwrap().to_str(), Some(format!("gha-scaler-{job}-1").as_str()));
    let runner = fake.start_runner(&config).expect("the config the example was given");
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(job).await.unwrap().runner_id.map(|r| r.get()), Some(runner));
    assert!(fake.complete_job(job, JobConclusion::Success));
    fake.deliveries_settled().await;
    assert!(fake.deliveries().iter().all(|d| d.status == Some(202)), "{:#?}", fake.deliveries());
    assert!(
        fake.runners(&org).is_empty(),
        "{:?} {:#?}",
        fake.runners(&org),
        fake.deliveries()
            .iter()
            .map(|d| (
                d.job_id,
                d.payload["repository"]["owner"]["login"].clone(),
                d.payload["repository"]["full_name"].clone()
            ))
            .collect::<Vec<_>>()
    );
    // No pool has `windows`, and another owner's job is not ours: no runner.
    assert_eq!(jobs.get(ignored).await.unwrap().status, JobStatus::Queued);
    let elsewhere = fake.client().unwrap().repo("someone-else", "app").jobs();
    assert_eq!(elsewhere.get(foreign).await.unwrap().status, JobStatus::Queued);
    assert_eq!(booted().len(), 1);
    while let Ok(line) = lines.recv_timeout(Duration::from_millis(200)) {
        log.push(line);
    }
    let log = log.join("\n");
    assert!(log.contains(&format!("runner gha-scaler-{job}-1 ({runner}) created in group gpu")), "{log}");
    assert_eq!(log.matches("refused a delivery").count(), 2, "{log}");
    assert!(!log.contains(&config) && !log.contains(&secret), "a secret was printed: {log}");
    let _ = std::fs::remove_dir_all(&machines);
}
