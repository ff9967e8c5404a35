//! The fake Actions service: runner registration's other half, scale
//! sets, sessions and their message queue, over the fake GitHub's own
//! runners and jobs (`spec/scaleset/openapi.json` is what it answers).
//!
//! How jobs flow here, as on GitHub:
//! - a job queued with a single label naming a scale set of a scope that
//!   serves its repository is the scale set's: no runner takes it until
//!   it is acquired; its queue gets `JobAvailable`;
//! - `acquirejobs` (up to the max capacity the last poll declared) gets
//!   `JobAssigned`, and the job may go to an idle runner of the scale set;
//! - a runner of the scale set (from its JIT config, booted with
//!   `start_runner`) takes it: `JobStarted`; it ends: `JobCompleted`;
//! - a job acquired that no runner took within the requeue time is
//!   canceled (`JobCompleted`, `canceled`) and offered again, up to 3
//!   times; then it ends canceled.
//!
//! A message stays in the scale set's queue until acknowledged, whatever
//! session reads it; statistics are those at delivery.

use super::state::{Data, FakeScope, Label, Runner, runner_json};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

/// The most job messages one message holds.
pub(crate) const MAX_JOB_MESSAGES: usize = 50;

/// Times a job no runner took is offered again before it ends canceled.
pub(crate) const MAX_REQUEUES: u32 = 3;

/// Where a scale set's job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobState {
    Available,
    Acquired,
    Running,
}

#[derive(Debug, Clone)]
pub(crate) struct ScaleJob {
    pub repo: FakeScope,
    pub state: JobState,
    pub requeues: u32,
    /// Bumped at each acquisition, so a requeue timer knows its round.
    pub round: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct ScaleSet {
    pub id: i64,
    pub tenant: String,
    pub name: String,
    pub group_id: i64,
    pub group_name: String,
    pub labels: Value,
    pub runner_setting: Value,
    pub created_on: String,
    /// Messages not acknowledged, by id.
    pub queue: BTreeMap<i64, Vec<Value>>,
    /// Messages delivered at least once (no job message joins them).
    pub delivered: BTreeSet<i64>,
    /// The open session, if any.
    pub session: Option<String>,
    /// Its jobs that have not ended, by id (also the runner request id).
    pub jobs: BTreeMap<i64, ScaleJob>,
    /// The max capacity the last poll declared.
    pub max_capacity: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Session {
    pub scale_set_id: i64,
    pub owner: String,
    pub queue_token: String,
    /// When its holder last polled, acknowledged, acquired or refreshed.
    pub last_seen: std::time::Instant,
}

/// The service's data, kept in the fake's [`Data`].
#[derive(Debug, Default)]
pub(crate) struct Service {
    /// Tenants (a registration's service URL path) and their scope.
    pub tenants: BTreeMap<String, FakeScope>,
    /// Admin tokens: tenant and expiry.
    pub admin_tokens: BTreeMap<String, (String, DateTime<Utc>)>,
    /// Queue tokens: session id.
    pub queue_tokens: BTreeMap<String, String>,
    pub scale_sets: BTreeMap<i64, ScaleSet>,
    pub sessions: BTreeMap<String, Session>,
    /// Runners a scale set's JIT config registered: their scale set.
    pub runners: BTreeMap<i64, i64>,
    /// Jobs held for their scale set until acquired.
    pub held: BTreeSet<i64>,
    next_message: i64,
    next_token: u64,
    /// Registrations made.
    pub registrations: u64,
    /// Runners scale-set JIT configs registered.
    pub jit_runners: u64,
    /// When each was registered.
    pub jit_times: Vec<std::time::Instant>,
    /// Credentials sent where they do not belong (descriptions).
    pub violations: Vec<String>,
    /// Every admin and queue token ever issued (expired, refreshed away or
    /// not), to catch one sent to GitHub.
    pub ever_issued: BTreeSet<String>,
}

fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true)
}

