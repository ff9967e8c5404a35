//! `demo`: a burst of jobs on the in-process fake GitHub, served by one
//! replica or several (sharing a `redis-server` the demo starts), behind
//! one URL, with the faults of GitHub's deliveries and, on request, a
//! replica killed mid-burst.

use crate::config::Settings;
use crate::launch::Launcher;
use crate::pools::Pool;
use crate::scaler::{Scaler, ScalerParts};
use crate::store::{Counter, Store, redis::RedisStore};
use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use gha_runners::testkit::{DeliveryFaults, FakeGitHub, FakeScope, RedisServer};
use gha_runners::types::JobId;
use gha_runners::{Client, Secret};
use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The client's write interval against the fake (GitHub's is 1 s, and
/// `serve` keeps it): the fake has no secondary rate limit to respect.
const DEMO_WRITE_INTERVAL: Duration = Duration::ZERO;

/// How long the shared write lock outlives a replica killed holding it
/// (the crate's default is 15 s, which `serve` keeps): short, so that the
/// chaos demo does not wait a quarter of a minute after its kill.
const DEMO_LOCK_LEASE: Duration = Duration::from_secs(1);

/// Machines of the fake GitHub: each boots its runner after a short delay,
/// except the first `lose` ones, which never do. A torn-down machine does
/// not boot. Machines boot on the demo's own runtime: a machine launched
/// by a replica that is then killed still boots, as a real one would.
pub(crate) struct FakeMachines {
    pub(crate) fake: FakeGitHub,
    pub(crate) lose: Mutex<usize>,
    pub(crate) torn_down: Arc<Mutex<HashSet<String>>>,
    pub(crate) boots: tokio::runtime::Handle,
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
        let (fake, torn_down, name) = (self.fake.clone(), self.torn_down.clone(), name.to_string());
        self.boots.spawn(async move {
            tokio::time::sleep(Duration::from_millis(fastrand::u64(10..60))).await;
            if torn_down.lock().unwrap_or_else(|p| p.into_inner()).contains(&name) {
                return;
            }
            if let Err(e) = fake.start_runner(config.expose_secret()) {
                eprintln!("machine of {name} booted, but its runner did not start: {e}");
            }
        });
        Ok(())
    }

    async fn teardown(&self, name: &str) -> Result<(), String> {
        self.torn_down.lock().unwrap_or_else(|p| p.into_inner()).insert(name.to_string());
        Ok(())
    }
}

/// `demo`'s flags: the burst, the replicas, and what the fake's
/// deliveries suffer.
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
    /// Replicas behind one URL; more than one share a redis-server the
    /// demo starts on loopback (Debian's `redis-server` package).
    #[arg(long, default_value_t = 1)]
    pub(crate) replicas: usize,
    /// Kills replica N (1-based) without warning once a third of the jobs
    /// have a runner.
    #[arg(long)]
    pub(crate) kill_replica: Option<usize>,
    /// At most this many runners alive per pool (the fake checks).
    #[arg(long)]
    pub(crate) max_runners: Option<usize>,
    /// Runners kept idle per pool beyond the jobs waiting.
    #[arg(long, default_value_t = 0)]
    pub(crate) min_idle: usize,
    /// Share state through Redis even with one replica.
    #[arg(long)]
    pub(crate) redis: bool,
    /// Where demand comes from: webhook deliveries, or a runner scale
    /// set's session on the fake Actions service.
    #[arg(long, value_enum, default_value_t = crate::config::SourceKind::Webhook)]
    pub(crate) source: crate::config::SourceKind,
    /// The source's faults: for webhooks, deliveries lost (5%), repeated
    /// (10%) and reordered (by 4) and the receiver down for 0.5 s; for a
    /// scale set, the service's 5xx, connections cut mid-poll, slow
    /// answers, every token expiring once and the session ended once.
    #[arg(long)]
    pub(crate) faults: bool,
}

/// The `p`th percentile of sorted `v` (nearest rank).
pub(crate) fn percentile(v: &[Duration], p: f64) -> Duration {
    if v.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * v.len() as f64).ceil() as usize;
    v[rank.clamp(1, v.len()) - 1]
}

/// One replica: its own runtime (so that killing it drops every task it
/// had, as a killed process would), client, store connection and HTTP
/// server.
struct Replica {
    runtime: Option<tokio::runtime::Runtime>,
    scaler: Arc<Scaler<FakeMachines>>,
    url: String,
}

