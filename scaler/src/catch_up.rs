//! Catch-up: what the webhook did not bring. GitHub does not retry a
//! failed delivery, and a delivery it thinks arrived may not have.
//!
//! At start and every `--reconcile-every`:
//! 1. **redelivery**: the hook's deliveries since the last check none of
//!    whose attempts succeeded are redelivered (GitHub's guide); they come
//!    back through `/webhook` with their GUID, and the job's state tells a
//!    repeat;
//! 2. **reconciliation**: the queued jobs of the repositories served
//!    (`--repo`, else every repository of the installation), found through
//!    their queued and in-progress runs, are compared with what the scaler
//!    knows; a job it does not know, queued longer ago than
//!    `--reconcile-grace`, is enqueued as if its delivery came.

use crate::launch::Launcher;
use crate::scaler::Scaler;
use crate::store::Counter;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use gha_runners::Error;
use gha_runners::types::{JobStatus, RunStatus};
use std::sync::Arc;
use std::time::Duration;

impl<L: Launcher> Scaler<L> {
    /// Catch-up passes, now and every `every`, forever: one replica at a
    /// time (the store's `catch-up` lease); the others skip their turn.
    pub(crate) async fn catch_up_every(self: Arc<Self>, every: Duration) {
        let every = every.max(Duration::from_millis(100));
        let lookback = chrono::Duration::from_std(self.catch_up.lookback).unwrap_or(chrono::Duration::hours(1));
        let mut since = Utc::now() - lookback;
        let mut first = true;
        // The lease is kept between passes: one replica catches up, with
        // its own `since`, until it dies; another then takes over.
        let mut held: Option<crate::scaler::Held> = None;
        loop {
            // Its renewer keeps the lease; once it may be lost, another
            // replica may catch up: this one takes it again, or waits.
            if held.as_ref().is_some_and(|h| h.lost()) {
                held = None;
            }
            if held.is_none() {
                match self.hold("catch-up").await {
                    Ok(h) => held = h,
                    Err(e) => eprintln!("catch-up: {e}"),
                }
            }
            if held.is_some() {
                let started = Utc::now();
                match self.redeliver_failed(since).await {
                    // What could not be redelivered is tried again next
                    // pass, within the lookback: one delivery GitHub will
                    // never redeliver holds the cursor back no further.
                    Ok(oldest_left) => {
                        since = oldest_left.map_or(started, |t| t.min(started)).max(Utc::now() - lookback)
                    }
                    Err(e) => {
                        eprintln!("catch-up: cannot list deliveries: {e}");
                        since = since.max(Utc::now() - lookback);
                    }
                }
                if let Err(e) = self.reconcile_queued().await {
                    eprintln!("catch-up: cannot reconcile: {e}");
                }
            }
            if first {
                eprintln!("catch-up: first pass done");
                first = false;
            }
            tokio::time::sleep(every).await;
        }
    }

    /// Redelivers the hook's deliveries since `since` that never succeeded;
    /// one that cannot be redelivered stops no other. Gives the time of the
    /// oldest it could not redeliver, if any.
    async fn redeliver_failed(&self, since: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, String> {
        let Some(hook) = self.catch_up.hook_id else { return Ok(None) };
        let mut oldest_left: Option<DateTime<Utc>> = None;
        let deliveries = self.github.org(&self.settings.org).hook(hook).deliveries();
        let grace = self.catch_up.grace;
        for failed in deliveries.failed_since(since).await.map_err(|e| e.to_string())? {
            let now = std::time::Instant::now();
            {
                // A redelivery still on its way is not asked for again.
                let mut s = self.local();
                s.redelivering.retain(|_, at| now.duration_since(*at) < grace);
                if s.redelivering.contains_key(&failed.guid) {
                    // It may fail again: the cursor stays before it.
                    oldest_left = Some(oldest_left.map_or(failed.delivered_at, |t| t.min(failed.delivered_at)));
                    continue;
                }
                s.redelivering.insert(failed.guid.clone(), now);
            }
            if let Err(e) = deliveries.redeliver(failed.id).await {
                eprintln!("catch-up: cannot redeliver {}: {e}", failed.guid);
                self.local().redelivering.remove(&failed.guid);
                oldest_left = Some(oldest_left.map_or(failed.delivered_at, |t| t.min(failed.delivered_at)));
                if matches!(e, Error::RateLimited { .. }) {
                    break; // the rest waits for the next pass
                }
                continue;
            }
            if let Err(e) = self.store.incr(Counter::Redelivered, 1).await {
                eprintln!("catch-up: redelivery of {} not counted: {e}", failed.guid);
            }
            crate::metrics::redelivered();
            eprintln!("catch-up: redelivered {} ({:?})", failed.guid, failed.action.as_deref().unwrap_or("?"));
        }
        Ok(oldest_left)
    }

    /// Enqueues the queued jobs of the served repositories the scaler does
    /// not know.
    async fn reconcile_queued(self: &Arc<Self>) -> Result<(), String> {
        let api = |e: Error| e.to_string();
        let grace = chrono::Duration::from_std(self.catch_up.grace).unwrap_or(chrono::Duration::seconds(10));
        let repos: Vec<(String, Option<(i64, bool)>)> = if self.catch_up.repos.is_empty() {
            let all: Vec<_> = self.github.installation().repositories().try_collect().await.map_err(api)?;
            all.into_iter().map(|r| (r.full_name, Some((r.id, !r.private)))).collect()
        } else {
            self.catch_up.repos.iter().map(|r| (r.clone(), None)).collect()
        };
        for (full, info) in repos {
            let Some((owner, name)) = full.split_once('/') else { continue };
            if !owner.eq_ignore_ascii_case(&self.settings.org) {
                continue;
            }
            let repo = self.github.repo(owner, name);
            for status in [RunStatus::Queued, RunStatus::InProgress] {
                // One repository or run that cannot be read stops no other.
                let runs: Vec<_> = match repo.workflow_runs().list(Some(status)).try_collect().await {
                    Ok(runs) => runs,
                    Err(e) => {
                        eprintln!("catch-up: {full}: cannot list its {status:?} runs: {e}");
                        continue;
                    }
                };
                for run in runs {
                    let jobs: Vec<_> = match repo.jobs().list(run.id, Default::default()).try_collect().await {
                        Ok(jobs) => jobs,
                        Err(e) => {
                            eprintln!("catch-up: {full}: cannot list run {}'s jobs: {e}", run.id);
                            continue;
                        }
                    };
                    // A job queued within the grace may still be announced.
                    let settled = |j: &gha_runners::types::Job| Utc::now() - j.created_at > grace;
                    for job in jobs.into_iter().filter(|j| j.status == JobStatus::Queued && settled(j)) {
                        let Some(pool) = self.settings.pools.iter().position(|p| p.serves(&job.labels)) else {
                            continue;
                        };
                        let store = |e: crate::store::StoreError| e.to_string();
                        if self.enqueue(job.id, &full, info, pool, &job.labels).await.map_err(store)? {
                            if let Err(e) = self.store.incr(Counter::Reconciled, 1).await {
                                eprintln!("catch-up: job {} not counted: {e}", job.id);
                            }
                            crate::metrics::reconciled();
                            eprintln!("catch-up: job {} was queued and unknown here", job.id);
                        }
                    }
                }
            }
        }
        Ok(())
    }
}