impl Service {
    fn token(&mut self, kind: &str) -> String {
        self.next_token += 1;
        format!("{kind}-{:016x}{:08x}", fastrand::u64(..), self.next_token)
    }

    /// A new admin token (a JWT-shaped token whose `exp` is `ttl` ahead)
    /// for `tenant`.
    pub fn issue_admin(&mut self, tenant: &str, ttl: Duration) -> String {
        use base64::Engine as _;
        let exp = Utc::now() + chrono::Duration::from_std(ttl).unwrap_or_default();
        let b64 = |v: &Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
        let nonce = self.token("admin");
        let token = format!(
            "{}.{}.{}",
            b64(&json!({"alg": "none", "typ": "JWT"})),
            b64(&json!({"exp": exp.timestamp(), "tenant": tenant, "nonce": nonce})),
            "fake-signature"
        );
        self.admin_tokens.insert(token.clone(), (tenant.to_string(), exp));
        self.ever_issued.insert(token.clone());
        self.registrations += 1;
        token
    }

    /// Expires every admin and queue token at once (a fault).
    pub fn expire_tokens(&mut self) {
        let past = Utc::now() - chrono::Duration::seconds(1);
        for (_, exp) in self.admin_tokens.values_mut() {
            *exp = past;
        }
        self.queue_tokens.clear();
    }

    /// Queues job messages: into the newest message while it has not been
    /// delivered and holds fewer than [`MAX_JOB_MESSAGES`], else into a
    /// new one (as the service batches them).
    fn push(&mut self, set_id: i64, messages: Vec<Value>) {
        if messages.is_empty() {
            return;
        }
        let Some(set) = self.scale_sets.get_mut(&set_id) else { return };
        if let Some((id, open)) = set.queue.iter_mut().next_back()
            && !set.delivered.contains(id)
            && open.len() + messages.len() <= MAX_JOB_MESSAGES
        {
            open.extend(messages);
            return;
        }
        self.next_message += 1;
        set.queue.insert(self.next_message, messages);
    }

    /// The scale set a job with `labels` in `repo` goes to: a single label
    /// naming a scale set (ASCII case aside) whose scope serves the repo.
    pub fn route(&self, repo: &FakeScope, labels: &[String]) -> Option<i64> {
        let [label] = labels else { return None };
        self.scale_sets
            .values()
            .filter(|s| s.name.eq_ignore_ascii_case(label))
            .filter_map(|s| Some((super::lifecycle::serves(self.tenants.get(&s.tenant)?, repo)?, s.id)))
            .min()
            .map(|(_, id)| id)
    }

    /// The scale set's counters now.
    pub fn statistics(&self, data: &Data, set_id: i64) -> Value {
        let Some(set) = self.scale_sets.get(&set_id) else { return json!({}) };
        let count = |st: JobState| set.jobs.values().filter(|j| j.state == st).count();
        let runners: Vec<&Runner> = self
            .runners
            .iter()
            .filter(|(_, s)| **s == set_id)
            .filter_map(|(id, _)| data.scopes.values().find_map(|d| d.runners.get(id)))
            .collect();
        let busy = runners.iter().filter(|r| r.busy).count();
        json!({
            "totalAvailableJobs": count(JobState::Available),
            "totalAcquiredJobs": count(JobState::Acquired),
            "totalAssignedJobs": count(JobState::Acquired) + count(JobState::Running),
            "totalRunningJobs": count(JobState::Running),
            "totalRegisteredRunners": runners.len(),
            "totalBusyRunners": busy,
            "totalIdleRunners": runners.len() - busy,
        })
    }
}

