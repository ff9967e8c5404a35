//! `--source scaleset`: demand from a runner scale set's session instead of
//! webhook deliveries.
//!
//! One replica at a time holds the scale set's session, under the store's
//! `scaleset:<id>` lease; the others wait and take over when the lease
//! lapses (a replica killed, or cut from the store) or the session ends.
//! The holder long-polls the message queue with `--max-runners` as the max
//! capacity, and for each message:
//! - follows its runners: `JobStarted` makes a pending runner running,
//!   `JobCompleted` forgets it;
//! - scales: demand is the message's `totalAssignedJobs` (the jobs GitHub
//!   assigned to the scale set, waiting or running), capped by
//!   `--max-runners`; it makes runners (scale-set JIT configs, launched as
//!   the webhook source launches them) for what the runners it has or is
//!   starting do not cover;
//! - acknowledges the message only then. A message its holder did not
//!   finish (a failed launch, a crash) comes again, to it or to the next
//!   holder.
//!
//! The pools, cap, launcher, reaper, store and metrics are the webhook
//! source's: the scale set is the one pool (its runner group, its name as
//! the label).

use crate::launch::Launcher;
use crate::metrics;
use crate::scaler::{Held, Scaler};
use crate::store::{Counter, Pending, StoreError, now_ms};
use gha_runners::scaleset::{Batch, Error as SetError, JobMessage, Listener, ScaleSets, Statistics};
use gha_runners::types::{JobId, RunnerId};
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The scale set a replica listens on.
pub(crate) struct Source {
    pub(crate) sets: ScaleSets,
    pub(crate) id: i64,
    pub(crate) name: String,
    /// Sent as the max capacity; the cap on runners alive.
    pub(crate) max_runners: u32,
    /// The owner the session is opened for (this replica).
    pub(crate) owner: String,
    /// Jobs assigned and not covered by a runner made here yet, oldest
    /// first (for the queued-to-runner figure; demand is the statistics).
    pub(crate) uncovered: Mutex<VecDeque<JobId>>,
    /// The statistics of the last message handled.
    pub(crate) statistics: Mutex<Statistics>,
    /// Set to stop: the holder closes the session and lets the lease go.
    pub(crate) stopping: std::sync::atomic::AtomicBool,
    /// Wakes the holder when `stopping` is set.
    pub(crate) stop: tokio::sync::Notify,
}

impl Source {
    /// A source for scale set `name` (`id`), opened for `owner`, with at
    /// most `max_runners` runners.
    pub(crate) fn new(sets: ScaleSets, id: i64, name: &str, max_runners: u32, owner: String) -> Self {
        Source {
            sets,
            id,
            name: name.to_string(),
            max_runners,
            owner,
            uncovered: Mutex::default(),
            statistics: Mutex::default(),
            stopping: std::sync::atomic::AtomicBool::new(false),
            stop: tokio::sync::Notify::new(),
        }
    }

    /// Asks the holder to close the session and stop.
    pub(crate) fn shut_down(&self) {
        self.stopping.store(true, std::sync::atomic::Ordering::SeqCst);
        self.stop.notify_waiters();
    }