/// What every replica of the demo is made with.
pub(crate) struct Shared {
    pub(crate) fake: FakeGitHub,
    pub(crate) redis: Option<String>,
    pub(crate) pools: Vec<Pool>,
    pub(crate) secret: Secret,
    pub(crate) launcher: Arc<FakeMachines>,
    pub(crate) first_runner: Arc<Mutex<HashMap<JobId, Instant>>>,
}

pub(crate) async fn start_replica(shared: &Shared) -> Result<Arc<Scaler<FakeMachines>>, String> {
    let mut builder = Client::builder()
        .base_url(shared.fake.base_url())
        .token(shared.fake.token())
        .mutation_interval(DEMO_WRITE_INTERVAL);
    let store = match &shared.redis {
        Some(url) => {
            let fleet = gha_runners::transport::RedisFleet::new(url, "demo").map_err(|e| e.to_string())?;
            builder = builder.fleet(fleet.lock_lease(DEMO_LOCK_LEASE));
            Store::Redis(
                RedisStore::connect(url, "demo", shared.pools.iter().map(|p| p.key()).collect())
                    .await
                    .map_err(|e| e.to_string())?,
            )
        }
        None => Store::Memory(Box::default()),
    };
    Ok(Arc::new(Scaler::new(ScalerParts {
        github: builder.build().map_err(|e| e.to_string())?,
        settings: Settings {
            org: "octo-org".into(),
            prefix: "demo".into(),
            pools: shared.pools.clone(),
            boot_timeout: Duration::from_secs(1),
            idle_timeout: Duration::from_secs(2),
            launch_timeout: Duration::from_secs(1),
        },
        launcher: shared.launcher.clone(),
        secret: shared.secret.clone(),
        catch_up: crate::replica::CatchUp {
            hook_id: Some(shared.fake.hook_id()),
            repos: Vec::new(),
            lookback: Duration::from_secs(60),
            grace: Duration::from_secs(1),
        },
        store,
        first_runner: Some(shared.first_runner.clone()),
    })))
}

impl Replica {
    /// Starts a replica on a runtime of its own (in a thread of its own:
    /// the demo's runtime cannot block on another).
    fn start(shared: Arc<Shared>) -> Result<Replica, String> {
        let (runtime, scaler, url) = spawn_replica(shared, |scaler| async move {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let timeout = crate::serve::READ_TIMEOUT;
            tokio::spawn(crate::serve::run_http(listener, scaler.router(timeout), 256, timeout));
            tokio::spawn(scaler.catch_up_every(Duration::from_millis(500)));
            Ok(format!("http://{addr}/webhook"))
        })?;
        Ok(Replica { runtime: Some(runtime), scaler, url })
    }

    /// Stops every task of the replica at its next await, without any
    /// goodbye: its leases and claims expire in the store.
    fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// Starts a replica on a runtime of its own (in a thread of its own: the
/// demo's runtime cannot block on another): its scaler joins the fleet,
/// keeps the fleet's claim and reaps; then `source` starts what brings it
/// demand, on that runtime. Killing the runtime drops every task it had,
/// as a killed process would.
pub(crate) fn spawn_replica<T, F, Fut>(
    shared: Arc<Shared>,
    source: F,
) -> Result<(tokio::runtime::Runtime, Arc<Scaler<FakeMachines>>, T), String>
where
    T: Send + 'static,
    F: FnOnce(Arc<Scaler<FakeMachines>>) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| format!("cannot start a runtime: {e}"))?;
        let (scaler, out) = runtime.block_on(async {
            let scaler = start_replica(&shared).await?;
            scaler.join_fleet().await?;
            let keeper = scaler.clone();
            tokio::spawn(async move { eprintln!("demo: {}", keeper.keep_config().await) });
            tokio::spawn(scaler.clone().reap_every(Duration::from_millis(100)));
            let out = source(scaler.clone()).await?;
            Ok::<_, String>((scaler, out))
        })?;
        Ok((runtime, scaler, out))
    })
    .join()
    .map_err(|_| "a replica's thread panicked".to_string())?
}

/// The load balancer in front of the replicas: each delivery goes to the
/// next live one; one that cannot be reached is skipped.
async fn forward(
    targets: &[String],
    next: &AtomicUsize,
    http: &reqwest::Client,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let start = next.fetch_add(1, Ordering::Relaxed);
    for i in 0..targets.len() {
        let url = &targets[(start + i) % targets.len()];
        let mut request = http.post(url).body(body.clone());
        for (name, value) in &headers {
            if name.as_str().starts_with("x-") || name == "content-type" {
                request = request.header(name.as_str(), value.as_bytes());
            }
        }
        if let Ok(answer) = request.send().await {
            return StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
        }
    }
    StatusCode::BAD_GATEWAY
}

