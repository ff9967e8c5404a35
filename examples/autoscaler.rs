//! `autoscaler`: a small webhook-driven autoscaler for GitHub Actions
//! self-hosted runners, built on gha-runners.
//!
//! ```text
//! cargo run --example autoscaler -- demo
//! GITHUB_TOKEN=... HOOK_SECRET=... cargo run --example autoscaler -- serve \
//!     --listen 0.0.0.0:8080 --webhook-secret-env HOOK_SECRET --org octo-org \
//!     --pool Default=self-hosted,linux,x64 --pool gpu=self-hosted,linux,gpu \
//!     --launch './boot-vm.sh'
//! ```
//!
//! The loop: GitHub sends a `workflow_job` delivery when a job is queued;
//! the scaler checks the signature, picks the pool whose labels cover the
//! job's, checks with the API that the job is still queued, creates a
//! just-in-time runner with the pool's labels in the pool's runner group,
//! and hands its config to a [`Launcher`] that boots a machine. The runner
//! takes a job, GitHub removes it when the job ends. A reaper deletes the
//! runners whose machine never came up, or that came up and found no job,
//! and the scaler makes new runners while jobs still wait.
//!
//! Runners are not bound to jobs: GitHub gives a job to any idle runner
//! whose labels cover it, so the scaler counts demand per pool (jobs
//! waiting minus runners not yet running) rather than per job. Pools whose
//! labels contain another pool's let the wider runner take the narrower
//! job; the reaper and the next count make up for it.
//!
//! `demo` runs against the crate's in-process fake GitHub (no token, no
//! network): it queues a burst of jobs with mixed labels, lets the fake's
//! machines boot the runners, and prints one line,
//! `demo: N jobs queued, N runners created, N jobs completed, 0 runners left`.
//! `--lost-machines K` makes K machines never boot, to watch the reaper.
//!
//! `serve` serves real deliveries on `--listen` (path `/webhook`; set the
//! webhook's content type to `application/json` and select "Workflow
//! jobs"). `--launch` is a shell command run once per runner with the
//! config in `ACTIONS_RUNNER_INPUT_JITCONFIG` (what `run.sh` reads) and the
//! runner name in `RUNNER_NAME`; it should start the machine and return.

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use clap::{Args, Parser, Subcommand};
use futures::TryStreamExt;
use gha_runners::testkit::{FakeGitHub, FakeScope};
use gha_runners::types::{JitConfigRequest, JobId, JobStatus, ListRunners, RunnerGroupId, RunnerId, RunnerStatus};
use gha_runners::webhook::{self, DeliveryError, Event, WorkflowJobAction, WorkflowJobEvent};
use gha_runners::{Client, Error, Secret};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::future::Future;
use std::hash::Hash;
use std::net::SocketAddr;
use std::process::ExitCode;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "autoscaler", about = "A webhook-driven runner autoscaler (gha-runners example)")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Scale a burst of jobs on the in-process fake GitHub (no token needed).
    Demo {
        /// How many jobs to queue.
        #[arg(long, default_value_t = 12)]
        jobs: usize,
        /// How many machines never boot (the reaper deletes their runners).
        #[arg(long, default_value_t = 0)]
        lost_machines: usize,
    },
    /// Serve GitHub's workflow_job deliveries (needs GITHUB_TOKEN).
    Serve(Box<ServeArgs>),
}

#[derive(Args)]
struct ServeArgs {
    /// Address to listen on; deliveries are POSTed to /webhook.
    #[arg(long)]
    listen: SocketAddr,
    /// The environment variable that holds the webhook secret.
    #[arg(long)]
    webhook_secret_env: String,
    /// The organization whose runners the scaler creates.
    #[arg(long)]
    org: String,
    /// A pool: runner group name and labels, e.g. `gpu=self-hosted,linux,gpu`.
    #[arg(long = "pool", required = true)]
    pools: Vec<Pool>,
    /// Shell command that boots a machine (config in ACTIONS_RUNNER_INPUT_JITCONFIG).
    #[arg(long)]
    launch: String,
    /// Runner name prefix: the scaler creates and deletes only runners named so.
    #[arg(long, default_value = "gha-scaler")]
    prefix: String,
    /// Seconds a machine may take to bring its runner online.
    #[arg(long, default_value = "600", value_parser = seconds)]
    boot_timeout: Duration,
    /// Seconds a runner may stay online without a job.
    #[arg(long, default_value = "900", value_parser = seconds)]
    idle_timeout: Duration,
    /// Seconds between two passes of the reaper.
    #[arg(long, default_value = "30", value_parser = seconds)]
    reap_every: Duration,
    /// API root, e.g. https://ghe.example.com for GitHub Enterprise Server.
    #[arg(long, env = "GITHUB_API_URL")]
    base_url: Option<String>,
}