    fn stopping(&self) -> bool {
        self.stopping.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Completes once [`Source::shut_down`] was called.
    async fn stopped(&self) {
        let notified = self.stop.notified();
        if !self.stopping() {
            notified.await;
        }
    }
}

/// The pool the scale set is (its only pool).
const POOL: usize = 0;

/// How long to wait before trying the session again after a failure.
const RETRY: Duration = Duration::from_millis(500);

/// The first pause after a message that could not be handled.
const FIRST_PAUSE: Duration = Duration::from_millis(50);

/// The longest pause between two sessions after a failure no retry cured
/// (a message that cannot be read, a scale set gone, GitHub refusing the
/// token): the next holder would meet it too.
const MAX_SESSION_PAUSE: Duration = Duration::from_secs(60);

/// The shortest round that ends without a message: a server (or proxy)
/// that answers at once is not polled in a tight loop.
const MIN_EMPTY_ROUND: Duration = Duration::from_millis(500);

/// How often a holder checks its lease while it waits for a message.
const LEASE_CHECK: Duration = Duration::from_millis(100);

/// Completes once `held` may have been lost.
async fn lease_lost(held: &Held) {
    while !held.lost() {
        tokio::time::sleep(LEASE_CHECK).await;
    }
}

impl<L: Launcher> Scaler<L> {
    /// The scale-set source: holds the session whenever this replica holds
    /// the lease, until [`Source::shut_down`] (the session is then closed
    /// and the lease let go). After a failure no retry cured, the next
    /// session waits longer each time (up to a minute).
    pub(crate) async fn listen_scale_set(self: Arc<Self>, source: Arc<Source>) {
        let lease = format!("scaleset:{}", source.id);
        let mut pause = RETRY;
        while !source.stopping() {
            match self.hold(&lease).await {
                Ok(Some(held)) => {
                    let outcome = self.hold_session(&source, &lease, &held).await;
                    drop(held);
                    let _ = self.store.release(&lease, &self.replica).await;
                    match outcome {
                        Ok(()) => pause = RETRY,
                        Err(e) => {
                            eprintln!("scale set {}: {e}; next session in {pause:?}", source.name);
                            tokio::select! {
                                () = tokio::time::sleep(pause) => {}
                                () = source.stopped() => {}
                            }
                            pause = (pause * 2).min(MAX_SESSION_PAUSE);
                            continue;
                        }
                    }
                }
                Ok(None) => {}
                Err(e) => eprintln!("scale set {}: no lease: {e}", source.name),
            }
            tokio::select! {
                () = tokio::time::sleep(RETRY) => {}
                () = source.stopped() => {}
            }
        }
    }

    /// While the lease holds: opens the session (waiting out a session a
    /// dead holder left), polls, and closes it when the lease is lost.
    async fn hold_session(self: &Arc<Self>, source: &Arc<Source>, lease: &str, held: &Held) -> Result<(), String> {
        let sessions = source.sets.sessions(source.id);
        let session = loop {
            if held.lost() || source.stopping() {
                return Ok(());
            }
            match sessions.open(&source.owner).await {
                Ok(session) => break session,
                Err(e) if e.is_transient() => {
                    eprintln!("scale set {}: {e}", source.name);
                    tokio::time::sleep(RETRY).await;
                }
                Err(e) => return Err(e.to_string()),
            }
        };
        eprintln!("scale set {}: session opened by {}", source.name, source.owner);
        let last = session.statistics().clone();
        *source.statistics.lock().unwrap_or_else(|p| p.into_inner()) = last.clone();
        let mut listener = Listener::new(session, source.max_runners);
        // What the session opens with: demand before the first message.
        if let Err(e) = self.scale(source, lease, &last).await {
            eprintln!("scale set {}: {e}", source.name);
        }
        let outcome = self.listen(source, lease, held, &mut listener).await;
        // Closed whatever happened, so that the next holder need not wait
        // for the service to end it.
        if let Err(e) = listener.close().await {
            eprintln!("scale set {}: cannot close the session: {e}", source.name);
        }
        outcome
    }

