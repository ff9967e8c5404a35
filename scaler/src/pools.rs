//! Pools and demand: runners of one kind (group and labels), which jobs
//! they serve, and how many runners a pool should make now.

use crate::store::{Pending, Waiting};
use gha_runners::types::JobId;
use std::collections::HashSet;
use std::str::FromStr;
use std::time::Duration;

/// Runners made for one job that failed (the launch failed, the machine
/// never came up, or it came up and did not take the job) before the
/// scaler gives up on the job for a day: the launch budget of a job.
pub(crate) const LAUNCH_BUDGET: u32 = 3;

/// How long a job waits before its next runner after `attempts` failed
/// ones: 2 s, 4 s, 8 s... at most 256 s.
pub(crate) fn job_backoff(attempts: u32) -> Duration {
    Duration::from_secs(1u64 << attempts.clamp(1, 8)).min(Duration::from_secs(300))
}

/// Runners of one kind: the group they register in, their labels, and
/// how many the scaler keeps.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pool {
    pub(crate) group: String,
    pub(crate) labels: Vec<String>,
    /// At most this many runners alive (pending or running); jobs beyond it
    /// wait. `None`: no cap.
    pub(crate) max_runners: Option<usize>,
    /// Runners kept idle beyond the jobs waiting (a warm pool).
    pub(crate) min_idle: usize,
}

impl FromStr for Pool {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let (group, labels) = s.split_once('=').ok_or("expected GROUP=label,label")?;
        Pool::new(group, labels.split(','))
    }
}

impl Pool {
    /// A pool of runner group `group` with `labels` (blank ones dropped),
    /// no cap and no warm runners.
    pub(crate) fn new<'a>(group: &str, labels: impl IntoIterator<Item = &'a str>) -> Result<Self, String> {
        let labels: Vec<String> =
            labels.into_iter().map(str::trim).filter(|l| !l.is_empty()).map(String::from).collect();
        if group.trim().is_empty() || labels.is_empty() {
            return Err("a pool needs a group name and at least one label".into());
        }
        Ok(Pool { group: group.trim().to_string(), labels, max_runners: None, min_idle: 0 })
    }

    /// The pool's name in a shared store: its group and labels, in lower
    /// case and sorted, so that replicas listing them in another order (or
    /// another pool order) agree. A record of a pool a replica does not
    /// have is left to the replicas that do.
    pub(crate) fn key(&self) -> String {
        let mut labels: Vec<String> = self.labels.iter().map(|l| l.to_ascii_lowercase()).collect();
        labels.sort();
        labels.dedup();
        format!("{}={}", self.group.to_ascii_lowercase(), labels.join(","))
    }

    /// Whether this pool's runners have every label the job asks for
    /// (GitHub compares labels without regard to ASCII case).
    pub(crate) fn serves(&self, job_labels: &[String]) -> bool {
        !job_labels.is_empty() && job_labels.iter().all(|l| self.labels.iter().any(|p| p.eq_ignore_ascii_case(l)))
    }
}

/// What one pool should do now.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Plan {
    /// Jobs to make a runner for, oldest first.
    pub(crate) jobs: Vec<(JobId, Waiting)>,
    /// Warm runners to make.
    pub(crate) warm: usize,
    /// Jobs that need a runner but wait for the cap.
    pub(crate) over_cap: usize,
    /// Runners pending that no waiting job needs (idle, or warm).
    pub(crate) spare: usize,
}

