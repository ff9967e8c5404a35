//! `demo`: a burst of jobs on the in-process fake GitHub.

use crate::config::Settings;
use crate::launch::Launcher;
use crate::pools::Pool;
use crate::scaler::Scaler;
use crate::state::State;
use gha_runners::Secret;
use gha_runners::testkit::{DeliveryFaults, FakeGitHub, FakeScope};
use gha_runners::types::JobId;
use std::str::FromStr;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Machines of the fake GitHub: each boots its runner after a short delay,
/// except the first `lose` ones, which never do.
pub(crate) struct FakeMachines {
    pub(crate) fake: FakeGitHub,
    pub(crate) lose: Mutex<usize>,
}

impl Launcher for FakeMachines {
    async fn launch(&self, name: &str, config: Secret) -> Result<(), String> {
        {
            let mut lose = self.lose.lock().unwrap_or_else(|p| p.into_inner());
            if *lose > 0 {
                *lose -= 1;
                eprintln!("machine of {name} lost: it will never boot");
                return Ok(());
            }
        }
        let fake = self.fake.clone();
        let name = name.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(fastrand::u64(10..60))).await;
            if let Err(e) = fake.start_runner(config.expose_secret()) {
                eprintln!("machine of {name} booted, but its runner did not start: {e}");
            }
        });
        Ok(())
    }
}

/// `demo`'s flags: the burst, and what the fake's deliveries suffer.
#[derive(clap::Args, Debug, Clone)]
pub(crate) struct DemoArgs {
    /// How many jobs to queue.
    #[arg(long, default_value_t = 12)]
    pub(crate) jobs: usize,
    /// How many machines never boot (the reaper deletes their runners).
    #[arg(long, default_value_t = 0)]
    pub(crate) lost_machines: usize,
    /// The fraction of deliveries lost (GitHub logs them failed).
    #[arg(long, default_value_t = 0.0)]
    pub(crate) drop: f64,
    /// The fraction of deliveries lost though GitHub logs them delivered.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) vanish: f64,
    /// The fraction of deliveries sent twice.
    #[arg(long, default_value_t = 0.0)]
    pub(crate) duplicate: f64,
    /// Deliveries are shuffled within windows of this many.
    #[arg(long, default_value_t = 0)]
    pub(crate) reorder: usize,
    /// Seconds the receiver is down, from 0.3 s into the burst.
    #[arg(long, default_value = "0", value_parser = crate::config::seconds)]
    pub(crate) down: Duration,
    /// The seed the faults are drawn from.
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
}

/// The `p`th percentile of sorted `v` (nearest rank).
fn percentile(v: &[Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

pub(crate) async fn demo(args: DemoArgs) -> Result<bool, String> {
    let (jobs, lost_machines) = (args.jobs, args.lost_machines);
    for (name, f) in [("drop", args.drop), ("vanish", args.vanish), ("duplicate", args.duplicate)] {
        if !(0.0..=1.0).contains(&f) {
            return Err(format!("--{name} {f}: a fraction from 0 to 1"));
        }
    }
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .runner_group(FakeScope::org("octo-org"), 2, "gpu")
        .runner_group(FakeScope::org("octo-org"), 3, "arm64")
        .job_duration(Duration::from_millis(30))
        .start()
        .await;
    let pools = vec![
        Pool::from_str("Default=self-hosted,linux,x64")?,
        Pool::from_str("gpu=self-hosted,linux,gpu")?,
        Pool::from_str("arm64=self-hosted,linux,arm64")?,
    ];
    let secret = Secret::new(format!("{:032x}", fastrand::u128(..)));
    let scaler = Arc::new(Scaler {
        github: fake.client().map_err(|e| e.to_string())?,
        settings: Settings {
            org: "octo-org".into(),
            prefix: "demo".into(),
            pools: pools.clone(),
            boot_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(2),
        },
        launcher: Arc::new(FakeMachines { fake: fake.clone(), lose: Mutex::new(lost_machines) }),
        secret: secret.clone(),
        catch_up: crate::catch_up::CatchUp {
            hook_id: Some(fake.hook_id()),
            repos: Vec::new(),
            lookback: Duration::from_secs(60),
            grace: Duration::from_secs(1),
        },
        state: Mutex::new(State { first_runner: Some(Default::default()), ..State::default() }),
        reconciling: tokio::sync::Mutex::new(()),
        asked: AtomicBool::new(false),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = scaler.router();
    tokio::spawn(async move { axum::serve(listener, app).await });
    tokio::spawn(scaler.clone().reap_every(Duration::from_millis(100)));
    tokio::spawn(scaler.clone().catch_up_every(Duration::from_millis(500)));
    fake.set_webhook(&format!("http://{addr}/webhook"), secret);
    eprintln!("demo: the in-process fake GitHub sends deliveries to http://{addr}/webhook");

    let faults = DeliveryFaults::seeded(args.seed)
        .drop(args.drop)
        .vanish(args.vanish)
        .duplicate(args.duplicate)
        .reorder(args.reorder)
        .down(Duration::from_millis(300), args.down);
    fake.set_delivery_faults(faults);
    let mut queued_at = Vec::with_capacity(jobs);
    for i in 0..jobs {
        let repo = FakeScope::repo("octo-org", ["api", "web", "ml"][i % 3]);
        let (job, _) = fake.queue_job(repo, pools[i % pools.len()].labels.iter().cloned());
        queued_at.push((JobId::from(job), Instant::now()));
    }
    let deadline = Instant::now() + Duration::from_secs(240);
    // Done when GitHub (the fake) says every job ended: a `completed`
    // delivery may be lost for good.
    let all_ended = || queued_at.iter().all(|(job, _)| fake.job_ended(job.get()));
    while !all_ended() {
        if Instant::now() > deadline {
            eprintln!("demo: gave up waiting for the jobs to complete");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.deliveries_settled().await;
    scaler.reap().await.map_err(|e| e.to_string())?;
    let left = fake.runners(&FakeScope::org("octo-org")).len();
    let completed = queued_at.iter().filter(|(job, _)| fake.job_ended(job.get())).count();
    let s = scaler.state();
    let mut latency: Vec<Duration> = queued_at
        .iter()
        .filter_map(|(job, at)| s.first_runner.as_ref()?.get(job).map(|created| created.saturating_duration_since(*at)))
        .collect();
    latency.sort();
    println!(
        "demo: {jobs} jobs queued, {} runners created, {completed} jobs completed, {left} runners left",
        s.created
    );
    println!(
        "demo: queued to runner created p50 {} ms, p99 {} ms; catch-up redelivered {} deliveries and found {} jobs by reconciliation; {:.1} API requests per job",
        percentile(&latency, 50.0).as_millis(),
        percentile(&latency, 99.0).as_millis(),
        s.redelivered,
        s.reconciled,
        fake.requests().len() as f64 / jobs.max(1) as f64
    );
    Ok(completed == jobs && left == 0 && s.created == jobs + lost_machines)
}
