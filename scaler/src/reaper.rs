//! The reaper: deletes runners that never ran a job, tells which runners
//! are gone, and fills what is missing. One replica at a time reaps (the
//! store's `reaper` lease).

use crate::launch::Launcher;
use crate::metrics;
use crate::scaler::Scaler;
use crate::store::{Pending, StoreError, ms, now_ms};
use futures::TryStreamExt;
use gha_runners::Error;
use gha_runners::types::{ListRunners, Runner, RunnerId, RunnerStatus};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What a pass found of one runner the store holds.
enum Seen {
    Listed(Runner),
    Gone,
    Unsure,
}

impl<L: Launcher> Scaler<L> {
    /// One reaper pass, if this replica holds the reaper lease: see
    /// [`Scaler::reap_pass`]. Then every pool is filled.
    pub(crate) async fn reap(self: &Arc<Self>) -> Result<(), String> {
        let held = self.hold("reaper").await.map_err(|e| e.to_string())?;
        let outcome = match &held {
            Some(_) => self.reap_pass().await,
            None => Ok(()),
        };
        if let Some(held) = held {
            // The renewer stops first: it could otherwise take the lease back.
            drop(held);
            let _ = self.store.release("reaper", &self.replica).await;
        }
        for pool in 0..self.settings.pools.len() {
            self.ask_fill(pool);
        }
        outcome
    }

    /// Deletes the scaler's runners whose machine failed to launch, never
    /// came online within the boot timeout after its launch (a launch that
    /// never returned, its replica dead, counts from the launch timeout),
    /// or came online and found no job within the idle timeout; and those
    /// nobody made that stay offline for a boot timeout. A runner missing
    /// from the listing is looked up by id before it is taken for gone:
    /// listings shift while GitHub removes ephemeral runners.
    pub(crate) async fn reap_pass(self: &Arc<Self>) -> Result<(), String> {
        let store = |e: StoreError| e.to_string();
        let runners = self.github.org(&self.settings.org).runners();
        let ours: Vec<Runner> = runners
            .list(ListRunners::default())
            .try_filter(|r| std::future::ready(r.ephemeral == Some(true) && self.named_by_us(&r.name)))
            .try_collect()
            .await
            .map_err(|e| e.to_string())?;
        let listed: HashMap<RunnerId, &Runner> = ours.iter().map(|r| (r.id, r)).collect();
        let pending = self.store.pending().await.map_err(store)?;
        let running = self.store.running().await.map_err(store)?;
        // Runners that took a job (busy, or gone: GitHub removes one that
        // ran its job) no longer cover a waiting job. Which job they took,
        // their `in_progress` delivery says, maybe later: so the pool's
        // waiting jobs are asked about at once, before any fill of the
        // pool counts again.
        let taken: Vec<usize> = {
            let mut pools: Vec<usize> =
                pending.iter().filter(|(id, _)| listed.get(id).is_none_or(|r| r.busy)).map(|(_, p)| p.pool).collect();
            pools.sort_unstable();
            pools.dedup();
            pools
        };
        for pool in taken {
            let work = async {
                for (id, _) in pending.iter().filter(|(_, p)| p.pool == pool) {
                    match self.seen(*id, &listed).await {
                        Seen::Listed(r) if r.busy => {
                            self.store.promote(*id).await.map_err(store)?;
                        }
                        Seen::Listed(_) | Seen::Unsure => {}
                        Seen::Gone => {
                            self.store.take_pending(*id).await.map_err(store)?;
                        }
                    }
                }
                self.recheck(pool).await
            };
            match self.on_pool(pool, work).await {
                Ok(Some(outcome)) => outcome?,
                Ok(None) => {} // another replica fills it: next pass
                Err(e) => return Err(e.to_string()),
            }
        }
        // Idle runners, online or not: deleted when stale.
        let mut idle_online: HashMap<usize, usize> = HashMap::new();
        for (id, p) in &pending {
            if listed.get(id).is_some_and(|r| !r.busy && r.status == RunnerStatus::Online) {
                *idle_online.entry(p.pool).or_default() += 1;
            }
        }
        for (id, p) in &pending {
            let Some(r) = listed.get(id).filter(|r| !r.busy) else { continue };
            let spare = idle_online.get(&p.pool).copied().unwrap_or(0);
            if self.judge(r, p.clone(), spare).await.map_err(store)? && r.status == RunnerStatus::Online {
                *idle_online.entry(p.pool).or_default() -= 1;
            }
        }
        // Running runners missing from the listing: gone, once GitHub
        // says so (their `completed` delivery may have been lost).
        for (id, _) in &running {
            if !listed.contains_key(id) && matches!(self.seen(*id, &listed).await, Seen::Gone) {
                self.store.remove_running(*id).await.map_err(store)?;
            }
        }
        let known: HashSet<RunnerId> =
            pending.iter().map(|(id, _)| *id).chain(running.iter().map(|(id, _)| *id)).collect();
        let mut unknown = HashMap::new();
        let before = std::mem::take(&mut self.local().unknown);
        // Idle runners of ours with no record: nobody made them, or their
        // record was lost (a replica died before writing it, a restart of
        // the in-memory store). Offline ones get a boot timeout, online
        // ones an idle timeout, as pending runners do; then they go.
        for r in ours.iter().filter(|r| !r.busy && !known.contains(&r.id)) {
            let first = before.get(&r.id).copied().unwrap_or_else(Instant::now);
            let online = r.status == RunnerStatus::Online;
            let grace = if online { self.settings.idle_timeout } else { self.settings.boot_timeout };
            if first.elapsed() <= grace {
                unknown.insert(r.id, first);
                continue;
            }
            if self.delete(r, None).await {
                let state = if online { "online, idle" } else { "offline" };
                eprintln!("runner {} ({}) deleted: {state} and unknown", r.name, r.id);
            }
        }
        self.local().unknown = unknown;
        Ok(())
    }

