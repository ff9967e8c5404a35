//! The fake's webhook: each job change becomes a signed `workflow_job`
//! delivery, POSTed in order to the configured URL, with GitHub's headers,
//! and logged with the receiver's answer.

use super::lifecycle::JobChange;
use super::sample::webhook_sample;
use super::state::FakeScope;
use crate::Secret;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;
use tokio::sync::{Notify, mpsc};

/// How long the fake waits for a receiver's answer, as GitHub does.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A delivery the fake sent (see [`FakeGitHub::deliveries`](super::FakeGitHub::deliveries)).
#[derive(Debug, Clone, PartialEq)]
pub struct FakeDelivery {
    /// Its `X-GitHub-Delivery` id.
    pub id: String,
    /// Its `X-GitHub-Event` (`workflow_job`).
    pub event: String,
    /// The payload's `action` (`queued`, `in_progress`, `completed`).
    pub action: String,
    /// The job it announces.
    pub job_id: i64,
    /// The payload as sent.
    pub payload: Value,
    /// The receiver's status; `None` when no answer came (see `error`).
    pub status: Option<u16>,
    /// Why no answer came (connection refused, timeout).
    pub error: Option<String>,
}

/// Where deliveries go.
#[derive(Clone)]
struct Target {
    url: String,
    secret: Secret,
}

/// A delivery waiting to be sent.
struct Outgoing {
    target: Target,
    id: String,
    body: Vec<u8>,
    action: String,
    job_id: i64,
    payload: Value,
}

#[derive(Default)]
struct State {
    target: Option<Target>,
    log: Vec<FakeDelivery>,
    /// Deliveries queued and not yet answered or failed.
    pending: usize,
}

/// The fake's webhook and the queue its deliveries go through.
#[derive(Clone)]
pub(crate) struct Hooks {
    state: Arc<Mutex<State>>,
    settled: Arc<Notify>,
    queue: mpsc::UnboundedSender<Outgoing>,
}

