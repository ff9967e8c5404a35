//! Claims and store: what every replica of the scaler shares. In memory
//! for one process ([`memory`]), in Redis for several behind one URL
//! ([`redis`]): jobs waiting and known, runners pending and running, the
//! leases that let one replica at a time fill a pool, reap or catch up,
//! and the counters the demo reports.
//!
//! Times are milliseconds since the Unix epoch ([`now_ms`]): replicas share
//! them, so no `Instant`.

pub(crate) mod memory;
pub(crate) mod redis;

use gha_runners::types::{JobId, RunnerId};
use serde::{Deserialize, Serialize};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// Milliseconds in `d`.
pub(crate) fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// How long a started, ended or given-up job is remembered, so that a late
/// repeat of its delivery does not bring it back (GitHub keeps a job
/// queued 24 hours at most).
pub(crate) const REMEMBER: Duration = Duration::from_secs(24 * 3600);

/// A job waiting for a runner. Every field has a default, so that a
/// record written by another version of the scaler still reads.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub(crate) struct Waiting {
    /// `owner/name`.
    pub(crate) repo: String,
    /// The pool's index in this replica's settings; in Redis, its
    /// [`crate::pools::Pool::key`].
    pub(crate) pool: usize,
    /// When the scaler learned of it.
    pub(crate) queued_ms: u64,
    /// Runners made for it that failed to launch or came up and found no
    /// job: at [`crate::pools::LAUNCH_BUDGET`] the scaler gives up on it.
    pub(crate) attempts: u32,
    /// No runner is made for it before this time (backoff after a failed
    /// launch).
    pub(crate) retry_ms: u64,
    /// The repository's id and whether it is public, when the delivery or
    /// the listing said: what the runner group's access is checked on.
    pub(crate) repo_id: Option<i64>,
    pub(crate) public: Option<bool>,
}

/// A runner the scaler created that has not been seen running a job.
/// Every field has a default, as [`Waiting`]'s.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub(crate) struct Pending {
    pub(crate) name: String,
    /// As [`Waiting::pool`].
    pub(crate) pool: usize,
    /// The job it was made for (any job of its pool may take it); none for
    /// a warm runner (`--min-idle`).
    pub(crate) job: Option<JobId>,
    pub(crate) created_ms: u64,
    /// When its launch returned: the boot timeout runs from there. A launch
    /// that never returns (its replica died) is given up on after the
    /// launch timeout: that is the launch's lease.
    pub(crate) launched_ms: Option<u64>,
    /// Its machine failed to launch: reaped at the next pass.
    pub(crate) failed: bool,
    /// When a reaper pass first saw it online (and idle).
    pub(crate) online_ms: Option<u64>,
}

/// A failure of the store (Redis unreachable, a reply it cannot read).
#[derive(Debug, Clone)]
pub(crate) struct StoreError(pub(crate) String);

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the scaler's store: {}", self.0)
    }
}

pub(crate) type Result<T> = std::result::Result<T, StoreError>;

/// The counters the store keeps for every replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Counter {
    /// Runners created (JIT configs issued).
    Created,
    /// Jobs seen ending.
    Completed,
    /// Deliveries catch-up asked GitHub to redeliver.
    Redelivered,
    /// Jobs reconciliation found that no delivery brought.
    Reconciled,
    /// Jobs the runner group refused (the repository may not use it).
    Refused,
}

impl Counter {
    pub(crate) fn key(self) -> &'static str {
        match self {
            Counter::Created => "created",
            Counter::Completed => "completed",
            Counter::Redelivered => "redelivered",
            Counter::Reconciled => "reconciled",
            Counter::Refused => "refused",
        }
    }
}

/// What claiming a fleet's configuration found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Claim {
    /// No live replica had claimed it: this one's configuration now holds.
    Fresh,
    /// The same configuration holds: renewed.
    Same,
    /// Live replicas run this other configuration.
    Other(String),
}

/// The scaler's store: one process's memory, or Redis.
pub(crate) enum Store {
    Memory(Box<memory::MemoryStore>),
    Redis(redis::RedisStore),
}

macro_rules! each {
    ($self:ident, $s:ident => $e:expr) => {
        match $self {
            Store::Memory($s) => Ok($e),
            Store::Redis($s) => $e.await,
        }
    };
}

impl Store {
    /// Job `job` waits, unless it is known (waiting, started, ended or
    /// given up): true when it is news. This is the job's claim: of two
    /// replicas handed the same delivery, one gets true.
    pub(crate) async fn enqueue(&self, job: JobId, waiting: &Waiting) -> Result<bool> {
        each!(self, s => s.enqueue(job, waiting))
    }

    /// Job `job` left the queue (a runner took it).
    pub(crate) async fn start(&self, job: JobId) -> Result<()> {
        each!(self, s => s.mark(job, "started"))
    }

    /// Job `job` ended: true the first time, when [`Counter::Completed`]
    /// counts it in the same step.
    pub(crate) async fn end(&self, job: JobId) -> Result<bool> {
        each!(self, s => s.end(job))
    }