/// A duration in seconds (`0.5`, `600`).
fn seconds(s: &str) -> Result<Duration, String> {
    let n: f64 = s.parse().map_err(|_| format!("{s:?} is not a number of seconds"))?;
    Duration::try_from_secs_f64(n).map_err(|_| format!("{s:?} is not a duration in seconds"))
}

/// Runners of one kind: the group they register in and their labels.
#[derive(Debug, Clone)]
struct Pool {
    group: String,
    labels: Vec<String>,
}

impl FromStr for Pool {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (group, labels) = s.split_once('=').ok_or("expected GROUP=label,label")?;
        let labels: Vec<String> =
            labels.split(',').map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        if group.trim().is_empty() || labels.is_empty() {
            return Err("a pool needs a group name and at least one label".into());
        }
        Ok(Pool { group: group.trim().to_string(), labels })
    }
}

impl Pool {
    /// Whether this pool's runners have every label the job asks for
    /// (GitHub compares labels without regard to ASCII case).
    fn serves(&self, job_labels: &[String]) -> bool {
        !job_labels.is_empty() && job_labels.iter().all(|l| self.labels.iter().any(|p| p.eq_ignore_ascii_case(l)))
    }
}

/// Boots machines that run a runner from its JIT config.
trait Launcher: Send + Sync + 'static {
    /// Starts a machine for runner `name` with `config` and returns once it
    /// is on its way (not when it is up).
    fn launch(&self, name: &str, config: Secret) -> impl Future<Output = Result<(), String>> + Send;
}

/// Runners made for one job that came up and stayed idle while it waited
/// (so they cannot serve it: a group the repository may not use, labels
/// GitHub reads otherwise) before the scaler gives up on the job.
const MAX_IDLE_RUNNERS: u32 = 3;

/// The longest delivery id remembered (GitHub's are 36-character UUIDs;
/// the id is not signed, so a replayed body can carry any).
const MAX_DELIVERY_ID: usize = 64;

/// The scaler's settings.
struct Settings {
    org: String,
    prefix: String,
    pools: Vec<Pool>,
    boot_timeout: Duration,
    idle_timeout: Duration,
}

/// A job waiting for a runner.
struct Waiting {
    repo: String,
    pool: usize,
    /// Runners made for it that came up and found no job.
    idle_runners: u32,
}

/// A runner the scaler created that has not been seen running a job.
struct Pending {
    pool: usize,
    /// The job it was made for (any job of its pool may take it).
    job: JobId,
    /// When its launch returned: the boot timeout runs from there.
    launched: Option<Instant>,
    /// Its machine failed to launch: reaped at the next pass.
    failed: bool,
    /// When a reaper pass first saw it online (and idle).
    online_since: Option<Instant>,
}

/// The last keys seen, so that repeats are dropped without the memory
/// growing for as long as the scaler runs.
struct Recent<T> {
    order: VecDeque<T>,
    set: HashSet<T>,
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Self { order: VecDeque::new(), set: HashSet::new() }
    }
}

impl<T: Hash + Eq + Clone> Recent<T> {
    const CAPACITY: usize = 100_000;

    /// False when `key` was seen (among the last ones).
    fn insert(&mut self, key: T) -> bool {
        if !self.set.insert(key.clone()) {
            return false;
        }
        self.order.push_back(key);
        if self.order.len() > Self::CAPACITY
            && let Some(oldest) = self.order.pop_front()
        {
            self.set.remove(&oldest);
        }
        true
    }

    fn contains(&self, key: &T) -> bool {
        self.set.contains(key)
    }
}

#[derive(Default)]
struct State {
    /// Delivery ids seen (GitHub redelivers on request).
    deliveries: Recent<String>,
    /// Jobs waiting for a runner, oldest first.
    waiting: BTreeMap<JobId, Waiting>,
    /// Jobs that left the queue (a runner took them, or they ended).
    started: Recent<JobId>,
    /// Jobs that ended.
    ended: Recent<JobId>,
    pending: HashMap<RunnerId, Pending>,
    /// Runners made per job, for their names.
    names: HashMap<JobId, u32>,
    group_ids: HashMap<String, RunnerGroupId>,
    /// Offline idle runners with our names that this run did not make, and
    /// when a reaper pass first saw them.
    unknown: HashMap<RunnerId, Instant>,
    queued: usize,
    created: usize,
    completed: usize,
}

