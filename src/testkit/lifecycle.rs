//! What happens to the fake's workflow jobs: queued, taken by a started
//! runner whose labels match, completed, and the ephemeral runner removed,
//! as GitHub does. Each step is a [`JobChange`] the server announces as a
//! `workflow_job` delivery.

use super::state::*;
use crate::types::JobConclusion;
use chrono::{SecondsFormat, Utc};
use serde_json::{Value, json};

/// A job that changed, as the delivery announcing it needs it.
#[derive(Debug, Clone)]
pub(crate) struct JobChange {
    /// The job's repository.
    pub scope: FakeScope,
    /// `queued`, `in_progress` or `completed`.
    pub action: &'static str,
    /// The job after the change (REST shape).
    pub job: Value,
}

/// Why [`FakeGitHub::start_runner`](super::FakeGitHub::start_runner) did
/// not start a runner.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The fake never issued this JIT config.
    #[error("the fake issued no such JIT config")]
    UnknownConfig,
    /// The config's runner was deleted before its machine booted: the real
    /// runner would fail to connect.
    #[error("the runner of this JIT config was deleted")]
    RunnerDeleted,
    /// A JIT config starts one runner, once.
    #[error("the runner of this JIT config has already started")]
    AlreadyStarted,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Whether a runner of `runner` scope may take a job of repository `job`,
/// and how early GitHub looks there (repository runners first, then the
/// organization's, then the enterprise's): a repository's runners its own
/// jobs, an organization's runners the jobs of the repositories it owns, an
/// enterprise's runners any job (the fake does not model which
/// organizations an enterprise holds, nor runner group visibility). Here,
/// as on GitHub, logins compare without regard to ASCII case; the fake's
/// scopes themselves are otherwise told apart by exact name.
pub(crate) fn serves(runner: &FakeScope, job: &FakeScope) -> Option<u8> {
    let FakeScope::Repo(owner, name) = job else { return None };
    match runner {
        FakeScope::Repo(o, n) => (o.eq_ignore_ascii_case(owner) && n.eq_ignore_ascii_case(name)).then_some(0),
        FakeScope::Org(o) => o.eq_ignore_ascii_case(owner).then_some(1),
        FakeScope::Enterprise(_) => Some(2),
    }
}

/// Whether runner group `group_id` of `scope` (an organization's or an
/// enterprise's) lets repository `repo` use its runners, as GitHub's
/// group settings say: `selected` visibility admits its repositories,
/// `private` no public one, and a public one needs
/// `allows_public_repositories`. A repository's own runners serve it.
fn group_allows(d: &ScopeData, group_id: i64, scope: &FakeScope, repo: &FakeScope, public: bool) -> bool {
    if matches!(scope, FakeScope::Repo(..)) {
        return true;
    }
    let Some(group) = d.groups.get(&group_id) else { return true };
    let field = |name: &str| group.fields.get(name).cloned().unwrap_or(Value::Null);
    if public && (field("allows_public_repositories") != json!(true) || field("visibility") == json!("private")) {
        return false;
    }
    match (field("visibility").as_str(), repo) {
        (Some("selected"), FakeScope::Repo(owner, name)) if matches!(scope, FakeScope::Org(_)) => {
            group.members.contains(&super::fnv::repository_id(&format!("{owner}/{name}")))
        }
        _ => true,
    }
}

