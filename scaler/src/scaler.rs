//! The scaling loop: deliveries in, runners out.
//!
//! Pools are independent: each has its own fill pass, one at a time per
//! pool across every replica (the store's `fill:<pool>` lease), its own
//! backoff and its own cached group id. A burst or a broken group in one
//! pool holds no other. Nothing holds a lock across an API call: the
//! store's calls are short, and the leases are records, not locks.

use crate::config::Settings;
use crate::launch::Launcher;
use crate::metrics;
use crate::pools::{LAUNCH_BUDGET, job_backoff, plan};
use crate::store::{Claim, Counter, Pending, Store, StoreError, Waiting, ms, now_ms};
use axum::http::{HeaderMap, StatusCode};
use futures::TryStreamExt;
use gha_runners::types::{JitConfigRequest, JobId, JobStatus, RunnerGroup, RunnerGroupId, RunnerId, Visibility};
use gha_runners::webhook::{self, DeliveryError, Event, WorkflowJobAction, WorkflowJobEvent, WorkflowJobPayload};
use gha_runners::{Client, Error, Secret};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// How long a lease (fill, reaper, catch-up) lasts without renewal: a
/// replica killed while holding one holds it this long at most.
pub(crate) const LEASE: Duration = Duration::from_secs(5);

/// How long a fleet's pool configuration stays claimed after its last
/// replica stops.
pub(crate) const CONFIG_CLAIM: Duration = Duration::from_secs(15);

/// What one replica keeps of one pool, beside the store.
#[derive(Default)]
pub(crate) struct PoolLocal {
    /// One fill pass of this pool at a time in this replica.
    pub(crate) filling: tokio::sync::Mutex<()>,
    /// A fill is asked for and has not started yet.
    pub(crate) asked: AtomicBool,
    /// The group's id, looked up again after a failure.
    pub(crate) group: Mutex<Option<RunnerGroupId>>,
    /// After API failures: no fill before this, and the next wait.
    pub(crate) backoff: Mutex<(Option<Instant>, Duration)>,
    /// The group's access settings, as last read.
    pub(crate) access: Mutex<Option<Access>>,
}

/// How long a runner group's access settings are trusted before they are
/// read again.
pub(crate) const GROUP_ACCESS_TTL: Duration = Duration::from_secs(60);

/// A runner group's access settings, and when they were read.
#[derive(Clone)]
pub(crate) struct Access {
    pub(crate) group: RunnerGroup,
    /// Its repositories' ids, with `selected` visibility.
    pub(crate) selected: Option<HashSet<i64>>,
    pub(crate) at: Instant,
}

pub(crate) struct Scaler<L> {
    pub(crate) github: Client,
    pub(crate) settings: Settings,
    pub(crate) launcher: Arc<L>,
    pub(crate) secret: Secret,
    /// What catch-up redelivers and reconciles.
    pub(crate) catch_up: crate::replica::CatchUp,
    pub(crate) store: Store,
    /// This replica's name in the store's leases.
    pub(crate) replica: String,
    pub(crate) pools: Vec<PoolLocal>,
    /// What the reaper and catch-up keep between their passes.
    pub(crate) local: Mutex<crate::replica::Local>,
    /// Refused requests, logged at most once in a while.
    pub(crate) refusals: crate::replica::RefusalLog,
    /// When the first runner of each job was created: kept only when
    /// measured (`demo`), so that `serve` does not grow it for ever.
    pub(crate) first_runner: Option<Arc<Mutex<HashMap<JobId, Instant>>>>,
}

/// Holds a lease and renews it until dropped.
pub(crate) struct Held {
    renewer: tokio::task::JoinHandle<()>,
    lost: Arc<AtomicBool>,
}

impl Held {
    /// Whether the lease may have been lost: a renewal found it gone, or
    /// none succeeded for half its time. Work under it stops at the next
    /// step: another replica may hold it now.
    pub(crate) fn lost(&self) -> bool {
        self.lost.load(Ordering::SeqCst)
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        self.renewer.abort();
    }
}