/// A job message of `job` (REST shape) of scale set `set`.
fn job_message(kind: &str, job_id: i64, job: &Value, set: &ScaleSet, extra: Value) -> Value {
    let repo = job["repository"]
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| job["html_url"].as_str().and_then(|u| u.split('/').nth(4)).unwrap_or_default().to_string());
    let mut m = json!({
        "messageType": kind,
        "runnerRequestId": job_id,
        "jobId": job_id.to_string(),
        "repositoryName": repo,
        "ownerName": job["owner"].as_str().unwrap_or_default(),
        "jobWorkflowRef": job["workflow_name"].as_str().unwrap_or_default(),
        "jobDisplayName": job["name"].as_str().unwrap_or_default(),
        "workflowRunId": job["run_id"],
        "eventName": "push",
        "requestLabels": [set.name],
        "queueTime": job["created_at"],
    });
    if let (Some(m), Some(extra)) = (m.as_object_mut(), extra.as_object()) {
        m.extend(extra.clone());
    }
    m
}

impl Data {
    /// The job in `repo` with `id`.
    fn job(&self, repo: &FakeScope, id: i64) -> Option<&Value> {
        self.scopes.get(repo).and_then(|d| d.jobs.get(&id))
    }

    /// A job just queued: if it is a scale set's, holds it there and
    /// offers it (`JobAvailable`).
    pub fn offer_to_scale_set(&mut self, repo: &FakeScope, job_id: i64, labels: &[String]) {
        let Some(set_id) = self.service.route(repo, labels) else { return };
        let mut job = self.job(repo, job_id).cloned().unwrap_or(Value::Null);
        if let FakeScope::Repo(owner, name) = repo {
            job["owner"] = json!(owner);
            job["repository"] = json!(name);
        }
        let Some(set) = self.service.scale_sets.get_mut(&set_id) else { return };
        set.jobs.insert(job_id, ScaleJob { repo: repo.clone(), state: JobState::Available, requeues: 0, round: 0 });
        let url = format!("/_apis/runtime/runnerscalesets/{set_id}/acquirejobs");
        let message = job_message("JobAvailable", job_id, &job, set, json!({"acquireJobUrl": url}));
        self.service.held.insert(job_id);
        self.service.push(set_id, vec![message]);
    }

    /// Acquires `ids` for scale set `set_id`, up to its max capacity;
    /// returns those acquired (and queues `JobAssigned`).
    pub fn acquire(&mut self, set_id: i64, ids: &[i64]) -> Vec<i64> {
        let Some(set) = self.service.scale_sets.get_mut(&set_id) else { return Vec::new() };
        let assigned = set.jobs.values().filter(|j| j.state != JobState::Available).count() as i64;
        let mut room = (set.max_capacity - assigned).max(0);
        let mut acquired = Vec::new();
        for id in ids {
            let Some(job) = set.jobs.get_mut(id) else { continue };
            if job.state != JobState::Available || room == 0 {
                continue;
            }
            job.state = JobState::Acquired;
            job.round += 1;
            room -= 1;
            acquired.push(*id);
        }
        let mut messages = Vec::new();
        for id in &acquired {
            self.service.held.remove(id);
            let repo = self.service.scale_sets[&set_id].jobs[id].repo.clone();
            let mut job = self.job(&repo, *id).cloned().unwrap_or(Value::Null);
            if let FakeScope::Repo(owner, name) = &repo {
                job["owner"] = json!(owner);
                job["repository"] = json!(name);
            }
            let set = &self.service.scale_sets[&set_id];
            messages.push(job_message("JobAssigned", *id, &job, set, json!({"scaleSetAssignTime": now()})));
        }
        self.service.push(set_id, messages);
        acquired
    }