/// The plan for `pool` from its `waiting` jobs (oldest first), its
/// `pending` runners and how many of its runners are `running`.
///
/// Each pending runner (not failed) covers the job it was made for while
/// that job waits; the others (their job taken by another runner, or warm
/// ones) cover the oldest waiting jobs left, since GitHub gives a job to
/// any idle runner whose labels cover it. Each job left gets a runner,
/// unless it is backing off after a failed runner; then warm runners up
/// to `min_idle` spare ones. Nothing beyond `max_runners` alive (pending,
/// failed ones until reaped, and running).
///
/// A runner covers its own job first because the oldest waiting jobs are
/// the likeliest to be stale (a late `queued` for a job long done, whose
/// other deliveries were lost): covered by another job's runner, a stale
/// job would leave that job uncovered, and it would get a second runner.
/// Uncovered, the stale job is asked about before any runner is made.
pub(crate) fn plan(
    pool: &Pool,
    waiting: &[(JobId, Waiting)],
    pending: &[&Pending],
    running: usize,
    now_ms: u64,
) -> Plan {
    let free = pending.iter().filter(|p| !p.failed).count();
    let mut covered: HashSet<JobId> = HashSet::new();
    let mut unbound = 0;
    for p in pending.iter().filter(|p| !p.failed) {
        match p.job {
            Some(job) if waiting.iter().any(|(id, _)| *id == job) && covered.insert(job) => {}
            _ => unbound += 1,
        }
    }
    let uncovered: Vec<&(JobId, Waiting)> =
        waiting.iter().filter(|(id, _)| !covered.contains(id)).skip(unbound).collect();
    let ready: Vec<(JobId, Waiting)> =
        uncovered.iter().filter(|(_, w)| w.retry_ms <= now_ms).map(|j| (*j).clone()).collect();
    let spare = free.saturating_sub(waiting.len());
    let alive = pending.len() + running;
    let mut room = pool.max_runners.map_or(usize::MAX, |max| max.saturating_sub(alive));
    let take = ready.len().min(room);
    room -= take;
    let over_cap = ready.len() - take;
    let warm = pool.min_idle.saturating_sub(spare).min(room);
    Plan { jobs: ready.into_iter().take(take).collect(), warm, over_cap, spare }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn waiting(n: i64, retry_ms: u64) -> Vec<(JobId, Waiting)> {
        (1..=n)
            .map(|id| {
                let w = Waiting {
                    repo: "o/r".into(),
                    pool: 0,
                    queued_ms: 0,
                    attempts: 0,
                    retry_ms,
                    repo_id: None,
                    public: None,
                };
                (JobId::from(id), w)
            })
            .collect()
    }

    fn pending(failed: bool) -> Pending {
        Pending { name: "r".into(), pool: 0, job: None, created_ms: 0, launched_ms: None, failed, online_ms: None }
    }

    fn pool(max: Option<usize>, min_idle: usize) -> Pool {
        Pool { max_runners: max, min_idle, ..Pool::from_str("g=a").unwrap() }
    }

    #[test]
    fn pending_runners_cover_the_oldest_jobs() {
        let (a, b) = (pending(false), pending(true));
        let p = plan(&pool(None, 0), &waiting(4, 0), &[&a, &b], 0, 10);
        assert_eq!(p.jobs.iter().map(|(id, _)| id.get()).collect::<Vec<_>>(), vec![2, 3, 4]);
        assert_eq!((p.warm, p.over_cap, p.spare), (0, 0, 0));
    }

    /// A runner covers the job it was made for first: a stale older job is
    /// left uncovered (to be asked about), not the runner's own.
    #[test]
    fn a_runner_covers_its_own_job_before_the_oldest() {
        let made_for = |job: i64| Pending { job: Some(JobId::from(job)), ..pending(false) };
        let (own, gone, twice) = (made_for(3), made_for(99), made_for(3));
        let p = plan(&pool(None, 0), &waiting(4, 0), &[&own], 0, 10);
        assert_eq!(p.jobs.iter().map(|(id, _)| id.get()).collect::<Vec<_>>(), vec![1, 2, 4]);
        // A runner whose job is gone, or a second one for a job, covers
        // the oldest job left.
        let p = plan(&pool(None, 0), &waiting(4, 0), &[&own, &gone, &twice], 0, 10);
        assert_eq!(p.jobs.iter().map(|(id, _)| id.get()).collect::<Vec<_>>(), vec![4]);
        assert_eq!(p.spare, 0);
    }

    #[test]
    fn the_cap_counts_pending_failed_and_running_runners() {
        let (a, b) = (pending(false), pending(true));
        let p = plan(&pool(Some(5), 2), &waiting(10, 0), &[&a, &b], 1, 10);
        assert_eq!(p.jobs.len(), 2);
        assert_eq!((p.warm, p.over_cap), (0, 7));
        let p = plan(&pool(Some(2), 0), &waiting(10, 0), &[&a, &b], 1, 10);
        assert_eq!((p.jobs.len(), p.over_cap), (0, 9));
    }

    #[test]
    fn jobs_backing_off_wait_and_warm_runners_fill_to_min_idle() {
        let p = plan(&pool(None, 0), &waiting(3, 100), &[], 0, 10);
        assert!(p.jobs.is_empty());
        let a = pending(false);
        let p = plan(&pool(Some(4), 3), &[], &[&a], 0, 10);
        assert_eq!((p.warm, p.spare), (2, 1));
        let p = plan(&pool(Some(2), 3), &[], &[&a], 0, 10);
        assert_eq!(p.warm, 1);
    }

    #[test]
    fn backoff_doubles_up_to_five_minutes() {
        assert_eq!(job_backoff(1), Duration::from_secs(2));
        assert_eq!(job_backoff(3), Duration::from_secs(8));
        assert_eq!(job_backoff(30), Duration::from_secs(256));
    }
}