/// Whether a runner has every label the job asks for (GitHub compares
/// labels without regard to ASCII case).
fn labels_match(job: &Value, runner: &Runner) -> bool {
    job["labels"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .all(|wanted| runner.labels.iter().any(|l| l.name.eq_ignore_ascii_case(wanted)))
}

impl ScopeData {
    /// Records a JIT config the fake issued for runner `id` of this scope.
    pub fn issue_jit_config(&mut self, id: i64) -> String {
        let config = format!("ZmFrZS1qaXQtY29uZmlnLX{id:x}{:016x}", fastrand::u64(..));
        self.jit_configs.insert(config.clone(), id);
        config
    }
}

impl Data {
    /// Queues a job (see [`Data::add_job`], which panics for a scope that
    /// is not a repository) and gives it to an idle runner if one matches.
    pub fn queue_job(&mut self, scope: &FakeScope, labels: &[String]) -> ((i64, i64), Vec<JobChange>) {
        let ids = self.add_job(scope, None, None, labels);
        let mut changes = Vec::new();
        if let Some(job) = self.scopes.get(scope).and_then(|d| d.jobs.get(&ids.0)) {
            changes.push(JobChange { scope: scope.clone(), action: "queued", job: job.clone() });
        }
        // A scale set's job waits for its acquisition.
        self.offer_to_scale_set(scope, ids.0, labels);
        changes.extend(self.assign());
        (ids, changes)
    }

    /// The machine booted with `config`: its runner comes online (and is
    /// seen now) and takes a queued job whose labels it has.
    pub fn start_runner(&mut self, config: &str) -> Result<(i64, Vec<JobChange>), StartError> {
        let (d, id) = self
            .scopes
            .values_mut()
            .find_map(|d| {
                let id = d.jit_configs.get(config).copied()?;
                Some((d, id))
            })
            .ok_or(StartError::UnknownConfig)?;
        let runner = d.runners.get_mut(&id).ok_or(StartError::RunnerDeleted)?;
        if runner.started {
            return Err(StartError::AlreadyStarted);
        }
        runner.status = "online".into();
        runner.started = true;
        self.last_seen.insert(id, Utc::now());
        Ok((id, self.assign()))
    }

    /// Whether repository `repo` is public.
    pub fn is_public(&self, repo: &FakeScope) -> bool {
        match repo {
            FakeScope::Repo(owner, name) => self.public_repos.contains(&format!("{owner}/{name}").to_lowercase()),
            _ => false,
        }
    }

    /// Gives queued jobs, oldest first, to online idle runners whose scope
    /// serves them, whose labels match and whose runner group lets the
    /// repository use it (selected repositories; public repositories only
    /// where the group allows them): the repository's runners first,
    /// then the organization's, then the enterprise's, each by id.
    pub fn assign(&mut self) -> Vec<JobChange> {
        let mut changes = Vec::new();
        let held = &self.service.held;
        let mut queued: Vec<(FakeScope, i64)> = self
            .scopes
            .iter()
            .flat_map(|(scope, d)| {
                d.jobs
                    .iter()
                    .filter(|(id, j)| j["status"] == "queued" && !held.contains(id))
                    .map(move |(id, _)| (scope.clone(), *id))
            })
            .collect();
        // Oldest first across repositories: ids grow with time.
        queued.sort_by_key(|(_, id)| *id);
        for (job_scope, job_id) in queued {
            let Some(job) = self.scopes.get(&job_scope).and_then(|d| d.jobs.get(&job_id)) else { continue };
            let public = self.is_public(&job_scope);
            let taker = self
                .scopes
                .iter()
                .filter_map(|(scope, d)| {
                    let rank = serves(scope, &job_scope)?;
                    let runner = d.runners.values().find(|r| {
                        r.status == "online"
                            && !r.busy
                            && labels_match(job, r)
                            && group_allows(d, r.group_id, scope, &job_scope, public)
                    })?;
                    let group = d.groups.get(&runner.group_id).and_then(|g| g.fields.get("name")).cloned();
                    Some((rank, scope.clone(), runner.id, runner.name.clone(), runner.group_id, group))
                })
                .min_by_key(|t| t.0)
                .map(|(_, scope, id, name, group_id, group)| (scope, id, name, group_id, group));
            let Some((runner_scope, runner_id, name, group_id, group_name)) = taker else { continue };
            if let Some(r) = self.scopes.get_mut(&runner_scope).and_then(|d| d.runners.get_mut(&runner_id)) {
                r.busy = true;
            }
            self.assigned.insert(job_id, (runner_scope, runner_id));
            let Some(job) = self.scopes.get_mut(&job_scope).and_then(|d| d.jobs.get_mut(&job_id)) else { continue };
            let started = now();
            job["status"] = json!("in_progress");
            job["started_at"] = json!(started);
            job["runner_id"] = json!(runner_id);
            job["runner_name"] = json!(name);
            job["runner_group_id"] = json!(group_id);
            job["runner_group_name"] = group_name.unwrap_or_else(|| json!("Default"));
            job["steps"] = json!([{"name": "Set up job", "status": "in_progress", "conclusion": null, "number": 1,
                "started_at": started, "completed_at": null}]);
            changes.push(JobChange { scope: job_scope, action: "in_progress", job: job.clone() });
        }
        changes
    }

    /// Ends a queued or running job with `conclusion`; its runner is
    /// removed if ephemeral, otherwise freed to take the next job. `None`
    /// when there is no such job or it has ended already.
    pub fn complete_job(&mut self, job_id: i64, conclusion: &JobConclusion) -> Option<Vec<JobChange>> {
        let (scope, job) = self.scopes.iter_mut().find_map(|(s, d)| Some((s.clone(), d.jobs.get_mut(&job_id)?)))?;
        if job["status"] == "completed" {
            return None;
        }
        let ended = now();
        job["status"] = json!("completed");
        job["conclusion"] = json!(conclusion.as_str());
        job["completed_at"] = json!(ended);
        for step in job["steps"].as_array_mut().into_iter().flatten() {
            step["status"] = json!("completed");
            step["conclusion"] = json!(conclusion.as_str());
            step["completed_at"] = json!(ended);
        }
        let mut changes = vec![JobChange { scope, action: "completed", job: job.clone() }];
        if let Some((runner_scope, runner_id)) = self.assigned.remove(&job_id)
            && let Some(d) = self.scopes.get_mut(&runner_scope)
        {
            if d.runners.get(&runner_id).is_some_and(|r| r.ephemeral) {
                d.runners.remove(&runner_id);
            } else if let Some(r) = d.runners.get_mut(&runner_id) {
                r.busy = false;
            }
            changes.extend(self.assign());
        }
        Some(changes)
    }
}