    /// Polls while the lease holds; `Ok` when the lease is lost or the
    /// session ended (a new one is opened), `Err` for what no retry cures.
    async fn listen(
        self: &Arc<Self>,
        source: &Arc<Source>,
        lease: &str,
        held: &Held,
        listener: &mut Listener,
    ) -> Result<(), String> {
        // The pause after a failed message: short at first, doubling.
        let mut pause = FIRST_PAUSE;
        while !held.lost() && !source.stopping() {
            let started = Instant::now();
            // Waiting for a message stops as soon as the lease is lost or
            // the scaler stops; a message being handled is finished.
            let received = tokio::select! {
                received = listener.receive() => received,
                () = lease_lost(held) => break,
                () = source.stopped() => break,
            };
            let handled = match received {
                Ok(Some(message)) => listener
                    .handle(message, |batch: Batch| {
                        let scaler = self.clone();
                        let source = source.clone();
                        let lease = lease.to_string();
                        async move { scaler.on_batch(&source, &lease, batch).await }
                    })
                    .await
                    .map(Some),
                Ok(None) => Ok(None),
                Err(e) => Err(gha_runners::scaleset::ListenError::Service(e)),
            };
            match handled {
                Ok(Some(_)) => pause = FIRST_PAUSE,
                // No message in the long poll: the last demand, against the
                // runners as they are now (the reaper may have removed some).
                Ok(None) => {
                    // The counters now, not those of the last message: the
                    // runners may have changed since without a message
                    // (booted, reaped). A session refresh gives them.
                    let last = match listener.session().refresh().await {
                        Ok(now) => {
                            *source.statistics.lock().unwrap_or_else(|p| p.into_inner()) = now.clone();
                            now
                        }
                        Err(_) => source.statistics.lock().unwrap_or_else(|p| p.into_inner()).clone(),
                    };
                    if let Err(e) = self.scale(source, lease, &last).await {
                        eprintln!("scale set {}: {e}", source.name);
                    }
                    tokio::time::sleep(MIN_EMPTY_ROUND.saturating_sub(started.elapsed())).await;
                }
                Err(gha_runners::scaleset::ListenError::Handler(e)) => {
                    eprintln!("scale set {}: {e}; the message comes again", source.name);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(RETRY * 10);
                }
                Err(gha_runners::scaleset::ListenError::Service(e)) => match e {
                    SetError::SessionGone { .. } | SetError::TokenExpired { .. } => {
                        eprintln!("scale set {}: {e}: opening a new session", source.name);
                        return Ok(());
                    }
                    e if e.is_transient() => {
                        eprintln!("scale set {}: {e}", source.name);
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(RETRY * 10);
                    }
                    e => return Err(e.to_string()),
                },
                Err(_) => tokio::time::sleep(MIN_EMPTY_ROUND).await,
            }
        }
        if source.stopping() {
            eprintln!("scale set {}: stopping; closing the session", source.name);
            return Ok(());
        }
        eprintln!("scale set {}: lease lost; closing the session", source.name);
        Ok(())
    }

    /// One message: follows its runners, scales, and only then lets the
    /// listener acknowledge it (an error leaves it unacknowledged).
    async fn on_batch(self: &Arc<Self>, source: &Arc<Source>, lease: &str, batch: Batch) -> Result<(), String> {
        let store = |e: StoreError| e.to_string();
        for job in &batch.jobs {
            match job {
                // Kept only when the demo measures queued-to-runner times.
                JobMessage::Assigned { job } if self.first_runner.is_some() => {
                    let mut uncovered = source.uncovered.lock().unwrap_or_else(|p| p.into_inner());
                    let id = JobId::from(job.runner_request_id);
                    if !uncovered.contains(&id) {
                        uncovered.push_back(id);
                    }
                }
                JobMessage::Started { runner_id, runner_name, .. } => {
                    let runner = RunnerId::from(*runner_id);
                    // A runner of ours the store does not know (a store
                    // restarted or flushed) runs all the same: counted.
                    if self.store.promote(runner).await.map_err(store)?.is_none() && self.named_by_us(runner_name) {
                        let adopted = Pending {
                            name: runner_name.clone(),
                            pool: POOL,
                            job: None,
                            created_ms: now_ms(),
                            launched_ms: Some(now_ms()),
                            failed: false,
                            online_ms: Some(now_ms()),
                        };
                        self.store.put_pending(runner, &adopted, false).await.map_err(store)?;
                        self.store.promote(runner).await.map_err(store)?;
                    }
                }
                JobMessage::Completed { runner_id, job, .. } => {
                    source
                        .uncovered
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .retain(|j| j.get() != job.runner_request_id);
                    if *runner_id > 0 {
                        let runner = RunnerId::from(*runner_id);
                        self.store.take_pending(runner).await.map_err(store)?;
                        self.store.remove_running(runner).await.map_err(store)?;
                    }
                }
                _ => {}
            }
        }
        *source.statistics.lock().unwrap_or_else(|p| p.into_inner()) = batch.statistics.clone();
        self.scale(source, lease, &batch.statistics).await
    }

