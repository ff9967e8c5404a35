//! The scaling loop: deliveries in, runners out.

use crate::config::Settings;
use crate::launch::Launcher;
use crate::state::{Pending, State, Waiting};
use axum::http::{HeaderMap, StatusCode};
use gha_runners::types::{JitConfigRequest, JobId, JobStatus, RunnerGroupId};
use gha_runners::webhook::{self, DeliveryError, Event, WorkflowJobAction, WorkflowJobEvent};
use gha_runners::{Client, Error, Secret};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

pub(crate) struct Scaler<L> {
    pub(crate) github: Client,
    pub(crate) settings: Settings,
    pub(crate) launcher: Arc<L>,
    pub(crate) secret: Secret,
    /// What catch-up redelivers and reconciles.
    pub(crate) catch_up: crate::catch_up::CatchUp,
    pub(crate) state: Mutex<State>,
    /// One reconciliation or reaper pass at a time: two would both fill a
    /// gap, and a reaper listing runners while one is being created would
    /// take the new runner for a leftover.
    pub(crate) reconciling: tokio::sync::Mutex<()>,
    /// A reconciliation is asked for and has not started yet: deliveries
    /// arriving meanwhile ask for no other.
    pub(crate) asked: AtomicBool,
}

impl<L: Launcher> Scaler<L> {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answers one delivery: 401 for a bad signature, 400 for a body that is
    /// not a delivery, 202 otherwise (the work happens after the answer:
    /// GitHub waits 10 seconds at most).
    pub(crate) fn on_delivery(self: &Arc<Self>, headers: &HeaderMap, body: &[u8]) -> StatusCode {
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
        // Repeats are told apart by content, not by `X-GitHub-Delivery`:
        // GitHub redelivers with the same GUID, and a redelivery is how a
        // job the scaler let go (forgotten, or given up on) comes back.
        // The job's state decides: a `queued` for a job waiting or started
        // is a repeat, a `completed` for an ended one too.
        if let Event::WorkflowJob(job) = delivery.event {
            self.on_job(*job);
        }
        StatusCode::ACCEPTED
    }

    pub(crate) fn on_job(self: &Arc<Self>, job: WorkflowJobEvent) {
        // The organization's runners serve only its own repositories' jobs.
        if !job.owner.eq_ignore_ascii_case(&self.settings.org) {
            return;
        }
        let Some(pool) = self.settings.pools.iter().position(|p| p.serves(&job.labels)) else { return };
        if job.action == WorkflowJobAction::Queued {
            self.enqueue(job.job_id, &job.repository, pool, &job.labels);
            return;
        }
        let mut s = self.state();
        match job.action {
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

    /// Job `job` of `repo` waits for a runner of `pool`, unless the scaler
    /// knows it already (waiting, started or ended): a repeated `queued`
    /// does nothing. True when it is news.
    pub(crate) fn enqueue(self: &Arc<Self>, job: JobId, repo: &str, pool: usize, labels: &[String]) -> bool {
        let mut s = self.state();
        if s.started.contains(&job) || s.waiting.contains_key(&job) {
            return false;
        }
        s.queued += 1;
        s.waiting.insert(job, Waiting { repo: repo.to_string(), pool, idle_runners: 0 });
        drop(s);
        eprintln!("job {job} queued in {repo:?} for {labels:?}");
        self.ask_reconcile();
        true
    }

    /// Runs a reconciliation soon, unless one is already waiting to start.
    pub(crate) fn ask_reconcile(self: &Arc<Self>) {
        if !self.asked.swap(true, Ordering::SeqCst) {
            let scaler = self.clone();
            tokio::spawn(async move { scaler.reconcile().await });
        }
    }

    /// Creates runners where jobs of a pool outnumber its runners that are
    /// not running yet.
    pub(crate) async fn reconcile(self: &Arc<Self>) {
        let _one = self.reconciling.lock().await;
        self.asked.store(false, Ordering::SeqCst);
        self.fill().await;
    }

    /// [`Scaler::reconcile`], for a caller that holds the lock: the runners
    /// not running yet cover the oldest waiting jobs of their pool, and the
    /// other jobs each get one, after a check that they are still queued.
    /// The pass stops at the first failure (GitHub down, a launch quota):
    /// the next pass, at the next delivery or reaper tick, tries again.
    pub(crate) async fn fill(self: &Arc<Self>) {
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
    pub(crate) async fn still_queued(&self, job: JobId, repo: &str) -> Result<bool, Error> {
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
    pub(crate) async fn make_runner(self: &Arc<Self>, job: JobId, repo: &str, pool: usize) -> Result<(), String> {
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
            if let Some(first) = &mut s.first_runner {
                first.entry(job).or_insert_with(Instant::now);
            }
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

    pub(crate) async fn group_id(&self, name: &str) -> Result<RunnerGroupId, String> {
        if let Some(id) = self.state().group_ids.get(name) {
            return Ok(*id);
        }
        let group = self.github.org(&self.settings.org).runner_groups().find(name).await.map_err(|e| e.to_string())?;
        let id = group.map(|g| g.id).ok_or_else(|| format!("no runner group named {name:?}"))?;
        self.state().group_ids.insert(name.to_string(), id);
        Ok(id)
    }
}