impl<L: Launcher> Scaler<L> {
    pub(crate) fn new(parts: ScalerParts<L>) -> Self {
        let pools = parts.settings.pools.iter().map(|_| PoolLocal::default()).collect();
        Scaler {
            github: parts.github,
            settings: parts.settings,
            launcher: parts.launcher,
            secret: parts.secret,
            catch_up: parts.catch_up,
            store: parts.store,
            replica: format!("{}-{:016x}", std::process::id(), fastrand::u64(..)),
            pools,
            local: Mutex::default(),
            refusals: crate::replica::RefusalLog::default(),
            first_runner: parts.first_runner,
        }
    }

    pub(crate) fn local(&self) -> MutexGuard<'_, crate::replica::Local> {
        self.local.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Takes lease `name` and keeps renewing it while the result lives;
    /// `None` when another replica holds it.
    pub(crate) async fn hold(self: &Arc<Self>, name: &str) -> Result<Option<Held>, StoreError> {
        if !self.store.lease(name, &self.replica, LEASE).await? {
            return Ok(None);
        }
        let (scaler, name) = (self.clone(), name.to_string());
        let lost = Arc::new(AtomicBool::new(false));
        let flag = lost.clone();
        let renewer = tokio::spawn(async move {
            let mut renewed = Instant::now();
            loop {
                tokio::time::sleep(LEASE / 5).await;
                // A renewal that takes long is as good as lost.
                let renewal = tokio::time::timeout(LEASE / 5, scaler.store.renew(&name, &scaler.replica, LEASE)).await;
                match renewal {
                    Ok(Ok(true)) => renewed = Instant::now(),
                    Ok(Ok(false)) => {
                        eprintln!("lost the {name} lease: its work stops");
                        flag.store(true, Ordering::SeqCst);
                        return;
                    }
                    Ok(Err(e)) => eprintln!("cannot renew the {name} lease: {e}"),
                    Err(_) => eprintln!("cannot renew the {name} lease: the store did not answer in time"),
                }
                if renewed.elapsed() >= LEASE / 2 {
                    eprintln!("the {name} lease was not renewed for {:?}: its work stops", renewed.elapsed());
                    flag.store(true, Ordering::SeqCst);
                    return;
                }
            }
        });
        Ok(Some(Held { renewer, lost }))
    }

    /// Answers one delivery: 401 for a bad signature, 400 for a body that is
    /// not a delivery, 503 when the store cannot take it (GitHub logs it
    /// failed, catch-up redelivers it), 202 otherwise (runners are made
    /// after the answer: GitHub waits 10 seconds at most).
    pub(crate) async fn on_delivery(self: &Arc<Self>, headers: &HeaderMap, body: &[u8]) -> StatusCode {
        let delivery = match webhook::parse(headers, body, &self.secret) {
            Ok(delivery) => delivery,
            Err(DeliveryError::Signature(e)) => {
                self.refusals.refused("signature", &e.to_string());
                return StatusCode::UNAUTHORIZED;
            }
            Err(e) => {
                self.refusals.refused("malformed", &e.to_string());
                return StatusCode::BAD_REQUEST;
            }
        };
        // Repeats are told apart by content, not by `X-GitHub-Delivery`:
        // GitHub redelivers with the same GUID, and a redelivery is how a
        // job the scaler let go (forgotten, or given up on) comes back.
        // The job's state decides: a `queued` for a job known is a repeat,
        // a `completed` for an ended one too.
        if let Event::WorkflowJob(job) = delivery.event {
            let action = job.action.to_string();
            // Recorded in a task of its own: a connection cut (by the
            // client, or by the read timeout) cannot stop it half-way.
            let scaler = self.clone();
            let recorded = tokio::spawn(async move { scaler.on_job(*job).await })
                .await
                .unwrap_or_else(|e| Err(StoreError(format!("recording the delivery failed: {e}"))));
            match recorded {
                Ok(outcome) => metrics::delivery(&action, outcome),
                Err(e) => {
                    eprintln!("a delivery could not be recorded: {e}");
                    metrics::delivery(&action, "store-error");
                    return StatusCode::SERVICE_UNAVAILABLE;
                }
            }
        } else {
            metrics::delivery("", "other-event");
        }
        StatusCode::ACCEPTED
    }