    /// Makes runners while the demand (`totalAssignedJobs`, capped) exceeds
    /// the runners the scale set has and is starting.
    async fn scale(self: &Arc<Self>, source: &Arc<Source>, lease: &str, stats: &Statistics) -> Result<(), String> {
        let store = |e: StoreError| e.to_string();
        let demand = usize::try_from(stats.total_assigned_jobs.max(0)).unwrap_or(usize::MAX);
        let cap = source.max_runners as usize;
        let pending = self.store.pending().await.map_err(store)?;
        // Failed launches count until the reaper removes them: a broken
        // launcher does not get a new runner every round.
        let starting = pending.iter().filter(|(_, p)| p.pool == POOL).count();
        let running = self.store.running().await.map_err(store)?.iter().filter(|(_, p)| *p == POOL).count();
        // The statistics' own count of registered runners is of the same
        // moment as their demand: the store may have lost a runner since
        // (the reaper removed a finished one before its `JobCompleted`
        // came), and counting less than that moment had makes runners for
        // jobs that have one.
        let registered = usize::try_from(stats.total_registered_runners.max(0)).unwrap_or(usize::MAX);
        let have = (starting + running).max(registered);
        let want = demand.min(cap);
        metrics::pool_gauges(&self.settings.pools[POOL].group, starting, 0, demand.saturating_sub(cap));
        for _ in have..want {
            self.make_scale_set_runner(source, lease).await?;
        }
        Ok(())
    }

    /// One runner of the scale set: its JIT config, recorded as pending
    /// (only while this replica holds the session lease), then launched.
    async fn make_scale_set_runner(self: &Arc<Self>, source: &Arc<Source>, lease: &str) -> Result<(), String> {
        let store = |e: StoreError| e.to_string();
        // A name a runner still holds (the store restarted and counts
        // again from 1) is skipped: the next is tried, three in all.
        let mut tries = 0;
        let (name, jit) = loop {
            let n = self.store.next_name(JobId::from(0)).await.map_err(store)?;
            // Named as the webhook source names a runner made for no job,
            // so that the reaper knows it for the scaler's.
            let name = format!("{}-0-{n}", self.settings.prefix);
            match source.sets.jit_config(source.id, &name).await {
                Ok(jit) => break (name, jit),
                Err(SetError::Api { status: 409, .. }) if tries < 2 => tries += 1,
                Err(e) => return Err(format!("runner {name}: {e}")),
            }
        };
        let id = RunnerId::from(jit.runner.id);
        let created_ms = now_ms();
        let pending = Pending {
            name: name.clone(),
            pool: POOL,
            job: None,
            created_ms,
            launched_ms: None,
            failed: false,
            online_ms: None,
        };
        match self.store.put_new_pending(id, &pending, lease, &self.replica).await {
            Ok(true) => {}
            recorded => {
                if let Err(e) = source.sets.remove_runner(id.get()).await {
                    eprintln!("runner {name} ({id}): not recorded, and cannot remove it: {e}");
                }
                return Err(match recorded {
                    Err(e) => format!("runner {name}: {e}"),
                    _ => format!("runner {name}: the session lease was lost meanwhile; removed"),
                });
            }
        }
        if let Err(e) = self.store.incr(Counter::Created, 1).await {
            eprintln!("runner {name}: not counted: {e}");
        }
        let covered = self
            .first_runner
            .as_ref()
            .and_then(|_| source.uncovered.lock().unwrap_or_else(|p| p.into_inner()).pop_front());
        metrics::runner_created(&self.settings.pools[POOL].group, None);
        if let (Some(first), Some(job)) = (&self.first_runner, covered) {
            first.lock().unwrap_or_else(|p| p.into_inner()).entry(job).or_insert_with(Instant::now);
        }
        eprintln!("runner {name} ({id}) created in scale set {}", source.name);
        let scaler = self.clone();
        tokio::spawn(async move {
            let launched = scaler.launcher.launch(&name, jit.encoded_jit_config).await;
            if let Err(e) = scaler.launched(id, pending, launched).await {
                eprintln!("runner {name}: {e}");
            }
        });
        Ok(())
    }
}