    /// The scaler stops trying for job `job` for [`REMEMBER`].
    pub(crate) async fn give_up(&self, job: JobId) -> Result<()> {
        each!(self, s => s.mark(job, "given-up"))
    }

    /// Job `job` is unknown again: a later delivery brings it back. Its
    /// runners' name counter stays: a runner made for it before may still
    /// be booting, and a new one must not take its name.
    pub(crate) async fn forget(&self, job: JobId) -> Result<()> {
        each!(self, s => s.forget(job))
    }

    /// Every waiting job.
    pub(crate) async fn waiting(&self) -> Result<Vec<(JobId, Waiting)>> {
        each!(self, s => s.waiting())
    }

    /// Replaces waiting job `job`'s record, if it still waits.
    pub(crate) async fn update_waiting(&self, job: JobId, waiting: &Waiting) -> Result<()> {
        each!(self, s => s.update_waiting(job, waiting))
    }

    /// Records pending runner `runner`, or replaces its record if it is
    /// still pending (`only_if_present`).
    pub(crate) async fn put_pending(&self, runner: RunnerId, pending: &Pending, only_if_present: bool) -> Result<()> {
        each!(self, s => s.put_pending(runner, pending, only_if_present))
    }

    /// Records new pending runner `runner`, if `holder` still holds lease
    /// `lease` (its pool's fill): false, and nothing written, when it does
    /// not. A fill that lost its lease cannot add a runner that the new
    /// holder did not count.
    pub(crate) async fn put_new_pending(
        &self,
        runner: RunnerId,
        pending: &Pending,
        lease: &str,
        holder: &str,
    ) -> Result<bool> {
        each!(self, s => s.put_new_pending(runner, pending, lease, holder))
    }

    /// Moves pending runner `runner` to the running ones in one step (it
    /// took a job), giving its record back; `None` when it was not pending
    /// (not made by the scaler, or moved already).
    pub(crate) async fn promote(&self, runner: RunnerId) -> Result<Option<Pending>> {
        each!(self, s => s.promote(runner))
    }

    /// Claims the fleet for pool configuration `config` for `ttl`, or
    /// renews the claim: every replica of a fleet must run the same.
    pub(crate) async fn claim_config(&self, config: &str, ttl: Duration) -> Result<Claim> {
        match self {
            Store::Memory(_) => Ok(Claim::Same),
            Store::Redis(s) => s.claim_config(config, ttl).await,
        }
    }

    /// Removes records of pools this replica lacks (see
    /// [`redis::RedisStore::purge_foreign`]); how many.
    pub(crate) async fn purge_foreign(&self) -> Result<usize> {
        match self {
            Store::Memory(_) => Ok(0),
            Store::Redis(s) => s.purge_foreign().await,
        }
    }

    /// Removes pending runner `runner`, giving its record back.
    pub(crate) async fn take_pending(&self, runner: RunnerId) -> Result<Option<Pending>> {
        each!(self, s => s.take_pending(runner))
    }

    /// Every pending runner.
    pub(crate) async fn pending(&self) -> Result<Vec<(RunnerId, Pending)>> {
        each!(self, s => s.pending())
    }

    /// Runner `runner` is gone.
    pub(crate) async fn remove_running(&self, runner: RunnerId) -> Result<()> {
        each!(self, s => s.remove_running(runner))
    }

    /// Every running runner, with its pool.
    pub(crate) async fn running(&self) -> Result<Vec<(RunnerId, usize)>> {
        each!(self, s => s.running())
    }

    /// Takes lease `name` for `holder` for `ttl`, or renews it if `holder`
    /// holds it: false when another holds it.
    pub(crate) async fn lease(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        each!(self, s => s.lease(name, holder, ttl))
    }

    /// Extends lease `name` by `ttl` if `holder` still holds it: false when
    /// it expired (another replica may have held it since).
    pub(crate) async fn renew(&self, name: &str, holder: &str, ttl: Duration) -> Result<bool> {
        each!(self, s => s.renew(name, holder, ttl))
    }

    /// Gives lease `name` back, if `holder` holds it.
    pub(crate) async fn release(&self, name: &str, holder: &str) -> Result<()> {
        each!(self, s => s.release(name, holder))
    }

    /// Sets flag `name` (a request for another pass of whoever holds a
    /// lease).
    pub(crate) async fn flag(&self, name: &str) -> Result<()> {
        each!(self, s => s.flag(name))
    }

    /// Clears flag `name`: true if it was set.
    pub(crate) async fn take_flag(&self, name: &str) -> Result<bool> {
        each!(self, s => s.take_flag(name))
    }

    /// Adds `by` to `counter`.
    pub(crate) async fn incr(&self, counter: Counter, by: u64) -> Result<()> {
        each!(self, s => s.incr(counter.key(), by))
    }

    /// `counter`'s value.
    pub(crate) async fn count(&self, counter: Counter) -> Result<u64> {
        each!(self, s => s.count(counter.key()))
    }

    /// The next number for a runner of job `job` (0 for warm runners):
    /// names stay unique across replicas.
    pub(crate) async fn next_name(&self, job: JobId) -> Result<u64> {
        each!(self, s => s.next_name(job))
    }
}
