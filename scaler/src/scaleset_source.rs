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
}

/// The pool the scale set is (its only pool).
const POOL: usize = 0;

/// How long to wait before trying the session again after a failure.
const RETRY: Duration = Duration::from_millis(500);

/// The first pause after a message that could not be handled.
const FIRST_PAUSE: Duration = Duration::from_millis(50);

impl<L: Launcher> Scaler<L> {
    /// The scale-set source: holds the session whenever this replica holds
    /// the lease, until the process ends.
    pub(crate) async fn listen_scale_set(self: Arc<Self>, source: Arc<Source>) {
        let lease = format!("scaleset:{}", source.id);
        loop {
            match self.hold(&lease).await {
                Ok(Some(held)) => {
                    if let Err(e) = self.hold_session(&source, &lease, &held).await {
                        eprintln!("scale set {}: {e}", source.name);
                    }
                    drop(held);
                    let _ = self.store.release(&lease, &self.replica).await;
                }
                Ok(None) => {}
                Err(e) => eprintln!("scale set {}: no lease: {e}", source.name),
            }
            tokio::time::sleep(RETRY).await;
        }
    }

    /// While the lease holds: opens the session (waiting out a session a
    /// dead holder left), polls, and closes it when the lease is lost.
    async fn hold_session(self: &Arc<Self>, source: &Arc<Source>, lease: &str, held: &Held) -> Result<(), String> {
        let sessions = source.sets.sessions(source.id);
        let session = loop {
            if held.lost() {
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
        while !held.lost() {
            let handled = listener
                .poll(|batch: Batch| {
                    let scaler = self.clone();
                    let source = source.clone();
                    let lease = lease.to_string();
                    async move { scaler.on_batch(&source, &lease, batch).await }
                })
                .await;
            match handled {
                Ok(Some(_)) => pause = FIRST_PAUSE,
                // No message in the long poll: the last demand, against the
                // runners as they are now (the reaper may have removed some).
                Ok(None) => {
                    let last = source.statistics.lock().unwrap_or_else(|p| p.into_inner()).clone();
                    if let Err(e) = self.scale(source, lease, &last).await {
                        eprintln!("scale set {}: {e}", source.name);
                        tokio::time::sleep(RETRY).await;
                    }
                }
                Err(gha_runners::scaleset::ListenError::Handler(e)) => {
                    eprintln!("scale set {}: {e}; the message comes again", source.name);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(RETRY * 10);
                    continue;
                }
                Err(gha_runners::scaleset::ListenError::Service(e)) => match e {
                    SetError::SessionGone { .. } | SetError::TokenExpired { .. } => {
                        eprintln!("scale set {}: {e}: opening a new session", source.name);
                        return Ok(());
                    }
                    e if e.is_transient() => {
                        eprintln!("scale set {}: {e}", source.name);
                        tokio::time::sleep(RETRY).await;
                    }
                    e => return Err(e.to_string()),
                },
                _ => {}
            }
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
                JobMessage::Assigned { job } => {
                    let mut uncovered = source.uncovered.lock().unwrap_or_else(|p| p.into_inner());
                    let id = JobId::from(job.runner_request_id);
                    if !uncovered.contains(&id) {
                        uncovered.push_back(id);
                    }
                }
                JobMessage::Started { runner_id, .. } => {
                    self.store.promote(RunnerId::from(*runner_id)).await.map_err(store)?;
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
        self.scale(source, lease, &batch.statistics).await?;
        *source.statistics.lock().unwrap_or_else(|p| p.into_inner()) = batch.statistics;
        Ok(())
    }

    /// Makes runners while the demand (`totalAssignedJobs`, capped) exceeds
    /// the runners the scale set has and is starting.
    async fn scale(self: &Arc<Self>, source: &Arc<Source>, lease: &str, stats: &Statistics) -> Result<(), String> {
        let store = |e: StoreError| e.to_string();
        let demand = usize::try_from(stats.total_assigned_jobs.max(0)).unwrap_or(usize::MAX);
        let cap = source.max_runners as usize;
        let pending = self.store.pending().await.map_err(store)?;
        let starting = pending.iter().filter(|(_, p)| p.pool == POOL && !p.failed).count();
        let running = self.store.running().await.map_err(store)?.iter().filter(|(_, p)| *p == POOL).count();
        let have = starting + running;
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
        let n = self.store.next_name(JobId::from(0)).await.map_err(store)?;
        // Named as the webhook source names a runner made for no job, so
        // that the reaper knows it for the scaler's.
        let name = format!("{}-0-{n}", self.settings.prefix);
        let jit = source.sets.jit_config(source.id, &name).await.map_err(|e| format!("runner {name}: {e}"))?;
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
        let covered = source.uncovered.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
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