impl Hooks {
    /// A webhook without a URL (nothing is sent until one is set) and the
    /// task that sends its deliveries, one at a time, in order.
    pub fn start() -> (Hooks, tokio::task::JoinHandle<()>) {
        let (queue, mut rx) = mpsc::unbounded_channel::<Outgoing>();
        let hooks = Hooks { state: Arc::default(), settled: Arc::default(), queue };
        let sender = hooks.clone();
        let task = tokio::spawn(async move {
            crate::install_crypto_provider();
            let http = reqwest::Client::builder().timeout(TIMEOUT).build().ok();
            while let Some(out) = rx.recv().await {
                let answer = match &http {
                    Some(http) => send(http, &out).await,
                    None => Err("cannot build an HTTP client".to_string()),
                };
                let (status, error) = match answer {
                    Ok(status) => (Some(status), None),
                    Err(e) => (None, Some(e)),
                };
                let mut s = sender.lock();
                s.log.push(FakeDelivery {
                    id: out.id,
                    event: "workflow_job".into(),
                    action: out.action,
                    job_id: out.job_id,
                    payload: out.payload,
                    status,
                    error,
                });
                s.pending -= 1;
                drop(s);
                sender.settled.notify_waiters();
            }
        });
        (hooks, task)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends later changes to `url`, signed with `secret`.
    pub fn set_target(&self, url: String, secret: Secret) {
        self.lock().target = Some(Target { url, secret });
    }

    /// Queues the delivery announcing `change` (nothing without a URL).
    /// `org` says whether the repository's owner is an organization.
    pub fn announce(&self, change: &JobChange, org: bool) {
        let mut s = self.lock();
        let Some(target) = s.target.clone() else { return };
        let payload = payload(change, org);
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        let out = Outgoing {
            target,
            id: delivery_id(),
            body,
            action: change.action.to_string(),
            job_id: change.job["id"].as_i64().unwrap_or_default(),
            payload,
        };
        s.pending += 1;
        if self.queue.send(out).is_err() {
            s.pending -= 1;
        }
    }

    /// Every delivery answered or failed so far, in the order sent.
    pub fn log(&self) -> Vec<FakeDelivery> {
        self.lock().log.clone()
    }

    /// Waits until every queued delivery was answered or failed.
    pub async fn settled(&self) {
        loop {
            let wake = self.settled.notified();
            tokio::pin!(wake);
            wake.as_mut().enable();
            if self.lock().pending == 0 {
                return;
            }
            wake.await;
        }
    }
}

/// POSTs one delivery; the receiver's status, or why none came.
async fn send(http: &reqwest::Client, out: &Outgoing) -> Result<u16, String> {
    let response = http
        .post(&out.target.url)
        .header("content-type", "application/json")
        .header("user-agent", "GitHub-Hookshot/fake")
        .header("x-github-event", "workflow_job")
        .header("x-github-delivery", &out.id)
        .header("x-github-hook-id", "1")
        .header("x-github-hook-installation-target-type", "repository")
        .header(crate::webhook::SIGNATURE_HEADER, crate::webhook::sign(&out.target.secret, &out.body))
        .header("x-hub-signature", legacy_signature(&out.target.secret, &out.body))
        .body(out.body.clone())
        .send()
        .await
        .map_err(|e| e.without_url().to_string())?;
    Ok(response.status().as_u16())
}

/// `X-Hub-Signature`: HMAC-SHA1, which GitHub still sends beside the
/// SHA-256 one for old receivers.
fn legacy_signature(secret: &Secret, body: &[u8]) -> String {
    format!("sha1={}", crate::webhook::hmac_hex(ring::hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret, body))
}

/// A delivery id shaped like GitHub's (a random UUID).
fn delivery_id() -> String {
    let a = fastrand::u128(..);
    let hex = format!("{a:032x}");
    format!("{}-{}-4{}-a{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..])
}

/// The payload of `webhook-workflow-job-<action>`: the schema's own
/// examples, with the job, its repository and owner of the change.
fn payload(change: &JobChange, org: bool) -> Value {
    static SAMPLES: OnceLock<Vec<(&'static str, Value)>> = OnceLock::new();
    let samples = SAMPLES.get_or_init(|| {
        ["queued", "in_progress", "completed", "waiting"]
            .into_iter()
            .filter_map(|a| Some((a, webhook_sample(&format!("webhook-workflow-job-{}", a.replace('_', "-")))?)))
            .collect()
    });
    let mut p = samples.iter().find(|(a, _)| *a == change.action).map(|(_, v)| v.clone()).unwrap_or_default();
    let FakeScope::Repo(owner, name) = &change.scope else { return p };
    p["action"] = json!(change.action);
    // Keys of the delivery's job that the REST job has: the same values.
    if let Some(job) = p["workflow_job"].as_object_mut() {
        for (key, value) in job.iter_mut() {
            if let Some(v) = change.job.get(key) {
                *value = v.clone();
            }
        }
    }
    let full = format!("{owner}/{name}");
    let repo = &mut p["repository"];
    repo["id"] = json!(repository_id(&full));
    repo["node_id"] = json!(format!("R_kgDOFAKE{:X}", repository_id(&full)));
    repo["name"] = json!(name);
    repo["full_name"] = json!(full);
    repo["html_url"] = json!(format!("https://github.com/{full}"));
    repo["url"] = json!(format!("https://api.github.com/repos/{full}"));
    repo["owner"]["login"] = json!(owner);
    repo["owner"]["type"] = json!(if org { "Organization" } else { "User" });
    if let Some(fields) = p.as_object_mut() {
        // A repository webhook: no App installation, no enterprise, no
        // deployment; an organization only when one owns the repository.
        for key in ["installation", "enterprise", "deployment"] {
            fields.remove(key);
        }
        if !org {
            fields.remove("organization");
        }
    }
    if org {
        p["organization"]["login"] = json!(owner);
    }
    p
}

/// A stable id for a repository the fake only knows by name.
fn repository_id(full_name: &str) -> i64 {
    i64::try_from(super::server::fnv(full_name.as_bytes()) >> 33).unwrap_or(1).max(1)
}
