//! `demo --source scaleset`: the burst served through a runner scale set's
//! session on the fake Actions service, by one replica or several (one
//! holds the session under a Redis lease), with the service's faults on
//! request and a replica killed mid-burst.

use crate::demo::{DemoArgs, FakeMachines, Shared, burst_over, percentile, queue_burst, spawn_replica};
use crate::pools::Pool;
use crate::scaleset_source::Source;
use gha_runners::scaleset::NewScaleSet;
use gha_runners::testkit::{FakeGitHub, FakeScope, Fault, RedisServer};
use gha_runners::{Client, Secret};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The scale set's name: the label the demo's jobs ask for.
const SCALE_SET: &str = "linux-x64";

/// How long the fake's message queue holds an empty poll (GitHub: about
/// 50 s): short, so that a replica taking over is seen at once.
const POLL_WAIT: Duration = Duration::from_millis(500);

/// How long a session lives without its holder polling (GitHub's is
/// longer): short, so that a replica killed holding it is replaced soon.
const SESSION_TIMEOUT: Duration = Duration::from_secs(2);

/// How long an acquired job waits for a runner before the fake service
/// cancels it and offers it again (up to 3 times): short, so that lost
/// machines make the demo go through requeues.
const REQUEUE_AFTER: Duration = Duration::from_secs(2);

/// One replica on a runtime (and thread) of its own, as in the webhook
/// demo: killing it drops every task it had.
struct Replica {
    runtime: Option<tokio::runtime::Runtime>,
}

impl Replica {
    fn start(shared: Arc<Shared>, n: usize, set_id: i64, max_runners: u32) -> Result<Replica, String> {
        let (runtime, _, ()) = spawn_replica(shared, move |scaler| async move {
            let sets = scaler.github.org("octo-org").scale_sets().poll_timeout(POLL_WAIT * 4);
            let source = Arc::new(Source::new(sets, set_id, SCALE_SET, max_runners, format!("replica-{n}")));
            tokio::spawn(scaler.listen_scale_set(source));
            Ok(())
        })?;
        Ok(Replica { runtime: Some(runtime) })
    }

    fn kill(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

/// The service's faults, drawn from `seed`, one every 150 ms while the
/// burst lasts (the next request takes it): 5xx, connections cut (mid-poll among them), slow answers;
/// once every token expired, once the session ended under its holder.
async fn faults(fake: FakeGitHub, set_id: i64, seed: u64, stop: Arc<std::sync::atomic::AtomicBool>) {
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut round = 0u32;
    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(150)).await;
        round += 1;
        let fault = match rng.u8(0..4) {
            0 => Fault::Status(503),
            1 => Fault::Status(500),
            2 => Fault::Reset,
            _ => Fault::Delay(Duration::from_millis(200)),
        };
        // One at a time: a fault waits for a request to take it.
        if fake.actions_faults_pending() == 0 {
            fake.inject_actions([fault]);
        }
        if round == 5 {
            eprintln!("demo: every admin and queue token expires");
            fake.expire_actions_tokens();
        }
        if round == 10 && fake.end_scale_set_session(set_id) {
            eprintln!("demo: the service ends the session under its holder");
        }
    }
}