/// Queues `jobs` jobs in three repositories, job `i` asking for
/// `labels(i)`; returns each job and when it was queued.
pub(crate) fn queue_burst(
    fake: &FakeGitHub,
    jobs: usize,
    labels: impl Fn(usize) -> Vec<String>,
) -> Vec<(JobId, Instant)> {
    (0..jobs)
        .map(|i| {
            let repo = FakeScope::repo("octo-org", ["api", "web", "ml"][i % 3]);
            let (job, _) = fake.queue_job(repo, labels(i));
            (JobId::from(job), Instant::now())
        })
        .collect()
}

/// Whether every job of the burst ended, or the demo has waited two
/// minutes since the first was queued (it says so).
pub(crate) fn burst_over(fake: &FakeGitHub, queued_at: &[(JobId, Instant)]) -> bool {
    if queued_at.iter().all(|(job, _)| fake.job_ended(job.get())) {
        return true;
    }
    let timed_out = queued_at.first().is_some_and(|(_, at)| at.elapsed() > Duration::from_secs(120));
    if timed_out {
        eprintln!("demo: gave up waiting for the jobs to complete");
    }
    timed_out
}

fn jit_configs(fake: &FakeGitHub) -> usize {
    fake.responses()
        .iter()
        .filter(|r| r.operation == "actions/generate-runner-jitconfig-for-org" && r.status == 201)
        .count()
}

