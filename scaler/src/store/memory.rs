//! The store in one process's memory: what `gha-scaler` keeps without
//! `--redis`. Each call holds a lock for a few map operations, never across
//! an API call.

use super::{Counter, Pending, REMEMBER, Waiting, ms, now_ms};
use gha_runners::types::{JobId, RunnerId};
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

/// How many known jobs are remembered at most (the oldest are forgotten
/// first), so that a long run does not grow without end.
const CAPACITY: usize = 100_000;

#[derive(Default)]
struct Inner {
    waiting: BTreeMap<JobId, Waiting>,
    /// Jobs known but not waiting: started, ended, given up; with when.
    known: HashMap<JobId, (&'static str, u64)>,
    /// `known`'s keys, oldest first.
    order: VecDeque<JobId>,
    pending: HashMap<RunnerId, Pending>,
    running: HashMap<RunnerId, usize>,
    leases: HashMap<String, (String, u64)>,
    flags: HashSet<String>,
    counters: HashMap<&'static str, u64>,
    names: HashMap<JobId, u64>,
}

impl Inner {
    fn known(&mut self, job: JobId) -> Option<&'static str> {
        let now = now_ms();
        match self.known.get(&job) {
            Some((state, until)) if *until > now => Some(*state),
            Some(_) => {
                self.known.remove(&job);
                None
            }
            None => None,
        }
    }

    fn remember(&mut self, job: JobId, state: &'static str) {
        if self.known.insert(job, (state, now_ms() + ms(REMEMBER))).is_none() {
            self.order.push_back(job);
        }
        while self.order.len() > CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.known.remove(&old);
            }
        }
    }
}

/// The store in memory.
#[derive(Default)]
pub(crate) struct MemoryStore(Mutex<Inner>);

impl MemoryStore {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn enqueue(&self, job: JobId, waiting: &Waiting) -> bool {
        let mut s = self.lock();
        if s.waiting.contains_key(&job) || s.known(job).is_some() {
            return false;
        }
        s.waiting.insert(job, waiting.clone());
        true
    }

    pub(crate) fn mark(&self, job: JobId, state: &'static str) {
        let mut s = self.lock();
        s.waiting.remove(&job);
        if s.known(job) != Some("ended") {
            s.remember(job, state);
        }
        s.names.remove(&job);
    }

    pub(crate) fn end(&self, job: JobId) -> bool {
        let mut s = self.lock();
        s.waiting.remove(&job);
        s.names.remove(&job);
        if s.known(job) == Some("ended") {
            return false;
        }
        s.remember(job, "ended");
        *s.counters.entry(Counter::Completed.key()).or_default() += 1;
        true
    }

    pub(crate) fn forget(&self, job: JobId) {
        let mut s = self.lock();
        s.waiting.remove(&job);
        s.known.remove(&job);
    }

    pub(crate) fn waiting(&self) -> Vec<(JobId, Waiting)> {
        self.lock().waiting.iter().map(|(id, w)| (*id, w.clone())).collect()
    }

    pub(crate) fn update_waiting(&self, job: JobId, waiting: &Waiting) {
        if let Some(w) = self.lock().waiting.get_mut(&job) {
            *w = waiting.clone();
        }
    }

    pub(crate) fn put_pending(&self, runner: RunnerId, pending: &Pending, only_if_present: bool) {
        let mut s = self.lock();
        if !only_if_present || s.pending.contains_key(&runner) {
            s.pending.insert(runner, pending.clone());
        }
    }

    pub(crate) fn put_new_pending(&self, runner: RunnerId, pending: &Pending, lease: &str, holder: &str) -> bool {
        let mut s = self.lock();
        let now = now_ms();
        if !s.leases.get(lease).is_some_and(|(h, until)| h == holder && *until > now) {
            return false;
        }
        s.pending.insert(runner, pending.clone());
        true
    }

    pub(crate) fn promote(&self, runner: RunnerId) -> Option<Pending> {
        let mut s = self.lock();
        let made = s.pending.remove(&runner)?;
        s.running.insert(runner, made.pool);
        Some(made)
    }

    pub(crate) fn take_pending(&self, runner: RunnerId) -> Option<Pending> {
        self.lock().pending.remove(&runner)
    }

    pub(crate) fn pending(&self) -> Vec<(RunnerId, Pending)> {
        self.lock().pending.iter().map(|(id, p)| (*id, p.clone())).collect()
    }

    pub(crate) fn remove_running(&self, runner: RunnerId) {
        self.lock().running.remove(&runner);
    }

    pub(crate) fn running(&self) -> Vec<(RunnerId, usize)> {
        self.lock().running.iter().map(|(id, pool)| (*id, *pool)).collect()
    }

    pub(crate) fn lease(&self, name: &str, holder: &str, ttl: Duration) -> bool {
        let mut s = self.lock();
        let now = now_ms();
        match s.leases.get(name) {
            Some((other, until)) if other != holder && *until > now => false,
            _ => {
                s.leases.insert(name.to_string(), (holder.to_string(), now + ms(ttl)));
                true
            }
        }
    }

    pub(crate) fn renew(&self, name: &str, holder: &str, ttl: Duration) -> bool {
        let mut s = self.lock();
        let now = now_ms();
        match s.leases.get_mut(name) {
            Some((h, until)) if h == holder && *until > now => {
                *until = now + ms(ttl);
                true
            }
            _ => false,
        }
    }

    pub(crate) fn release(&self, name: &str, holder: &str) {
        let mut s = self.lock();
        if s.leases.get(name).is_some_and(|(h, _)| h == holder) {
            s.leases.remove(name);
        }
    }

    pub(crate) fn flag(&self, name: &str) {
        self.lock().flags.insert(name.to_string());
    }

    pub(crate) fn take_flag(&self, name: &str) -> bool {
        self.lock().flags.remove(name)
    }

    pub(crate) fn incr(&self, counter: &'static str, by: u64) {
        *self.lock().counters.entry(counter).or_default() += by;
    }

    pub(crate) fn count(&self, counter: &'static str) -> u64 {
        self.lock().counters.get(counter).copied().unwrap_or(0)
    }

    pub(crate) fn next_name(&self, job: JobId) -> u64 {
        let mut s = self.lock();
        let n = s.names.entry(job).or_default();
        *n += 1;
        *n
    }
}

#[cfg(test)]
mod tests {
    use super::MemoryStore;
    use std::time::Duration;

    /// A renewal extends only a lease its holder still holds: not one that
    /// expired, even if nobody took it since, nor one another holds.
    #[test]
    fn renew_extends_only_a_lease_still_held() {
        let s = MemoryStore::default();
        let (short, long) = (Duration::from_millis(1), Duration::from_secs(60));
        assert!(s.lease("fill", "a", short));
        std::thread::sleep(Duration::from_millis(5));
        assert!(!s.renew("fill", "a", long), "an expired lease was renewed");
        assert!(s.lease("fill", "b", long));
        assert!(!s.renew("fill", "a", long), "another's lease was renewed");
        assert!(s.renew("fill", "b", long));
        assert!(!s.lease("fill", "a", long));
    }
}
