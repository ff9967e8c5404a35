//! The scaler's state in memory: jobs waiting, runners pending, events seen.

use gha_runners::types::{JobId, RunnerGroupId, RunnerId};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::hash::Hash;
use std::time::Instant;

/// Runners made for one job that came up and stayed idle while it waited
/// (so they cannot serve it: a group the repository may not use, labels
/// GitHub reads otherwise) before the scaler gives up on the job.
pub(crate) const MAX_IDLE_RUNNERS: u32 = 3;

/// A job waiting for a runner.
pub(crate) struct Waiting {
    pub(crate) repo: String,
    pub(crate) pool: usize,
    /// Runners made for it that came up and found no job.
    pub(crate) idle_runners: u32,
}

/// A runner the scaler created that has not been seen running a job.
pub(crate) struct Pending {
    pub(crate) pool: usize,
    /// The job it was made for (any job of its pool may take it).
    pub(crate) job: JobId,
    /// When its launch returned: the boot timeout runs from there.
    pub(crate) launched: Option<Instant>,
    /// Its machine failed to launch: reaped at the next pass.
    pub(crate) failed: bool,
    /// When a reaper pass first saw it online (and idle).
    pub(crate) online_since: Option<Instant>,
}

/// The last keys seen, so that repeats are dropped without the memory
/// growing for as long as the scaler runs.
pub(crate) struct Recent<T> {
    pub(crate) order: VecDeque<T>,
    pub(crate) set: HashSet<T>,
}

impl<T> Default for Recent<T> {
    fn default() -> Self {
        Self { order: VecDeque::new(), set: HashSet::new() }
    }
}

impl<T: Hash + Eq + Clone> Recent<T> {
    pub(crate) const CAPACITY: usize = 100_000;

    /// False when `key` was seen (among the last ones).
    pub(crate) fn insert(&mut self, key: T) -> bool {
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

    pub(crate) fn contains(&self, key: &T) -> bool {
        self.set.contains(key)
    }
}

#[derive(Default)]
pub(crate) struct State {
    /// Jobs waiting for a runner, oldest first.
    pub(crate) waiting: BTreeMap<JobId, Waiting>,
    /// Jobs that left the queue (a runner took them, or they ended).
    pub(crate) started: Recent<JobId>,
    /// Jobs that ended.
    pub(crate) ended: Recent<JobId>,
    pub(crate) pending: HashMap<RunnerId, Pending>,
    /// Runners made per job, for their names.
    pub(crate) names: HashMap<JobId, u32>,
    pub(crate) group_ids: HashMap<String, RunnerGroupId>,
    /// Offline idle runners with our names that this run did not make, and
    /// when a reaper pass first saw them.
    pub(crate) unknown: HashMap<RunnerId, Instant>,
    pub(crate) queued: usize,
    /// When the first runner of each job was created: kept only when
    /// measured (`demo`), so that `serve` does not grow it for ever.
    pub(crate) first_runner: Option<HashMap<JobId, Instant>>,
    /// Events (GUIDs) catch-up asked GitHub to redeliver, and when.
    pub(crate) redelivering: HashMap<String, Instant>,
    /// Deliveries redelivered by catch-up.
    pub(crate) redelivered: usize,
    /// Jobs catch-up's reconciliation found that no delivery brought.
    pub(crate) reconciled: usize,
    pub(crate) created: usize,
    pub(crate) completed: usize,
}

impl State {
    /// Job `job` left the queue: a runner took it, or it ended.
    pub(crate) fn dequeue(&mut self, job: JobId) {
        self.forget(job);
        self.started.insert(job);
    }

    /// Job `job` no longer waits here; a later `queued` delivery for it
    /// (a redelivery) brings it back.
    pub(crate) fn forget(&mut self, job: JobId) {
        self.waiting.remove(&job);
        self.names.remove(&job);
    }
}