pub(crate) async fn demo(args: DemoArgs) -> Result<bool, String> {
    let jobs = args.jobs;
    if args.replicas == 0 {
        return Err("--replicas 0: at least one replica".into());
    }
    if let Some(k) = args.kill_replica
        && (k == 0 || k > args.replicas || args.replicas < 2)
    {
        return Err(format!("--kill-replica {k}: a replica from 1 to {} of 2 or more", args.replicas));
    }
    for (flag, set) in [
        ("--min-idle", args.min_idle > 0),
        (
            "--drop/--vanish/--duplicate/--reorder/--down",
            args.drop > 0.0 || args.vanish > 0.0 || args.duplicate > 0.0 || args.reorder > 0 || !args.down.is_zero(),
        ),
    ] {
        if set {
            return Err(format!("{flag}: a webhook-source setting; --source scaleset takes --faults"));
        }
    }
    let fake = FakeGitHub::builder()
        .org("octo-org")
        .job_duration(Duration::from_millis(30))
        .scale_set_poll_wait(POLL_WAIT)
        .scale_set_session_timeout(SESSION_TIMEOUT)
        .scale_set_requeue_after(Some(REQUEUE_AFTER))
        .start()
        .await;
    let setup = Client::builder().base_url(fake.base_url()).token(fake.token()).build().map_err(|e| e.to_string())?;
    let set = setup
        .org("octo-org")
        .scale_sets()
        .get_or_create(&NewScaleSet::new(SCALE_SET))
        .await
        .map_err(|e| e.to_string())?;
    let set_id = set.id.ok_or("the scale set has no id")?;
    let max_runners = args.max_runners.map_or(i32::MAX as u32, |m| u32::try_from(m).unwrap_or(i32::MAX as u32));
    let pool = Pool::new("Default", [SCALE_SET]).map(|p| Pool { max_runners: args.max_runners, ..p })?;
    let server = if args.replicas > 1 || args.redis {
        let server = RedisServer::try_start()?;
        eprintln!("demo: replicas share a redis-server on 127.0.0.1:{}", server.port);
        Some(server)
    } else {
        None
    };
    let shared = Arc::new(Shared {
        fake: fake.clone(),
        redis: server.as_ref().map(RedisServer::url),
        pools: vec![pool],
        secret: Secret::new("unused: the scale-set source takes no deliveries"),
        launcher: Arc::new(FakeMachines {
            fake: fake.clone(),
            lose: Mutex::new(args.lost_machines),
            torn_down: Arc::default(),
            boots: tokio::runtime::Handle::current(),
        }),
        first_runner: Arc::default(),
    });
    let mut replicas = Vec::new();
    for n in 1..=args.replicas {
        replicas.push(Replica::start(shared.clone(), n, set_id, max_runners)?);
    }
    crate::metrics::handle();
    eprintln!("demo: {} replicas listen on scale set {SCALE_SET} ({set_id}); one holds its session", args.replicas);
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    if args.faults {
        tokio::spawn(faults(fake.clone(), set_id, args.seed, stop.clone()));
    }
    let queued_at = queue_burst(&fake, jobs, |_| vec![SCALE_SET.to_string()]);
    let mut killed_with = None;
    while !burst_over(&fake, &queued_at) {
        let created = fake.scale_set_runners_created() as usize;
        if let Some(k) = args.kill_replica
            && killed_with.is_none()
            && created * 3 >= jobs
        {
            let held = fake.scale_set_session_owner(set_id).as_deref() == Some(format!("replica-{k}").as_str());
            replicas[k - 1].kill();
            killed_with = Some((created, held));
            eprintln!("demo: replica {k} killed");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let settle = Instant::now() + Duration::from_secs(15);
    while !fake.runners(&FakeScope::org("octo-org")).is_empty() && Instant::now() < settle {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let left = fake.runners(&FakeScope::org("octo-org")).len();
    // Served: ended well, not canceled after its requeues.
    let completed =
        queued_at.iter().filter(|(job, _)| fake.job_conclusion(job.get()).as_deref() == Some("success")).count();
    let created = fake.scale_set_runners_created() as usize;
    // Runners of a scale set are not bound to jobs: the n-th runner made
    // serves the n-th job queued, as GitHub hands jobs out oldest first.
    let mut latency: Vec<Duration> = queued_at
        .iter()
        .zip(fake.scale_set_runner_times())
        .map(|((_, queued), created)| created.saturating_duration_since(*queued))
        .collect();
    latency.sort();
    let (github, service) = (fake.requests().len(), fake.actions_requests().len());
    println!("demo: {jobs} jobs queued, {created} runners created, {completed} jobs completed, {left} runners left");
    let mut second = format!(
        "demo: queued to runner created p50 {} ms, p99 {} ms; {:.1} API requests per job ({github} to GitHub, {service} to the Actions service)",
        percentile(&latency, 50.0).as_millis(),
        percentile(&latency, 99.0).as_millis(),
        (github + service) as f64 / jobs.max(1) as f64
    );
    let expected = jobs + args.lost_machines;
    let extra = created.saturating_sub(expected);
    if let (Some(k), Some((at, held))) = (args.kill_replica, killed_with) {
        let holding = if held { "holding the session" } else { "not holding the session" };
        second += &format!(
            "; replica {k} killed {holding} after {at} runners: {extra} runners beyond the jobs (launches it had in flight)"
        );
    }
    if let Some(max) = args.max_runners {
        let peak = fake.peak_runners(&FakeScope::org("octo-org"), 1);
        second += &format!("; at most {peak} runners alive (cap {max}, the fake's count)");
        if peak > max {
            println!("{second}");
            return Ok(false);
        }
    }
    println!("{second}");
    for mut r in replicas {
        r.kill();
    }
    let created_ok = if killed_with.is_some() { created >= expected } else { created == expected };
    Ok(completed == jobs && left == 0 && created_ok)
}