pub(crate) async fn demo(mut args: DemoArgs) -> Result<bool, String> {
    if args.source == crate::config::SourceKind::Scaleset {
        return crate::demo_scaleset::demo(args).await;
    }
    if args.faults {
        // Each only where the flag of its own was not given.
        if args.drop == 0.0 {
            args.drop = 0.05;
        }
        if args.duplicate == 0.0 {
            args.duplicate = 0.1;
        }
        if args.reorder == 0 {
            args.reorder = 4;
        }
        if args.down.is_zero() {
            args.down = Duration::from_millis(500);
        }
    }
    let (jobs, lost_machines) = (args.jobs, args.lost_machines);
    for (name, f) in [("drop", args.drop), ("vanish", args.vanish), ("duplicate", args.duplicate)] {
        if !(0.0..=1.0).contains(&f) {
            return Err(format!("--{name} {f}: a fraction from 0 to 1"));
        }
    }
    if args.replicas == 0 {
        return Err("--replicas 0: at least one replica".into());
    }
    if let Some(k) = args.kill_replica
        && (k == 0 || k > args.replicas || args.replicas < 2)
    {
        return Err(format!("--kill-replica {k}: a replica from 1 to {} of 2 or more", args.replicas));
    }
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .runner_group(FakeScope::org("octo-org"), 2, "gpu")
        .runner_group(FakeScope::org("octo-org"), 3, "arm64")
        .job_duration(Duration::from_millis(30))
        .start()
        .await;
    let pools: Vec<Pool> =
        ["Default=self-hosted,linux,x64", "gpu=self-hosted,linux,gpu", "arm64=self-hosted,linux,arm64"]
            .into_iter()
            .map(|p| Pool::from_str(p).map(|p| Pool { max_runners: args.max_runners, min_idle: args.min_idle, ..p }))
            .collect::<Result<_, _>>()?;
    let server = if args.replicas > 1 || args.redis {
        let server = RedisServer::try_start()?;
        eprintln!("demo: replicas share a redis-server on 127.0.0.1:{}", server.port);
        Some(server)
    } else {
        None
    };
    let secret = Secret::new(format!("{:032x}", fastrand::u128(..)));
    let shared = Arc::new(Shared {
        fake: fake.clone(),
        redis: server.as_ref().map(RedisServer::url),
        pools: pools.clone(),
        secret: secret.clone(),
        launcher: Arc::new(FakeMachines {
            fake: fake.clone(),
            lose: Mutex::new(lost_machines),
            torn_down: Arc::default(),
            boots: tokio::runtime::Handle::current(),
        }),
        first_runner: Arc::default(),
    });
    let mut replicas = Vec::new();
    for _ in 0..args.replicas {
        replicas.push(Replica::start(shared.clone())?);
    }
    crate::metrics::handle();
    let targets: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(replicas.iter().map(|r| r.url.clone()).collect()));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let front = {
        let (targets, next, http) = (targets.clone(), Arc::new(AtomicUsize::new(0)), reqwest::Client::new());
        axum::Router::new().route(
            "/webhook",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let (targets, next, http) = (targets.clone(), next.clone(), http.clone());
                async move {
                    let live = targets.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    forward(&live, &next, &http, headers, body).await
                }
            }),
        )
    };
    tokio::spawn(async move { axum::serve(listener, front).await });
    fake.set_webhook(&format!("http://{addr}/webhook"), secret);
    eprintln!("demo: the in-process fake GitHub sends deliveries to http://{addr}/webhook");
    eprintln!(
        "demo: the client's write interval is lowered to {DEMO_WRITE_INTERVAL:?} against the fake (serve keeps GitHub's 1 s)"
    );
    if server.is_some() {
        eprintln!(
            "demo: the replicas' shared write lock outlives a dead holder by {DEMO_LOCK_LEASE:?} (serve keeps the crate's 15 s)"
        );
    }

    let faults = DeliveryFaults::seeded(args.seed)
        .drop(args.drop)
        .vanish(args.vanish)
        .duplicate(args.duplicate)
        .reorder(args.reorder)
        .down(Duration::from_millis(300), args.down);
    fake.set_delivery_faults(faults);
    let queued_at = queue_burst(&fake, jobs, |i| pools[i % pools.len()].labels.clone());
    let mut killed_with = None;
    // Done when GitHub (the fake) says every job ended: a `completed`
    // delivery may be lost for good.
    while !burst_over(&fake, &queued_at) {
        if let Some(k) = args.kill_replica
            && killed_with.is_none()
            && jit_configs(&fake) * 3 >= jobs
        {
            let victim = &mut replicas[k - 1];
            targets.lock().unwrap_or_else(|p| p.into_inner()).retain(|t| *t != victim.url);
            victim.kill();
            killed_with = Some(jit_configs(&fake));
            eprintln!("demo: replica {k} killed");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.deliveries_settled().await;
    // The reapers delete what is left (runners that came up after their
    // job was taken), warm runners aside.
    let warm = args.min_idle * pools.len();
    let settle = Instant::now() + Duration::from_secs(15);
    while fake.runners(&FakeScope::org("octo-org")).len() > warm && Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = fake.runners(&FakeScope::org("octo-org")).len();
    let completed = queued_at.iter().filter(|(job, _)| fake.job_ended(job.get())).count();
    let created = jit_configs(&fake);
    let first_runner = shared.first_runner.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut latency: Vec<Duration> = queued_at
        .iter()
        .filter_map(|(job, at)| first_runner.get(job).map(|created| created.saturating_duration_since(*at)))
        .collect();
    latency.sort();
    let live = replicas.iter().find(|r| r.runtime.is_some()).map(|r| r.scaler.clone());
    let (redelivered, reconciled) = match &live {
        Some(s) => (
            s.store.count(Counter::Redelivered).await.unwrap_or(0),
            s.store.count(Counter::Reconciled).await.unwrap_or(0),
        ),
        None => (0, 0),
    };
    println!("demo: {jobs} jobs queued, {created} runners created, {completed} jobs completed, {left} runners left");
    let mut second = format!(
        "demo: queued to runner created p50 {} ms, p99 {} ms; catch-up redelivered {redelivered} deliveries and found {reconciled} jobs by reconciliation; {:.1} API requests per job",
        percentile(&latency, 50.0).as_millis(),
        percentile(&latency, 99.0).as_millis(),
        fake.requests().len() as f64 / jobs.max(1) as f64
    );
    let expected = jobs + lost_machines + warm;
    let extra = created.saturating_sub(expected);
    if let (Some(k), Some(at)) = (args.kill_replica, killed_with) {
        second += &format!(
            "; replica {k} killed after {at} runners: {extra} runners beyond the jobs (launches it had in flight)"
        );
    }
    let mut peaks_ok = true;
    if let Some(max) = args.max_runners {
        let peaks: Vec<usize> = [1, 2, 3].iter().map(|g| fake.peak_runners(&FakeScope::org("octo-org"), *g)).collect();
        peaks_ok = peaks.iter().all(|p| *p <= max);
        second += &format!("; at most {:?} runners alive per pool (cap {max}, the fake's count)", peaks);
    }
    println!("{second}");
    for mut r in replicas {
        r.kill();
    }
    let created_ok = if killed_with.is_some() { created >= expected } else { created == expected };
    Ok(completed == jobs && left == warm && created_ok && peaks_ok)
}