    /// Follows the fake's job changes into the scale sets' queues.
    pub fn observe_scale_sets(&mut self, change: &super::lifecycle::JobChange) {
        let Some(job_id) = change.job["id"].as_i64() else { return };
        let Some(set_id) = self.service.scale_sets.values().find(|s| s.jobs.contains_key(&job_id)).map(|s| s.id) else {
            return;
        };
        let mut job = change.job.clone();
        if let FakeScope::Repo(owner, name) = &change.scope {
            job["owner"] = json!(owner);
            job["repository"] = json!(name);
        }
        let mut reoffer = Vec::new();
        let runner = json!({"runnerId": job["runner_id"].as_i64().unwrap_or(0),
            "runnerName": job["runner_name"].as_str().unwrap_or_default()});
        let Some(set) = self.service.scale_sets.get_mut(&set_id) else { return };
        let message = match change.action {
            "in_progress" => {
                if let Some(j) = set.jobs.get_mut(&job_id) {
                    j.state = JobState::Running;
                }
                let mut extra = runner;
                extra["runnerAssignTime"] = json!(now());
                job_message("JobStarted", job_id, &job, set, extra)
            }
            "completed" => {
                set.jobs.remove(&job_id);
                // A place under the max capacity came free: the oldest job
                // still waiting for the scale set is offered again.
                let waiting =
                    set.jobs.iter().find(|(_, j)| j.state == JobState::Available).map(|(id, j)| (*id, j.repo.clone()));
                if let Some((next, repo)) = waiting {
                    reoffer.push((next, repo));
                }
                let result = match job["conclusion"].as_str() {
                    Some("success") => "succeeded",
                    Some("failure") => "failed",
                    Some("cancelled") => "canceled",
                    Some(other) => other,
                    None => "canceled",
                };
                let mut extra = runner;
                extra["result"] = json!(result);
                extra["finishTime"] = json!(now());
                job_message("JobCompleted", job_id, &job, set, extra)
            }
            _ => return,
        };
        self.service.held.remove(&job_id);
        let mut messages = vec![message];
        for (next, repo) in reoffer {
            let mut rest = self.job(&repo, next).cloned().unwrap_or(Value::Null);
            if let FakeScope::Repo(owner, name) = &repo {
                rest["owner"] = json!(owner);
                rest["repository"] = json!(name);
            }
            let url = format!("/_apis/runtime/runnerscalesets/{set_id}/acquirejobs");
            if let Some(set) = self.service.scale_sets.get(&set_id) {
                messages.push(job_message("JobAvailable", next, &rest, set, json!({"acquireJobUrl": url})));
            }
        }
        self.service.push(set_id, messages);
    }

    /// The requeue timer of `job_id`'s acquisition `round` ran out: if no
    /// runner took it, it is canceled and offered again, or after
    /// [`MAX_REQUEUES`] ends canceled. Returns whether the job should end.
    pub fn requeue(&mut self, set_id: i64, job_id: i64, round: u32) -> bool {
        let Some(set) = self.service.scale_sets.get_mut(&set_id) else { return false };
        let Some(job) = set.jobs.get_mut(&job_id) else { return false };
        if job.state != JobState::Acquired || job.round != round {
            return false;
        }
        if job.requeues >= MAX_REQUEUES {
            // Ends canceled: complete_job announces it.
            self.service.held.remove(&job_id);
            return true;
        }
        job.requeues += 1;
        job.state = JobState::Available;
        let repo = job.repo.clone();
        let mut rest = self.job(&repo, job_id).cloned().unwrap_or(Value::Null);
        if let FakeScope::Repo(owner, name) = &repo {
            rest["owner"] = json!(owner);
            rest["repository"] = json!(name);
        }
        self.service.held.insert(job_id);
        let set = &self.service.scale_sets[&set_id];
        let canceled = job_message(
            "JobCompleted",
            job_id,
            &rest,
            set,
            json!({"result": "canceled", "finishTime": now(), "runnerId": 0, "runnerName": ""}),
        );
        let url = format!("/_apis/runtime/runnerscalesets/{set_id}/acquirejobs");
        let again = job_message("JobAvailable", job_id, &rest, set, json!({"acquireJobUrl": url}));
        self.service.push(set_id, vec![canceled, again]);
        false
    }

