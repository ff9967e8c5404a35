//! `gha-scaler demo --source scaleset`: demand from a runner scale set's
//! session on the fake Actions service instead of webhook deliveries.
//! The replica tests share a real `redis-server` the demo starts
//! (`apt-get install -y redis-server`). What breaks them (each checked):
//! a replica that stops waiting for the session lease (no takeover after
//! a kill), a listener that does not acquire a job offered again (the kill
//! test's jobs end canceled). Acknowledging a message before it is handled
//! breaks no test here: this source scales on each message's statistics,
//! not on its job messages; `tests/scaleset_lifecycle.rs` checks that rule.

mod support;

use gha_runners::testkit::{FakeGitHub, FakeScope};
use gha_runners::types::{JobConclusion, JobStatus};
use std::process::{Command, Output};
use support::{Serve, lines, until};

fn demo(args: &[&str]) -> Output {
    support::demo(&[&["--source", "scaleset"][..], args].concat())
}

/// One replica: one runner per job, and the figures line.
#[test]
fn one_replica_makes_one_runner_per_job() {
    let (first, second) = lines(&demo(&["--jobs", "12"]), "one replica");
    assert_eq!(first, "demo: 12 jobs queued, 12 runners created, 12 jobs completed, 0 runners left");
    assert!(second.starts_with("demo: queued to runner created p50 "), "{second}");
    assert!(second.contains("to the Actions service"), "{second}");
}

/// Machines that never boot: the reaper deletes their runners, and demand
/// (the jobs still assigned) makes new ones, before the service cancels
/// the jobs (its requeue time is 2 s in the demo).
#[test]
fn lost_machines_are_replaced() {
    let (first, _) = lines(&demo(&["--jobs", "12", "--lost-machines", "3"]), "lost machines");
    assert_eq!(first, "demo: 12 jobs queued, 15 runners created, 12 jobs completed, 0 runners left");
}

/// Three replicas, one holding the session, through the service's faults
/// (5xx, connections cut mid-poll, slow answers, every token expiring, the
/// session ended under its holder): one runner per job, every job done.
#[test]
fn three_replicas_ride_out_the_service_faults() {
    for seed in ["1", "2"] {
        let out = demo(&["--jobs", "45", "--replicas", "3", "--faults", "--seed", seed]);
        let (first, _) = lines(&out, &format!("seed {seed}"));
        assert_eq!(first, "demo: 45 jobs queued, 45 runners created, 45 jobs completed, 0 runners left", "seed {seed}");
    }
}

/// The replica holding the session killed without warning: its lease
/// lapses, another opens a session, and the messages it had not
/// acknowledged come to it. Runners beyond the jobs are at most the
/// launches the dead one had in flight.
#[test]
fn a_replica_killed_holding_the_session_loses_nothing() {
    let out = demo(&["--jobs", "45", "--replicas", "3", "--kill-replica", "1"]);
    let (first, second) = lines(&out, "kill");
    let created: usize = first
        .strip_prefix("demo: 45 jobs queued, ")
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    assert!(first.ends_with("45 jobs completed, 0 runners left"), "{first}");
    assert!((45..=48).contains(&created), "{first}");
    assert!(second.contains("replica 1 killed holding the session after"), "{second}");
}

/// `serve --source scaleset` against the fake: it creates the scale set,
/// holds its session, makes a runner for a job (the launch command sees the
/// config, not the token), the runner takes the job, and no webhook route
/// exists.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_listens_on_a_scale_set() {
    let fake =
        FakeGitHub::builder().org("octo-org").scale_set_poll_wait(std::time::Duration::from_millis(300)).start().await;
    let mut serve =
        Serve::start(&fake, "", &["--source", "scaleset", "--scale-set", "linux-x64", "--max-runners", "5"]);
    serve.log.wait_for("session opened by ");
    let set = fake.scale_sets().into_iter().find(|s| s.1 == "linux-x64").expect("the scale set was created");
    assert!(set.2, "a session is open");
    let (job, _) = fake.queue_job(FakeScope::repo("octo-org", "app"), ["linux-x64"]);
    until("a runner to be launched", || !serve.launched().is_empty()).await;
    let name = serve.launched().remove(0);
    let config = serve.machine(&name).await;
    let env = std::fs::read_to_string(serve.machines.join(format!(".env.{name}"))).unwrap();
    assert!(!env.contains(&fake.token()), "the launch command saw the token");
    fake.start_runner(&config).expect("a config of the scale set");
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    assert_eq!(jobs.get(job).await.unwrap().status, JobStatus::InProgress);
    assert!(fake.complete_job(job, JobConclusion::Success));
    until("the runner to go", || fake.runners(&FakeScope::org("octo-org")).is_empty()).await;
    let refused = reqwest::Client::new().post(&serve.url).body("{}").send().await.unwrap();
    assert_eq!(refused.status(), 404, "no webhook route without deliveries to take");
    assert!(serve.metrics().await.contains("gha_scaler"), "metrics are served");
    assert!(fake.credential_violations().is_empty(), "{:?}", fake.credential_violations());
    // SIGTERM: the session is closed before the process ends, so that the
    // next holder need not wait for the service to end it.
    let set_id = set.0;
    let killed = Command::new("kill").args(["-TERM", &serve.pid().to_string()]).status().expect("kill");
    assert!(killed.success());
    until("the session to close", || fake.scale_set_session_owner(set_id).is_none()).await;
    let log = serve.log.all();
    assert!(!log.contains(&config), "the config was printed: {log}");
}

/// The cap holds: never more runners alive than `--max-runners`, which is
/// also the max capacity GitHub is told, and every job is served.
#[test]
fn the_cap_holds_and_every_job_is_served() {
    let (first, second) = lines(&demo(&["--jobs", "20", "--max-runners", "2"]), "cap");
    assert_eq!(first, "demo: 20 jobs queued, 20 runners created, 20 jobs completed, 0 runners left");
    let peak: usize = second
        .split("at most ")
        .nth(1)
        .and_then(|r| r.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{second}"));
    assert!(peak <= 2, "{second}");
}

/// `serve --source scaleset` refuses what it cannot honour before it
/// starts: no cap (GitHub must be told one), warm runners.
#[test]
fn serve_refuses_a_scale_set_without_a_cap_or_with_warm_runners() {
    for (extra, says) in
        [(&[][..], "needs --max-runners"), (&["--max-runners", "3", "--min-idle", "1"][..], "--min-idle")]
    {
        let out = Command::new(env!("CARGO_BIN_EXE_gha-scaler"))
            .args(["serve", "--listen", "127.0.0.1:0", "--org", "octo-org", "--launch", "true"])
            .args(["--source", "scaleset", "--scale-set", "linux-x64"])
            .args(extra)
            .env("GITHUB_TOKEN", "not-used")
            .env("GITHUB_API_URL", "http://127.0.0.1:9")
            .output()
            .expect("run gha-scaler");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(says), "{stderr}");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_gha-scaler"))
        .args(["serve", "--listen", "127.0.0.1:0", "--org", "o", "--launch", "true", "--source", "scaleset"])
        .output()
        .expect("run gha-scaler");
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scale-set"), "clap names the missing flag");
}
