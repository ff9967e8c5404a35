//! The reaper: deletes runners that never ran a job, and fills what is missing.

use crate::launch::Launcher;
use crate::scaler::Scaler;
use crate::state::MAX_IDLE_RUNNERS;
use futures::TryStreamExt;
use gha_runners::Error;
use gha_runners::types::{JobId, ListRunners, RunnerId, RunnerStatus};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

impl<L: Launcher> Scaler<L> {
    /// Deletes the scaler's runners whose machine failed to launch, never
    /// came online within the boot timeout after its launch, or came online
    /// and found no job within the idle timeout, and those an earlier run
    /// left offline (unknown for a boot timeout); then fills what is
    /// missing.
    pub(crate) async fn reap(self: &Arc<Self>) -> Result<(), Error> {
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
    pub(crate) fn named_by_us(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(&self.settings.prefix).and_then(|r| r.strip_prefix('-')) else {
            return false;
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        rest.split_once('-').is_some_and(|(job, n)| digits(job) && digits(n))
    }

    /// Asks GitHub about every waiting job of `pools` (see
    /// [`Scaler::still_queued`]).
    pub(crate) async fn recheck(&self, pools: &HashSet<usize>) -> Result<(), Error> {
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