    /// A JIT config for a runner of scale set `set_id` named `name`.
    pub fn scale_set_jit(&mut self, set_id: i64, name: &str) -> Result<Value, (u16, &'static str, String)> {
        let set = self.service.scale_sets.get(&set_id).ok_or((
            404,
            "RunnerScaleSetNotFoundException",
            format!("scale set {set_id} not found"),
        ))?;
        let scope =
            self.service.tenants.get(&set.tenant).cloned().ok_or((404, "TenantNotFound", "no tenant".to_string()))?;
        let (label, group_id) = (set.name.clone(), set.group_id);
        let id = self.next_id();
        let d = self.scopes.get_mut(&scope).ok_or((404, "TenantNotFound", "no scope".to_string()))?;
        if d.runners.values().any(|r| r.name == name) {
            return Err((409, "AgentExistsException", format!("a runner named {name} already exists")));
        }
        let labels = vec![
            Label { id: id * 1000, name: "self-hosted".into(), custom: false },
            Label { id: id * 1000 + 1, name: label, custom: true },
        ];
        let runner = Runner {
            id,
            name: name.to_string(),
            os: "linux".into(),
            status: "offline".into(),
            busy: false,
            labels,
            group_id,
            ephemeral: true,
            started: false,
        };
        let rest = runner_json(&runner);
        d.insert_runner(runner);
        let config = d.issue_jit_config(id);
        self.service.runners.insert(id, set_id);
        self.service.jit_runners += 1;
        self.service.jit_times.push(std::time::Instant::now());
        Ok(json!({"runner": {"id": id, "name": rest["name"], "runnerScaleSetId": set_id}, "encodedJITConfig": config}))
    }
}

/// A scale set's REST shape.
pub(crate) fn scale_set_json(set: &ScaleSet, statistics: Value) -> Value {
    json!({
        "id": set.id, "name": set.name, "runnerGroupId": set.group_id, "runnerGroupName": set.group_name,
        "labels": set.labels, "RunnerSetting": set.runner_setting, "createdOn": set.created_on,
        "runnerJitConfigUrl": format!("/_apis/runtime/runnerscalesets/{}/generatejitconfig", set.id),
        "statistics": statistics,
    })
}

/// The body of a service error.
pub(crate) fn service_error(type_name: &str, message: &str) -> Value {
    json!({"typeName": type_name, "message": message})
}

/// Creates a scale set from `body` in `tenant`.
pub(crate) fn create_scale_set(data: &mut Data, tenant: &str, body: &Value) -> Result<Value, (u16, Value)> {
    let bad = |m: &str| (400, service_error("ArgumentException", m));
    let name = body["name"].as_str().filter(|n| !n.trim().is_empty()).ok_or_else(|| bad("name is required"))?;
    let group_id = body["runnerGroupId"].as_i64().ok_or_else(|| bad("runnerGroupId is required"))?;
    let scope = data.service.tenants.get(tenant).cloned().ok_or_else(|| bad("unknown tenant"))?;
    let group_name = data
        .scopes
        .get(&scope)
        .and_then(|d| d.groups.get(&group_id))
        .and_then(|g| g.fields.get("name").and_then(Value::as_str).map(String::from))
        .or_else(|| matches!(scope, FakeScope::Repo(..)).then(|| "Default".to_string()))
        .ok_or_else(|| (404, service_error("RunnerGroupNotFoundException", "no such runner group")))?;
    if data.service.scale_sets.values().any(|s| s.tenant == tenant && s.name.eq_ignore_ascii_case(name)) {
        return Err((409, service_error("RunnerScaleSetExistsException", "a scale set of that name exists")));
    }
    let id = data.next_id();
    let set = ScaleSet {
        id,
        tenant: tenant.to_string(),
        name: name.to_string(),
        group_id,
        group_name,
        labels: body.get("labels").cloned().unwrap_or(json!([])),
        runner_setting: body.get("RunnerSetting").cloned().unwrap_or(json!({})),
        created_on: now(),
        queue: BTreeMap::new(),
        delivered: BTreeSet::new(),
        session: None,
        jobs: BTreeMap::new(),
        max_capacity: 0,
    };
    let answer = scale_set_json(&set, json!({}));
    data.service.scale_sets.insert(id, set);
    Ok(answer)
}