    /// Whether runner `id` is in `listed`, or else gone as a lookup by id
    /// says; unsure when the lookup fails.
    async fn seen(&self, id: RunnerId, listed: &HashMap<RunnerId, &Runner>) -> Seen {
        if let Some(r) = listed.get(&id) {
            return Seen::Listed((*r).clone());
        }
        match self.github.org(&self.settings.org).runners().get(id).await {
            Ok(r) => Seen::Listed(r),
            Err(Error::NotFound(_)) => Seen::Gone,
            Err(e) => {
                eprintln!("runner {id}: missing from the listing, and cannot look it up: {e}");
                Seen::Unsure
            }
        }
    }

    /// Deletes idle runner `r` (pending as `p`) if it is stale; true when
    /// it did. `idle` is how many of its pool's runners are online and
    /// idle: warm runners (`--min-idle`) are kept while the pool has no
    /// more than its minimum.
    async fn judge(self: &Arc<Self>, r: &Runner, mut p: Pending, idle: usize) -> Result<bool, StoreError> {
        let now = now_ms();
        let online = r.status == RunnerStatus::Online;
        if online && p.online_ms.is_none() {
            p.online_ms = Some(now);
            self.store.put_pending(r.id, &p, true).await?;
        }
        let elapsed = |since: u64, limit: Duration| now.saturating_sub(since) > ms(limit);
        let stale = if p.failed {
            true
        } else if let (true, Some(since)) = (online, p.online_ms) {
            let warm_needed = p.job.is_none() && idle <= self.settings.pools[p.pool].min_idle;
            !warm_needed && elapsed(since, self.settings.idle_timeout)
        } else {
            match p.launched_ms {
                Some(at) => elapsed(at, self.settings.boot_timeout),
                None => elapsed(p.created_ms, self.settings.launch_timeout + self.settings.boot_timeout),
            }
        };
        if !stale || !self.delete(r, Some(&p)).await {
            return Ok(false);
        }
        eprintln!("runner {} ({}) deleted: never ran a job", r.name, r.id);
        if self.store.take_pending(r.id).await?.is_some()
            && let Some(job) = p.job
            && !p.failed
        {
            // It failed its job (a failed launch was charged already).
            self.charge(job).await?;
        }
        Ok(true)
    }

    /// Deletes runner `r` and tears its machine down: false when it took a
    /// job meanwhile, or GitHub refused.
    async fn delete(&self, r: &Runner, p: Option<&Pending>) -> bool {
        match self.github.org(&self.settings.org).runners().delete(r.id).await {
            Ok(()) | Err(Error::NotFound(_)) => {}
            Err(Error::RunnerBusy(_)) => return false, // it took a job just now
            Err(e) => {
                eprintln!("runner {} ({}): cannot delete it: {e}", r.name, r.id);
                return false;
            }
        }
        if let Some(p) = p {
            metrics::runner_deleted(&self.settings.pools[p.pool].group);
        }
        self.teardown(&r.name).await;
        true
    }

    /// Whether `name` is one the scaler gives: `<prefix>-<job id>-<n>`.
    pub(crate) fn named_by_us(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(&self.settings.prefix).and_then(|r| r.strip_prefix('-')) else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        rest.split_once('-').is_some_and(|(job, n)| digits(job) && digits(n))
    }

    /// Asks GitHub about every waiting job of `pool` (see
    /// [`Scaler::still_queued`]): a runner of theirs took a job, perhaps
    /// one whose `in_progress` delivery is yet to come.
    pub(crate) async fn recheck(&self, pool: usize) -> Result<(), String> {
        let waiting = self.store.waiting().await.map_err(|e| e.to_string())?;
        for (job, w) in waiting.into_iter().filter(|(_, w)| w.pool == pool) {
            self.still_queued(job, &w.repo).await?;
        }
        Ok(())
    }

    /// Reaps every `interval`, forever.
    pub(crate) async fn reap_every(self: Arc<Self>, interval: Duration) {
        let interval = interval.max(Duration::from_millis(10));
        loop {
            tokio::time::sleep(interval).await;
            if let Err(e) = self.reap().await {
                eprintln!("reaper: {e}");
            }
        }
    }
}