impl State {
    /// Job `job` left the queue: a runner took it, or it ended.
    fn dequeue(&mut self, job: JobId) {
        self.forget(job);
        self.started.insert(job);
    }

    /// Job `job` no longer waits here; a later `queued` delivery for it
    /// (a redelivery) brings it back.
    fn forget(&mut self, job: JobId) {
        self.waiting.remove(&job);
        self.names.remove(&job);
    }
}

struct Scaler<L> {
    github: Client,
    settings: Settings,
    launcher: Arc<L>,
    secret: Secret,
    state: Mutex<State>,
    /// One reconciliation or reaper pass at a time: two would both fill a
    /// gap, and a reaper listing runners while one is being created would
    /// take the new runner for a leftover.
    reconciling: tokio::sync::Mutex<()>,
    /// A reconciliation is asked for and has not started yet: deliveries
    /// arriving meanwhile ask for no other.
    asked: AtomicBool,
}

impl<L: Launcher> Scaler<L> {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers one delivery: 401 for a bad signature, 400 for a body that is
    /// not a delivery, 202 otherwise (the work happens after the answer:
    /// GitHub waits 10 seconds at most).
    fn on_delivery(self: &Arc<Self>, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let delivery = match webhook::parse(headers, body, &self.secret) {
            Ok(delivery) => delivery,
            Err(DeliveryError::Signature(e)) => {
                eprintln!("refused a delivery: {e}");
                return StatusCode::UNAUTHORIZED;
            }
            Err(e) => {
                eprintln!("refused a delivery: {e}");
                return StatusCode::BAD_REQUEST;
            }
        };
        if let Some(id) = delivery.id.filter(|id| id.len() <= MAX_DELIVERY_ID)
            && !self.state().deliveries.insert(id)
        {
            return StatusCode::ACCEPTED; // a redelivery
        }
        if let Event::WorkflowJob(job) = delivery.event {
            self.on_job(*job);
        }
        StatusCode::ACCEPTED
    }

    fn on_job(self: &Arc<Self>, job: WorkflowJobEvent) {
        // The organization's runners serve only its own repositories' jobs.
        if !job.owner.eq_ignore_ascii_case(&self.settings.org) {
            return;
        }
        let Some(pool) = self.settings.pools.iter().position(|p| p.serves(&job.labels)) else { return };
        let mut s = self.state();
        match job.action {
            WorkflowJobAction::Queued if !s.started.contains(&job.job_id) && !s.waiting.contains_key(&job.job_id) => {
                s.queued += 1;
                s.waiting.insert(job.job_id, Waiting { repo: job.repository.clone(), pool, idle_runners: 0 });
                drop(s);
                eprintln!("job {} queued in {:?} for {:?}", job.job_id, job.repository, job.labels);
                self.ask_reconcile();
            }
            WorkflowJobAction::InProgress => {
                s.dequeue(job.job_id);
                if let Some(runner) = &job.runner {
                    s.pending.remove(&runner.id);
                }
            }
            WorkflowJobAction::Completed if s.ended.insert(job.job_id) => {
                s.dequeue(job.job_id);
                s.completed += 1;
                if let Some(runner) = &job.runner {
                    s.pending.remove(&runner.id);
                }
            }
            _ => {}
        }
    }

    /// Runs a reconciliation soon, unless one is already waiting to start.
    fn ask_reconcile(self: &Arc<Self>) {
        if !self.asked.swap(true, Ordering::SeqCst) {
            let scaler = self.clone();
            tokio::spawn(async move { scaler.reconcile().await });
        }
    }

    /// Creates runners where jobs of a pool outnumber its runners that are
    /// not running yet.
    async fn reconcile(self: &Arc<Self>) {
        let _one = self.reconciling.lock().await;
        self.asked.store(false, Ordering::SeqCst);
        self.fill().await;
    }

