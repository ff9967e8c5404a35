//! `gha-scaler demo --source scaleset`: demand from a runner scale set's
//! session on the fake Actions service instead of webhook deliveries.
//! The replica tests share a real `redis-server` the demo starts
//! (`apt-get install -y redis-server`). What breaks them (each checked):
//! a replica that stops waiting for the session lease (no takeover after
//! a kill), a listener that does not acquire a job offered again (the kill
//! test's jobs end canceled). Acknowledging a message before it is handled
//! breaks no test here: this source scales on each message's statistics,
//! not on its job messages; `tests/scaleset_lifecycle.rs` checks that rule.

use std::process::{Command, Output};

fn demo(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gha-scaler"))
        .args(["demo", "--source", "scaleset"])
        .args(args)
        .env_remove("GITHUB_TOKEN")
        .env_remove("GITHUB_API_URL")
        .output()
        .expect("run gha-scaler (built by cargo test)")
}

/// The two lines `demo` prints, after checking it succeeded.
fn lines(out: &Output, what: &str) -> (String, String) {
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
fn lost_machines_are_replaced_and_requeued_jobs_served() {
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
    assert!(second.contains("replica 1 killed after"), "{second}");
}