    /// Records what `job` says; the outcome for the metrics.
    pub(crate) async fn on_job(self: &Arc<Self>, job: WorkflowJobEvent) -> Result<&'static str, StoreError> {
        // The organization's runners serve only its own repositories' jobs.
        if !job.owner.eq_ignore_ascii_case(&self.settings.org) {
            return Ok("other-owner");
        }
        let Some(pool) = self.settings.pools.iter().position(|p| p.serves(&job.labels)) else {
            return Ok("no-pool");
        };
        let acted = match job.action {
            WorkflowJobAction::Queued => {
                let repo = match &job.payload {
                    WorkflowJobPayload::Queued(q) => Some((q.repository.id, !q.repository.private)),
                    _ => None,
                };
                self.enqueue(job.job_id, &job.repository, repo, pool, &job.labels).await?
            }
            WorkflowJobAction::InProgress => {
                self.store.start(job.job_id).await?;
                // Only runners this scaler made count against its cap: a
                // runner of its group it did not make (another scaler's, a
                // hand-made one) is not its to count, nor to forget.
                if let Some(runner) = &job.runner
                    && let Some(made) = self.store.promote(runner.id).await?
                {
                    self.ask_fill(made.pool);
                }
                true
            }
            WorkflowJobAction::Completed => {
                let first = self.store.end(job.job_id).await?;
                if let Some(runner) = &job.runner {
                    self.store.take_pending(runner.id).await?;
                    self.store.remove_running(runner.id).await?;
                    // A place under the cap came free.
                    self.ask_fill(pool);
                }
                first
            }
            _ => false,
        };
        Ok(if acted { "acted-on" } else { "duplicate" })
    }

    /// Job `job` of `repo` (with its id and whether it is public, when
    /// known) waits for a runner of `pool`, unless it is known (waiting,
    /// started, ended or given up): a repeated `queued` does nothing. True
    /// when it is news.
    pub(crate) async fn enqueue(
        self: &Arc<Self>,
        job: JobId,
        repo: &str,
        repo_info: Option<(i64, bool)>,
        pool: usize,
        labels: &[String],
    ) -> Result<bool, StoreError> {
        let waiting = Waiting {
            repo: repo.to_string(),
            pool,
            queued_ms: now_ms(),
            attempts: 0,
            retry_ms: 0,
            repo_id: repo_info.map(|r| r.0),
            public: repo_info.map(|r| r.1),
        };
        if !self.store.enqueue(job, &waiting).await? {
            return Ok(false);
        }
        eprintln!("job {job} queued in {repo:?} for {labels:?}");
        self.ask_fill(pool);
        Ok(true)
    }

    /// Runs a fill pass of `pool` soon, unless one is already waiting to
    /// start in this replica.
    pub(crate) fn ask_fill(self: &Arc<Self>, pool: usize) {
        if !self.pools[pool].asked.swap(true, Ordering::SeqCst) {
            let scaler = self.clone();
            tokio::spawn(async move { scaler.fill(pool).await });
        }
    }

    /// Fill passes of `pool` until no other is asked for: runners where its
    /// jobs outnumber its runners not running yet, within its cap. One
    /// replica at a time fills a pool; another replica asking meanwhile
    /// leaves a flag that the holder reads before it lets go.
    pub(crate) async fn fill(self: &Arc<Self>, pool: usize) {
        let local = &self.pools[pool];
        let _one = local.filling.lock().await;
        local.asked.store(false, Ordering::SeqCst);
        let (until, _) = *local.backoff.lock().unwrap_or_else(|p| p.into_inner());
        if until.is_some_and(|t| Instant::now() < t) {
            return; // the reaper's next pass asks again
        }
        let name = self.fill_lease(pool);
        let mut held = None;
        // Another replica fills the pool (or reaps it): it is asked for one
        // more pass (the flag), and the lease is tried once more in case it
        // let go before it read the flag.
        for attempt in 0..2 {
            match self.hold(&name).await {
                Ok(Some(h)) => {
                    held = Some(h);
                    break;
                }
                Ok(None) if attempt == 0 => {
                    if let Err(e) = self.store.flag(&name).await {
                        eprintln!("pool {}: {e}", self.settings.pools[pool].group);
                    }
                    tokio::time::sleep(LEASE / 10).await;
                }
                Ok(None) => return,
                Err(e) => {
                    eprintln!("pool {}: no fill: {e}", self.settings.pools[pool].group);
                    return;
                }
            }
        }
        let Some(held) = held else { return };
        loop {
            let outcome = self.fill_pass(pool, &held).await;
            {
                let mut backoff = local.backoff.lock().unwrap_or_else(|p| p.into_inner());
                match outcome {
                    Ok(()) => *backoff = (None, Duration::ZERO),
                    Err(e) => {
                        let wait = (backoff.1 * 2).clamp(Duration::from_secs(1), Duration::from_secs(60));
                        *backoff = (Some(Instant::now() + wait), wait);
                        eprintln!("pool {}: {e}; next try in {wait:?}", self.settings.pools[pool].group);
                        break;
                    }
                }
            }
            if held.lost() || !self.store.take_flag(&name).await.unwrap_or(false) {
                break;
            }
        }
        // The renewer stops first: it could otherwise take the lease back.
        drop(held);
        let _ = self.store.release(&name, &self.replica).await;
    }

    /// The pool configuration every replica of a fleet must share: each
    /// pool's key, cap and warm runners, in order (a job goes to the first
    /// pool whose labels cover it, and pools often overlap: a job asking
    /// only for `self-hosted` fits every pool).
    pub(crate) fn config_claim(&self) -> String {
        let pools = self.settings.pools.iter().map(|p| {
            let max = p.max_runners.map_or("none".to_string(), |m| m.to_string());
            format!("{} (max_runners {max}, min_idle {})", p.key(), p.min_idle)
        });
        pools.collect::<Vec<_>>().join("; ")
    }

    /// Claims (or renews the claim on) the fleet for this replica's pool
    /// configuration. When the claim is this configuration's, records of
    /// pools it lacks (left by a fleet that ran another) are removed: at
    /// start, and after a claim found lapsed. `Claim::Other` when live
    /// replicas of the fleet run another configuration.
    pub(crate) async fn claim_config(&self, at_start: bool) -> Result<Claim, String> {
        let mine = self.config_claim();
        let claim = self.store.claim_config(&mine, CONFIG_CLAIM).await.map_err(|e| e.to_string())?;
        if claim == Claim::Fresh || (at_start && claim == Claim::Same) {
            let removed = self.store.purge_foreign().await.map_err(|e| e.to_string())?;
            if removed > 0 {
                eprintln!("removed {removed} records of pools this configuration lacks");
            }
        }
        Ok(claim)
    }

    /// Claims the fleet at start, waiting while live replicas of the fleet
    /// run other pools (records of one pool would be counted by another's
    /// rules): a fleet changes its pools by stopping, then starting again.
    pub(crate) async fn join_fleet(&self) -> Result<(), String> {
        let mut said = None::<Instant>;
        loop {
            match self.claim_config(true).await? {
                Claim::Fresh | Claim::Same => return Ok(()),
                Claim::Other(theirs) => {
                    if said.is_none_or(|at| at.elapsed() >= CONFIG_CLAIM) {
                        eprintln!(
                            "waiting: other replicas of this fleet (organization and --prefix) run with other \
                             pools: theirs are [{theirs}], these are [{}]; give every replica the same pools \
                             in the same order, or stop the others (their claim lapses {CONFIG_CLAIM:?} after \
                             they stop)",
                            self.config_claim()
                        );
                        said = Some(Instant::now());
                    }
                }
            }
            tokio::time::sleep(CONFIG_CLAIM / 5).await;
        }
    }

    /// Keeps the fleet's configuration claimed, every fifth of its time;
    /// returns why the replica must stop: the claim lapsed (the store lost
    /// it, or this replica stalled) and replicas with other pools took
    /// the fleet.
    pub(crate) async fn keep_config(self: Arc<Self>) -> String {
        loop {
            tokio::time::sleep(CONFIG_CLAIM / 5).await;
            match self.claim_config(false).await {
                Ok(Claim::Other(theirs)) => {
                    return format!("replicas with other pools ([{theirs}]) took this fleet: stopping");
                }
                Ok(_) => {}
                Err(e) => eprintln!("cannot renew the fleet's configuration claim: {e}"),
            }
        }
    }

    /// The name of pool `pool`'s fill lease: by its key, so that replicas
    /// whose pools differ in order still exclude each other.
    fn fill_lease(&self, pool: usize) -> String {
        format!("fill:{}", self.settings.pools[pool].key())
    }

    /// Runs `work` on pool `pool` while no fill of it runs, here or in any
    /// replica (its fill lease): what changes which jobs its runners cover
    /// must not interleave with a pass that counts them. `None` when
    /// another replica holds the pool.
    pub(crate) async fn on_pool<T>(
        self: &Arc<Self>,
        pool: usize,
        work: impl std::future::Future<Output = T>,
    ) -> Result<Option<T>, StoreError> {
        let _one = self.pools[pool].filling.lock().await;
        let name = self.fill_lease(pool);
        let Some(held) = self.hold(&name).await? else { return Ok(None) };
        let out = work.await;
        drop(held);
        self.store.release(&name, &self.replica).await?;
        Ok(Some(out))
    }

    /// One fill pass of `pool`, which stops at its first failure (GitHub
    /// down, a missing group): the pool backs off, the others go on.
    async fn fill_pass(self: &Arc<Self>, pool: usize, held: &Held) -> Result<(), String> {
        let waiting: Vec<(JobId, Waiting)> = self
            .store
            .waiting()
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .filter(|(_, w)| w.pool == pool)
            .collect();
        let pending = self.store.pending().await.map_err(|e| e.to_string())?;
        let pending: Vec<&Pending> = pending.iter().map(|(_, p)| p).filter(|p| p.pool == pool).collect();
        let running = self.store.running().await.map_err(|e| e.to_string())?;
        let running = running.iter().filter(|(_, p)| *p == pool).count();
        let plan = plan(&self.settings.pools[pool], &waiting, &pending, running, now_ms());
        let group = &self.settings.pools[pool].group;
        metrics::pool_gauges(group, pending.len(), plan.spare, plan.over_cap);
        if plan.over_cap > 0 {
            eprintln!(
                "pool {group}: {} jobs wait for the cap ({:?})",
                plan.over_cap, self.settings.pools[pool].max_runners
            );
        }
        // Each runner is made while the pool's lease is surely this
        // replica's: after a lost lease another replica counts and fills.
        let jobs = plan.jobs.into_iter().map(Some).chain(std::iter::repeat_n(None, plan.warm));
        for job in jobs {
            if held.lost() {
                return Ok(());
            }
            self.make_runner(pool, job).await?;
        }
        Ok(())
    }

    /// Whether job `job` still waits for a runner, as GitHub says: a job
    /// running or done leaves the queue; one GitHub does not show (deleted,
    /// or the token cannot read it) is forgotten until a delivery brings
    /// it back; one not queued yet (waiting for an approval) stays.
    pub(crate) async fn still_queued(&self, job: JobId, repo: &str) -> Result<bool, String> {
        let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
        let store = |e: StoreError| e.to_string();
        match self.github.repo(owner, name).jobs().get(job).await {
            Ok(found) => match found.status {
                JobStatus::Queued => Ok(true),
                JobStatus::InProgress | JobStatus::Completed => {
                    self.store.start(job).await.map_err(store)?;
                    eprintln!("job {job} is {:?} already: no runner", found.status);
                    Ok(false)
                }
                other => {
                    eprintln!("job {job} is {other:?}: no runner yet");
                    Ok(false)
                }
            },
            Err(Error::NotFound(_)) => {
                self.store.forget(job).await.map_err(store)?;
                eprintln!("job {job}: GitHub shows no such job (or the token cannot read it): forgotten");
                Ok(false)
            }
            Err(e) => Err(format!("job {job}: {e}")),
        }
    }

    /// Creates a JIT runner of `pool` for `job` (after a check that it is
    /// still queued), or a warm one for none, and launches its machine.
    pub(crate) async fn make_runner(
        self: &Arc<Self>,
        pool: usize,
        job: Option<(JobId, Waiting)>,
    ) -> Result<(), String> {
        let store = |e: StoreError| e.to_string();
        if let Some((id, waiting)) = &job
            && !self.still_queued(*id, &waiting.repo).await?
        {
            return Ok(());
        }
        let pool_spec = &self.settings.pools[pool];
        let group = self.group_id(pool).await?;
        if let Some((id, waiting)) = &job
            && let Some(reason) = self.group_refuses(pool, group, waiting).await?
        {
            // Its machine would come up and never get the job: none made.
            eprintln!(
                "job {id}: runner group {} does not serve {} ({reason}): no runner",
                pool_spec.group, waiting.repo
            );
            metrics::refused_by_group(&pool_spec.group);
            self.store.incr(Counter::Refused, 1).await.map_err(store)?;
            self.store.give_up(*id).await.map_err(store)?;
            return Ok(());
        }
        let job_id = job.as_ref().map(|(id, _)| *id);
        let n = self.store.next_name(job_id.unwrap_or_default()).await.map_err(store)?;
        let runner_name = format!("{}-{}-{n}", self.settings.prefix, job_id.unwrap_or_default());
        let request = JitConfigRequest::new(&runner_name, pool_spec.labels.iter().cloned()).runner_group_id(group);
        // The prefix is ours: a runner of an earlier run of the scaler
        // holding the name, offline and idle, is replaced.
        let runners = self.github.org(&self.settings.org).runners();
        let issued = match runners.jit_config_replacing_offline(&request).await {
            Ok(issued) => issued,
            Err(e) => {
                // A group deleted (and made again) has a new id.
                *self.pools[pool].group.lock().unwrap_or_else(|p| p.into_inner()) = None;
                *self.pools[pool].access.lock().unwrap_or_else(|p| p.into_inner()) = None;
                return Err(format!("runner {runner_name}: {e}"));
            }
        };
        let id = issued.config.runner.id;
        let created_ms = now_ms();
        let pending = Pending {
            name: runner_name.clone(),
            pool,
            job: job_id,
            created_ms,
            launched_ms: None,
            failed: false,
            online_ms: None,
        };
        // Recorded only while this replica still holds the pool's fill
        // lease: after a stall (a pause, a slow store or API) another
        // replica may hold it and have counted without this runner.
        let recorded = self.store.put_new_pending(id, &pending, &self.fill_lease(pool), &self.replica).await;
        if !matches!(recorded, Ok(true)) {
            // Unrecorded, its machine is not launched, and the runner goes
            // now rather than at the reaper's unknown-runner timeout.
            if let Err(d) = runners.delete(id).await {
                eprintln!("runner {runner_name} ({id}): not recorded, and cannot delete it: {d}");
            }
            return Err(match recorded {
                Err(e) => format!("runner {runner_name}: {e}"),
                _ => format!("runner {runner_name}: the pool's fill lease was lost meanwhile; deleted"),
            });
        }
        // Counters are for reports: one that fails stops no launch.
        if let Err(e) = self.store.incr(Counter::Created, 1).await {
            eprintln!("runner {runner_name}: not counted: {e}");
        }
        metrics::runner_created(&pool_spec.group, job.as_ref().map(|(_, w)| created_ms.saturating_sub(w.queued_ms)));
        if let (Some(first), Some(job)) = (&self.first_runner, job_id) {
            first.lock().unwrap_or_else(|p| p.into_inner()).entry(job).or_insert_with(Instant::now);
        }
        eprintln!("runner {runner_name} ({id}) created in group {}", pool_spec.group);
        // Launched beside the loop: a slow launcher delays no other runner.
        let scaler = self.clone();
        tokio::spawn(async move {
            let launched = scaler.launcher.launch(&runner_name, issued.config.encoded_jit_config).await;
            if let Err(e) = scaler.launched(id, pending, launched).await {
                eprintln!("runner {runner_name}: {e}");
            }
        });
        Ok(())
    }

    /// Records how runner `id`'s launch went. A failed launch is torn down
    /// (its machine may be up), charged to its job, and the runner reaped
    /// at the next pass.
    pub(crate) async fn launched(
        &self,
        id: RunnerId,
        mut pending: Pending,
        launched: Result<(), String>,
    ) -> Result<(), StoreError> {
        pending.launched_ms = Some(now_ms());
        let Err(e) = &launched else {
            return self.store.put_pending(id, &pending, true).await;
        };
        eprintln!("runner {}: the machine did not launch: {e}", pending.name);
        metrics::launch_failed(&self.settings.pools[pending.pool].group);
        // The failure is recorded first, so that the next fill counts the
        // runner out whatever happens to the rest.
        pending.failed = true;
        self.store.put_pending(id, &pending, true).await?;
        self.teardown(&pending.name).await;
        match pending.job {
            Some(job) => self.charge(job).await,
            None => Ok(()),
        }
    }

    /// Tears down the machine of runner `name`, if the launcher can.
    pub(crate) async fn teardown(&self, name: &str) {
        if let Err(e) = self.launcher.teardown(name).await {
            eprintln!("runner {name}: cannot tear its machine down: {e}");
        }
    }

    /// A runner made for `job` failed: the job backs off, and after
    /// [`LAUNCH_BUDGET`] failures the scaler gives up on it for a day.
    pub(crate) async fn charge(&self, job: JobId) -> Result<(), StoreError> {
        let Some((_, mut waiting)) = self.store.waiting().await?.into_iter().find(|(id, _)| *id == job) else {
            return Ok(());
        };
        waiting.attempts += 1;
        if waiting.attempts >= LAUNCH_BUDGET {
            eprintln!("job {job}: {LAUNCH_BUDGET} runners failed or came up and did not take it: giving up");
            metrics::gave_up(&self.settings.pools[waiting.pool].group);
            return self.store.give_up(job).await;
        }
        waiting.retry_ms = now_ms() + ms(job_backoff(waiting.attempts));
        self.store.update_waiting(job, &waiting).await
    }

    /// Why runner group `group` of pool `pool` would not give `waiting`'s
    /// repository its runners, if it would not: `selected` visibility
    /// without the repository, or a public repository where the group
    /// allows none. What the scaler does not know (a repository's id or
    /// visibility) refuses nothing. The group's settings are cached for
    /// [`GROUP_ACCESS_TTL`].
    pub(crate) async fn group_refuses(
        &self,
        pool: usize,
        group: RunnerGroupId,
        waiting: &Waiting,
    ) -> Result<Option<&'static str>, String> {
        let fresh = |a: &Access| a.group.id == group && a.at.elapsed() < GROUP_ACCESS_TTL;
        let cached = self.pools[pool].access.lock().unwrap_or_else(|p| p.into_inner()).clone().filter(fresh);
        let access = match cached {
            Some(access) => access,
            None => {
                let groups = self.github.org(&self.settings.org).runner_groups();
                let found = groups.get(group).await.map_err(|e| format!("group {group}: {e}"))?;
                let selected = if found.visibility == Visibility::Selected {
                    let repos: Vec<_> = groups.repositories(group).try_collect().await.map_err(|e| e.to_string())?;
                    Some(repos.into_iter().map(|r| r.id).collect())
                } else {
                    None
                };
                let access = Access { group: found, selected, at: Instant::now() };
                *self.pools[pool].access.lock().unwrap_or_else(|p| p.into_inner()) = Some(access.clone());
                access
            }
        };
        if waiting.public == Some(true) {
            if access.group.visibility == Visibility::Private {
                return Ok(Some("private repositories only"));
            }
            if !access.group.allows_public_repositories {
                return Ok(Some("public repositories not allowed"));
            }
        }
        if let (Some(selected), Some(id)) = (&access.selected, waiting.repo_id)
            && !selected.contains(&id)
        {
            return Ok(Some("repository not selected"));
        }
        Ok(None)
    }

    /// Pool `pool`'s group id: cached, looked up again after a failure.
    pub(crate) async fn group_id(&self, pool: usize) -> Result<RunnerGroupId, String> {
        if let Some(id) = *self.pools[pool].group.lock().unwrap_or_else(|p| p.into_inner()) {
            return Ok(id);
        }
        let name = &self.settings.pools[pool].group;
        let group = self.github.org(&self.settings.org).runner_groups().find(name).await.map_err(|e| e.to_string())?;
        let id = group.map(|g| g.id).ok_or_else(|| format!("no runner group named {name:?}"))?;
        *self.pools[pool].group.lock().unwrap_or_else(|p| p.into_inner()) = Some(id);
        Ok(id)
    }
}

/// What a [`Scaler`] is made of.
pub(crate) struct ScalerParts<L> {
    pub(crate) github: Client,
    pub(crate) settings: Settings,
    pub(crate) launcher: Arc<L>,
    pub(crate) secret: Secret,
    pub(crate) catch_up: crate::replica::CatchUp,
    pub(crate) store: Store,
    pub(crate) first_runner: Option<Arc<Mutex<HashMap<JobId, Instant>>>>,
}