    /// [`Scaler::reconcile`], for a caller that holds the lock: the runners
    /// not running yet cover the oldest waiting jobs of their pool, and the
    /// other jobs each get one, after a check that they are still queued.
    /// The pass stops at the first failure (GitHub down, a launch quota):
    /// the next pass, at the next delivery or reaper tick, tries again.
    async fn fill(self: &Arc<Self>) {
        let wanted: Vec<(JobId, String, usize)> = {
            let s = self.state();
            let mut free: Vec<usize> = vec![0; self.settings.pools.len()];
            for p in s.pending.values() {
                free[p.pool] += 1;
            }
            s.waiting
                .iter()
                .filter(|(_, w)| {
                    let spare = free[w.pool] > 0;
                    free[w.pool] = free[w.pool].saturating_sub(1);
                    !spare
                })
                .map(|(id, w)| (*id, w.repo.clone(), w.pool))
                .collect()
        };
        for (job, repo, pool) in wanted {
            if let Err(e) = self.make_runner(job, &repo, pool).await {
                eprintln!("job {job}: no runner created: {e}");
                break;
            }
        }
    }

    /// Whether job `job` still waits for a runner, as GitHub says: a job
    /// running or done leaves the queue; one GitHub does not show (deleted,
    /// or the token cannot read it) is forgotten until a delivery brings
    /// it back; one not queued yet (waiting for an approval) stays.
    async fn still_queued(&self, job: JobId, repo: &str) -> Result<bool, Error> {
        let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
        match self.github.repo(owner, name).jobs().get(job).await {
            Ok(found) => match found.status {
                JobStatus::Queued => Ok(true),
                JobStatus::InProgress | JobStatus::Completed => {
                    self.state().dequeue(job);
                    eprintln!("job {job} is {:?} already: no runner", found.status);
                    Ok(false)
                }
                other => {
                    eprintln!("job {job} is {other:?}: no runner yet");
                    Ok(false)
                }
            },
            Err(Error::NotFound(_)) => {
                self.state().forget(job);
                eprintln!("job {job}: GitHub shows no such job (or the token cannot read it): forgotten");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    /// Checks job `job` is still queued, then creates a JIT runner of `pool`
    /// and launches its machine.
    async fn make_runner(self: &Arc<Self>, job: JobId, repo: &str, pool: usize) -> Result<(), String> {
        if !self.still_queued(job, repo).await.map_err(|e| e.to_string())? {
            return Ok(());
        }
        let pool_spec = &self.settings.pools[pool];
        let group = self.group_id(&pool_spec.group).await?;
        let n = {
            let mut s = self.state();
            let n = s.names.entry(job).or_default();
            *n += 1;
            *n
        };
        let runner_name = format!("{}-{job}-{n}", self.settings.prefix);
        let request = JitConfigRequest::new(&runner_name, pool_spec.labels.iter().cloned()).runner_group_id(group);
        // The prefix is ours: a runner of an earlier run of the scaler
        // holding the name, offline and idle, is replaced.
        let runners = self.github.org(&self.settings.org).runners();
        let issued = runners.jit_config_replacing_offline(&request).await.map_err(|e| e.to_string())?;
        let id = issued.config.runner.id;
        {
            let mut s = self.state();
            s.created += 1;
            let pending = Pending { pool, job, launched: None, failed: false, online_since: None };
            s.pending.insert(id, pending);
        }
        eprintln!("runner {runner_name} ({id}) created in group {}", pool_spec.group);
        // Launched beside the loop: a slow launcher delays no other runner.
        let scaler = self.clone();
        tokio::spawn(async move {
            let launched = scaler.launcher.launch(&runner_name, issued.config.encoded_jit_config).await;
            if let Err(e) = &launched {
                // The reaper deletes it at its next pass, and makes another.
                eprintln!("runner {runner_name}: the machine did not launch: {e}");
            }
            if let Some(p) = scaler.state().pending.get_mut(&id) {
                p.launched = Some(Instant::now());
                p.failed = launched.is_err();
            }
        });
        Ok(())
    }

    async fn group_id(&self, name: &str) -> Result<RunnerGroupId, String> {
        if let Some(id) = self.state().group_ids.get(name) {
            return Ok(*id);
        }
        let group = self.github.org(&self.settings.org).runner_groups().find(name).await.map_err(|e| e.to_string())?;
        let id = group.map(|g| g.id).ok_or_else(|| format!("no runner group named {name:?}"))?;
        self.state().group_ids.insert(name.to_string(), id);
        Ok(id)
    }

    /// Deletes the scaler's runners whose machine failed to launch, never
    /// came online within the boot timeout after its launch, or came online
    /// and found no job within the idle timeout, and those an earlier run
    /// left offline (unknown for a boot timeout); then fills what is
    /// missing.
    async fn reap(self: &Arc<Self>) -> Result<(), Error> {
        let _one = self.reconciling.lock().await;
        let runners = self.github.org(&self.settings.org).runners();
        let ours: Vec<_> = runners
            .list(ListRunners::default())
            .try_filter(|r| std::future::ready(r.ephemeral == Some(true) && self.named_by_us(&r.name)))
            .try_collect()
            .await?;
        // A runner seen busy, or gone (GitHub removes one that ran its
        // job), took a job: it is no longer free. Its `in_progress`
        // delivery says which job and normally came first; if it did not,
        // its pool's waiting jobs are checked again.
        let recheck: HashSet<usize> = {
            let mut s = self.state();
            let running: Vec<RunnerId> = s
                .pending
                .keys()
                .filter(|id| ours.iter().find(|r| r.id == **id).is_none_or(|r| r.busy))
                .copied()
                .collect();
            running.iter().filter_map(|id| s.pending.remove(id)).map(|p| p.pool).collect()
        };
        self.recheck(&recheck).await?;
        let mut unknown = HashMap::new();
        for r in ours.iter().filter(|r| !r.busy) {
            let online = r.status == RunnerStatus::Online;
            let known = {
                let mut s = self.state();
                s.pending.get_mut(&r.id).map(|p| {
                    if online {
                        p.online_since.get_or_insert_with(Instant::now);
                    }
                    (p.failed, p.online_since, p.launched)
                })
            };
            let stale = match known {
                Some((true, _, _)) => true,
                Some((_, Some(since), _)) if online => since.elapsed() > self.settings.idle_timeout,
                Some((_, _, launched)) => launched.is_some_and(|t| t.elapsed() > self.settings.boot_timeout),
                // Not ours to judge: it may be about to take a job.
                None if online => false,
                None => {
                    let first = self.state().unknown.get(&r.id).copied().unwrap_or_else(Instant::now);
                    unknown.insert(r.id, first);
                    first.elapsed() > self.settings.boot_timeout
                }
            };
            if !stale {
                continue;
            }
            match runners.delete(r.id).await {
                Ok(()) => eprintln!("runner {} ({}) deleted: never ran a job", r.name, r.id),
                Err(Error::NotFound(_)) => {} // it ran a job meanwhile, and GitHub removed it
                Err(Error::RunnerBusy(_)) => continue, // it took a job just now
                Err(e) => {
                    eprintln!("runner {} ({}): cannot delete it: {e}", r.name, r.id);
                    continue;
                }
            }
            unknown.remove(&r.id);
            let mut s = self.state();
            if let Some(p) = s.pending.remove(&r.id)
                && online
                && let Some(w) = s.waiting.get_mut(&p.job)
            {
                // It came up while its job waited and did not take it.
                w.idle_runners += 1;
                if w.idle_runners >= MAX_IDLE_RUNNERS {
                    s.forget(p.job);
                    eprintln!("job {}: {MAX_IDLE_RUNNERS} runners came up and none took it: giving up", p.job);
                }
            }
        }
        self.state().unknown = unknown;
        self.fill().await;
        Ok(())
    }

    /// Whether `name` is one the scaler gives: `<prefix>-<job id>-<n>`.
    fn named_by_us(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(&self.settings.prefix).and_then(|r| r.strip_prefix('-')) else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        rest.split_once('-').is_some_and(|(job, n)| digits(job) && digits(n))
    }

    /// Asks GitHub about every waiting job of `pools` (see
    /// [`Scaler::still_queued`]).
    async fn recheck(&self, pools: &HashSet<usize>) -> Result<(), Error> {
        let jobs: Vec<(JobId, String)> = {
            let s = self.state();
            s.waiting.iter().filter(|(_, w)| pools.contains(&w.pool)).map(|(id, w)| (*id, w.repo.clone())).collect()
        };
        for (job, repo) in jobs {
            self.still_queued(job, &repo).await?;
        }
        Ok(())
    }

    /// Reaps every `interval`, forever.
    async fn reap_every(self: Arc<Self>, interval: Duration) {
        let interval = interval.max(Duration::from_millis(10));
        loop {
            tokio::time::sleep(interval).await;
            if let Err(e) = self.reap().await {
                eprintln!("reaper: {e}");
            }
        }
    }

    /// Serves deliveries on `listener` (POST /webhook).
    fn router(self: &Arc<Self>) -> axum::Router {
        let scaler = self.clone();
        axum::Router::new().route(
            "/webhook",
            axum::routing::post(
                move |headers: HeaderMap, body: Bytes| async move { scaler.on_delivery(&headers, &body) },
            ),
        )
    }
}

/// Machines of the fake GitHub: each boots its runner after a short delay,
/// except the first `lose` ones, which never do.
struct FakeMachines {
    fake: FakeGitHub,
    lose: Mutex<usize>,
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

/// Runs a shell command per runner, the config in its environment.
/// Its environment lacks the scaler's own secrets (the token, the webhook
/// secret): boot scripts hand their environment on to machines.
struct CommandLauncher {
    command: String,
    /// Environment variables the command must not see.
    hidden: Vec<String>,
}

impl CommandLauncher {
    /// How long a launch command may run before it is killed.
    const TIMEOUT: Duration = Duration::from_secs(300);
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

async fn demo(jobs: usize, lost_machines: usize) -> Result<bool, String> {
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
        state: Mutex::default(),
        reconciling: tokio::sync::Mutex::new(()),
        asked: AtomicBool::new(false),
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.map_err(|e| e.to_string())?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let app = scaler.router();
    tokio::spawn(async move { axum::serve(listener, app).await });
    tokio::spawn(scaler.clone().reap_every(Duration::from_millis(100)));
    fake.set_webhook(&format!("http://{addr}/webhook"), secret);
    eprintln!("demo: the in-process fake GitHub sends deliveries to http://{addr}/webhook");

    for i in 0..jobs {
        let repo = FakeScope::repo("octo-org", ["api", "web", "ml"][i % 3]);
        fake.queue_job(repo, pools[i % pools.len()].labels.iter().cloned());
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while scaler.state().completed < jobs {
        if Instant::now() > deadline {
            eprintln!("demo: gave up waiting for the jobs to complete");
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    fake.deliveries_settled().await;
    scaler.reap().await.map_err(|e| e.to_string())?;
    let left = fake.runners(&FakeScope::org("octo-org")).len();
    let s = scaler.state();
    println!(
        "demo: {} jobs queued, {} runners created, {} jobs completed, {left} runners left",
        s.queued, s.created, s.completed
    );
    Ok(s.queued == jobs && s.completed == jobs && left == 0)
}

async fn serve(args: ServeArgs) -> Result<(), String> {
    let secret_env = &args.webhook_secret_env;
    let token = std::env::var("GITHUB_TOKEN").map_err(|_| "serve needs GITHUB_TOKEN".to_string())?;
    let secret = std::env::var(secret_env).map_err(|_| format!("{secret_env} is not set"))?;
    if secret.is_empty() {
        return Err(format!("{secret_env} is empty: anyone could sign deliveries"));
    }
    let mut builder = Client::builder().token(token).user_agent("gha-runners-autoscaler-example");
    if let Some(url) = &args.base_url {
        builder = builder.base_url(url);
    }
    let scaler = Arc::new(Scaler {
        github: builder.build().map_err(|e| e.to_string())?,
        settings: Settings {
            org: args.org,
            prefix: args.prefix,
            pools: args.pools,
            boot_timeout: args.boot_timeout,
            idle_timeout: args.idle_timeout,
        },
        launcher: Arc::new(CommandLauncher {
            command: args.launch,
            hidden: vec!["GITHUB_TOKEN".into(), "GH_TOKEN".into(), secret_env.to_string()],
        }),
        secret: Secret::new(secret),
        state: Mutex::default(),
        reconciling: tokio::sync::Mutex::new(()),
        asked: AtomicBool::new(false),
    });
    let listen = args.listen;
    let listener =
        tokio::net::TcpListener::bind(listen).await.map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    tokio::spawn(scaler.clone().reap_every(args.reap_every));
    eprintln!("listening on http://{addr}/webhook");
    axum::serve(listener, scaler.router()).await.map_err(|e| e.to_string())
}

#[tokio::main]
async fn main() -> ExitCode {
    let outcome = match Cli::parse().command {
        Command::Demo { jobs, lost_machines } => demo(jobs, lost_machines).await.map(|ok| ok.then_some(())),
        Command::Serve(args) => serve(*args).await.map(Some),
    };
    match outcome {
        Ok(Some(())) => ExitCode::SUCCESS,
        Ok(None) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
