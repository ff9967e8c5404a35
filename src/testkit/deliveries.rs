//! The fake's webhook: each job change becomes a signed `workflow_job`
//! delivery POSTed to the configured URL with GitHub's headers, and logged
//! as GitHub logs it (an attempt id, the event's GUID, the outcome), which
//! the hook-delivery operations serve (list, get, redeliver) at App and
//! organization scope.
//!
//! Like GitHub's, the fake's deliveries can be lost, repeated, reordered,
//! late, or meet a receiver that is down ([`DeliveryFaults`], drawn from a
//! seed). GitHub does not retry a failed delivery; a redelivery asked
//! through the API is a new attempt with the same GUID and payload.

use super::call::Outcome;
use super::lifecycle::JobChange;
use super::sample::webhook_sample;
use super::state::{FakeScope, Refusal, github_error, not_found};
use crate::Secret;
use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};
use tokio::sync::{Notify, mpsc};

/// How long the fake waits for a receiver's answer, as GitHub does.
const TIMEOUT: Duration = Duration::from_secs(10);

/// The id of the fake's one webhook: its deliveries' `X-GitHub-Hook-ID`,
/// and the `hook_id` of the organization hook-delivery operations.
pub const FAKE_HOOK_ID: i64 = 1;

/// Mixed into the seed of the reorder picks.
const PICKS_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// How long a partly filled reorder window waits for more deliveries
/// before it sends what it holds.
const REORDER_WAIT: Duration = Duration::from_millis(15);

/// A delivery attempt the fake made (see
/// [`FakeGitHub::deliveries`](super::FakeGitHub::deliveries)): one entry of
/// GitHub's delivery log.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct FakeDelivery {
    /// Its `X-GitHub-Delivery` GUID (a redelivery keeps its event's).
    pub id: String,
    /// The attempt's id in the delivery log (what `redeliver` takes).
    pub attempt_id: i64,
    /// Whether the attempt is a redelivery asked through the API.
    pub redelivery: bool,
    /// Its `X-GitHub-Event` (`workflow_job`).
    pub event: String,
    /// The payload's `action` (`queued`, `in_progress`, `completed`).
    pub action: String,
    /// The job it announces.
    pub job_id: i64,
    /// The payload as sent.
    pub payload: Value,
    /// The receiver's status as GitHub logged it; `None` when no answer
    /// came (see `error`). A vanished delivery is logged 200.
    pub status: Option<u16>,
    /// Why no answer came (connection refused, timeout, a fault).
    pub error: Option<String>,
    /// The fault that struck it, if any: `dropped` (never sent, logged
    /// failed), `vanished` (never sent, logged delivered), `down` (the
    /// receiver was down), `duplicated` (sent twice, logged once).
    pub fault: Option<&'static str>,
}

/// What the fake's webhook deliveries suffer, drawn deterministically from
/// a seed as deliveries are queued (an outage counts from when a delivery
/// is queued, too).
///
/// ```
/// use gha_runners::testkit::DeliveryFaults;
/// use std::time::Duration;
/// let faults = DeliveryFaults::seeded(7)
///     .drop(0.2)
///     .duplicate(0.2)
///     .reorder(8)
///     .delay(Duration::from_millis(50))
///     .down(Duration::from_secs(1), Duration::from_secs(2));
/// assert_eq!(faults.reorder_window(), 8);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct DeliveryFaults {
    seed: u64,
    drop: f64,
    vanish: f64,
    duplicate: f64,
    reorder: usize,
    delay: Duration,
    down: Option<(Duration, Duration)>,
}

impl Default for DeliveryFaults {
    fn default() -> Self {
        Self::seeded(0)
    }
}

fn fraction(what: &str, f: f64) -> f64 {
    assert!((0.0..=1.0).contains(&f), "DeliveryFaults::{what}: {f} is not a fraction from 0 to 1");
    f
}

impl DeliveryFaults {
    /// No faults yet, drawn from `seed`.
    pub fn seeded(seed: u64) -> Self {
        Self { seed, drop: 0.0, vanish: 0.0, duplicate: 0.0, reorder: 0, delay: Duration::ZERO, down: None }
    }

    /// A fraction of deliveries never reach the receiver and are logged
    /// failed (timed out): a redelivery finds them.
    ///
    /// # Panics
    /// If `fraction` is not from 0 to 1.
    pub fn drop(mut self, fraction: f64) -> Self {
        self.drop = self::fraction("drop", fraction);
        self
    }

    /// A fraction of deliveries never reach the receiver but are logged
    /// delivered (a proxy answered for it): only a reconciliation finds
    /// their jobs.
    ///
    /// # Panics
    /// If `fraction` is not from 0 to 1.
    pub fn vanish(mut self, fraction: f64) -> Self {
        self.vanish = self::fraction("vanish", fraction);
        self
    }

    /// A fraction of deliveries arrive twice (same GUID), logged once.
    ///
    /// # Panics
    /// If `fraction` is not from 0 to 1.
    pub fn duplicate(mut self, fraction: f64) -> Self {
        self.duplicate = self::fraction("duplicate", fraction);
        self
    }

    /// Deliveries are sent in a random order within windows of `window`
    /// (0 or 1: in order).
    pub fn reorder(mut self, window: usize) -> Self {
        self.reorder = window;
        self
    }

    /// Each delivery waits up to `max` (uniformly drawn) before it is sent;
    /// deliveries then overlap, and may overtake one another.
    pub fn delay(mut self, max: Duration) -> Self {
        self.delay = max;
        self
    }

    /// The receiver is down from `after` the faults are set for `length`:
    /// deliveries meanwhile fail (logged, not retried).
    pub fn down(mut self, after: Duration, length: Duration) -> Self {
        self.down = Some((after, length));
        self
    }

    /// The reorder window.
    pub fn reorder_window(&self) -> usize {
        self.reorder
    }
}

/// What the draws decided for one delivery.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fate {
    Send { copies: u8, delay: Duration },
    Dropped,
    Vanished,
    Down,
}

/// Where deliveries go.
#[derive(Clone)]
struct Target {
    url: String,
    secret: Secret,
}

/// A delivery waiting to be sent.
struct Outgoing {
    guid: String,
    body: Vec<u8>,
    action: String,
    job_id: i64,
    repository_id: Option<i64>,
    payload: Value,
    redelivery: bool,
    /// Drawn when queued, so that the draws follow the queue's order.
    fate: Fate,
}

/// One entry of the delivery log, with what the API serves of it.
struct Attempt {
    public: FakeDelivery,
    delivered_at: DateTime<Utc>,
    duration: f64,
    repository_id: Option<i64>,
    url: String,
    body: Vec<u8>,
}

struct State {
    target: Option<Target>,
    log: Vec<Attempt>,
    /// Deliveries queued and not yet logged.
    pending: usize,
    faults: DeliveryFaults,
    /// Fates, drawn as deliveries are queued.
    rng: fastrand::Rng,
    /// Picks within the reorder window (their number depends on timing,
    /// so they draw from a generator of their own).
    picks: fastrand::Rng,
    faults_since: Instant,
    /// Until when the receiver is down ([`Hooks::down_for`]).
    down_until: Option<Instant>,
}

impl Default for State {
    fn default() -> Self {
        Self {
            target: None,
            log: Vec::new(),
            pending: 0,
            faults: DeliveryFaults::default(),
            rng: fastrand::Rng::with_seed(0),
            picks: fastrand::Rng::with_seed(PICKS_SEED),
            faults_since: Instant::now(),
            down_until: None,
        }
    }
}

impl State {
    /// Draws the fate of the next delivery.
    fn draw(&mut self) -> Fate {
        let now = Instant::now();
        let f = &self.faults;
        // An end past what an Instant can hold is never reached.
        let scheduled = f.down.is_some_and(|(after, length)| match self.faults_since.checked_add(after) {
            Some(start) => now >= start && start.checked_add(length).is_none_or(|end| now < end),
            None => false,
        });
        if scheduled || self.down_until.is_some_and(|until| now < until) {
            return Fate::Down;
        }
        // Every draw is made, whatever the outcome, so that one fault's
        // fraction does not shift the others' draws.
        let (drop, vanish, dup) = (self.rng.f64(), self.rng.f64(), self.rng.f64());
        let delay = self.faults.delay.mul_f64(self.rng.f64());
        if drop < self.faults.drop {
            Fate::Dropped
        } else if vanish < self.faults.vanish {
            Fate::Vanished
        } else {
            Fate::Send { copies: if dup < self.faults.duplicate { 2 } else { 1 }, delay }
        }
    }

    /// Logs an attempt; returns its id.
    fn record(&mut self, out: Outgoing, url: String, outcome: Logged) -> i64 {
        let id = i64::try_from(self.log.len()).unwrap_or(i64::MAX - 1) + 1;
        let public = FakeDelivery {
            id: out.guid,
            attempt_id: id,
            redelivery: out.redelivery,
            event: "workflow_job".into(),
            action: out.action,
            job_id: out.job_id,
            payload: out.payload,
            status: outcome.status,
            error: outcome.error,
            fault: outcome.fault,
        };
        self.log.push(Attempt {
            public,
            delivered_at: outcome.at,
            duration: outcome.duration,
            repository_id: out.repository_id,
            url,
            body: out.body,
        });
        self.pending = self.pending.saturating_sub(1);
        id
    }
}

/// How an attempt ended.
struct Logged {
    at: DateTime<Utc>,
    duration: f64,
    status: Option<u16>,
    error: Option<String>,
    fault: Option<&'static str>,
}

impl Logged {
    fn failed(error: &str, fault: &'static str) -> Self {
        Self { at: Utc::now(), duration: 0.0, status: None, error: Some(error.into()), fault: Some(fault) }
    }
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
    /// task that sends its deliveries: one at a time, in order, unless the
    /// faults reorder or delay them.
    pub fn start() -> (Hooks, tokio::task::JoinHandle<()>) {
        let (queue, rx) = mpsc::unbounded_channel::<Outgoing>();
        let hooks = Hooks { state: Arc::default(), settled: Arc::default(), queue };
        let task = tokio::spawn(hooks.clone().run(rx));
        (hooks, task)
    }

    async fn run(self, mut rx: mpsc::UnboundedReceiver<Outgoing>) {
        crate::install_crypto_provider();
        let http = reqwest::Client::builder().timeout(TIMEOUT).build().ok().map(Arc::new);
        let mut buffer: VecDeque<Outgoing> = VecDeque::new();
        let mut open = true;
        loop {
            if buffer.is_empty() {
                match rx.recv().await {
                    Some(out) => buffer.push_back(out),
                    None => return,
                }
            }
            let window = self.lock().faults.reorder.max(1);
            while open && buffer.len() < window {
                match tokio::time::timeout(REORDER_WAIT, rx.recv()).await {
                    Ok(Some(out)) => buffer.push_back(out),
                    Ok(None) => open = false,
                    Err(_) => break,
                }
            }
            let pick = if buffer.len() > 1 { self.lock().picks.usize(..buffer.len()) } else { 0 };
            let Some(out) = buffer.remove(pick) else { continue };
            let hooks = self.clone();
            match out.fate {
                Fate::Send { copies, delay } if !delay.is_zero() => {
                    let http = http.clone();
                    tokio::spawn(async move {
                        tokio::time::sleep(delay).await;
                        hooks.deliver(http.as_deref(), out, copies).await;
                    });
                }
                Fate::Send { copies, .. } => hooks.deliver(http.as_deref(), out, copies).await,
                Fate::Dropped => self.log_unsent(out, Logged::failed("timed out (a dropped delivery)", "dropped")),
                Fate::Down => self.log_unsent(out, Logged::failed("failed to connect (the receiver is down)", "down")),
                Fate::Vanished => {
                    let logged =
                        Logged { status: Some(200), error: None, fault: Some("vanished"), ..Logged::failed("", "") };
                    self.log_unsent(out, logged);
                }
            }
        }
    }

    /// Sends `out` `copies` times and logs the first answer.
    async fn deliver(&self, http: Option<&reqwest::Client>, out: Outgoing, copies: u8) {
        let Some(target) = self.lock().target.clone() else {
            return self.log_unsent(out, Logged::failed("no webhook URL", "down"));
        };
        let started = Instant::now();
        let at = Utc::now();
        let mut first = None;
        for _ in 0..copies.max(1) {
            let answer = match http {
                Some(http) => send(http, &target, &out).await,
                None => Err("cannot build an HTTP client".to_string()),
            };
            first.get_or_insert(answer);
        }
        let (status, error) = match first {
            Some(Ok(status)) => (Some(status), None),
            Some(Err(e)) => (None, Some(e)),
            None => (None, None),
        };
        let fault = (copies > 1).then_some("duplicated");
        let duration = started.elapsed().as_secs_f64();
        let mut s = self.lock();
        s.record(out, target.url.clone(), Logged { at, duration, status, error, fault });
        drop(s);
        self.settled.notify_waiters();
    }

    fn log_unsent(&self, out: Outgoing, logged: Logged) {
        let mut s = self.lock();
        let url = s.target.as_ref().map(|t| t.url.clone()).unwrap_or_default();
        s.record(out, url, logged);
        drop(s);
        self.settled.notify_waiters();
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Sends later changes to `url`, signed with `secret`.
    pub fn set_target(&self, url: String, secret: Secret) {
        self.lock().target = Some(Target { url, secret });
    }

    /// Later deliveries suffer `faults` (the schedule of `down` starts now).
    pub fn set_faults(&self, faults: DeliveryFaults) {
        let mut s = self.lock();
        s.rng = fastrand::Rng::with_seed(faults.seed);
        s.picks = fastrand::Rng::with_seed(faults.seed ^ PICKS_SEED);
        s.faults = faults;
        s.faults_since = Instant::now();
    }

    /// The receiver is down for `length` from now.
    pub fn down_for(&self, length: Duration) {
        // Longer than an Instant can hold: down until further notice.
        let now = Instant::now();
        let century = Duration::from_secs(100 * 365 * 86_400);
        self.lock().down_until = now.checked_add(length).or_else(|| now.checked_add(century));
    }

    /// Queues the delivery announcing `change` (nothing without a URL).
    /// `org` says whether the repository's owner is an organization,
    /// `public` whether the repository is public.
    pub fn announce(&self, change: &JobChange, org: bool, public: bool) {
        if self.lock().target.is_none() {
            return;
        }
        let payload = payload(change, org, public);
        let body = serde_json::to_vec(&payload).unwrap_or_default();
        self.queue(Outgoing {
            guid: delivery_guid(),
            body,
            action: change.action.to_string(),
            job_id: change.job["id"].as_i64().unwrap_or_default(),
            repository_id: payload["repository"]["id"].as_i64(),
            payload,
            redelivery: false,
            fate: Fate::Down,
        });
    }

    fn queue(&self, mut out: Outgoing) {
        let mut s = self.lock();
        out.fate = s.draw();
        s.pending += 1;
        if self.queue.send(out).is_err() {
            s.pending -= 1;
        }
    }

    /// Every delivery attempt so far, in the order logged.
    pub fn log(&self) -> Vec<FakeDelivery> {
        self.lock().log.iter().map(|a| a.public.clone()).collect()
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

    /// Answers a hook-delivery operation (`apps/...` or `orgs/...`
    /// `-webhook-delivery`/`-deliveries`); `None` for any other operation.
    /// The organization's existence is the caller's to check.
    pub fn api(
        &self,
        operation: &str,
        base: &str,
        path: &str,
        params: &BTreeMap<String, String>,
        query: &BTreeMap<String, String>,
    ) -> Option<Result<Outcome, Refusal>> {
        let action = operation.strip_prefix("apps/").or_else(|| operation.strip_prefix("orgs/"))?;
        if !matches!(action, "list-webhook-deliveries" | "get-webhook-delivery" | "redeliver-webhook-delivery") {
            return None;
        }
        if operation.starts_with("orgs/")
            && params.get("hook_id").and_then(|h| h.parse::<i64>().ok()) != Some(FAKE_HOOK_ID)
        {
            return Some(Err(not_found()));
        }
        let id = || params.get("delivery_id").and_then(|v| v.parse::<i64>().ok()).ok_or_else(not_found);
        Some(match action {
            "list-webhook-deliveries" => self.list(base, path, query),
            "get-webhook-delivery" => id().and_then(|id| {
                let s = self.lock();
                let a = s.log.iter().find(|a| a.public.attempt_id == id).ok_or_else(not_found)?;
                Ok(Outcome::Json(200, detail(a)))
            }),
            _ => id().and_then(|id| {
                let again = {
                    let s = self.lock();
                    let a = s.log.iter().find(|a| a.public.attempt_id == id).ok_or_else(not_found)?;
                    Outgoing {
                        guid: a.public.id.clone(),
                        body: a.body.clone(),
                        action: a.public.action.clone(),
                        job_id: a.public.job_id,
                        repository_id: a.repository_id,
                        payload: a.public.payload.clone(),
                        redelivery: true,
                        fate: Fate::Down,
                    }
                };
                self.queue(again);
                Ok(Outcome::Json(202, json!({})))
            }),
        })
    }

    /// A page of the log, newest first, after the `cursor` (`v1_<id>`).
    fn list(&self, base: &str, path: &str, query: &BTreeMap<String, String>) -> Result<Outcome, Refusal> {
        let per_page = match query.get("per_page").map(|v| v.parse::<usize>()) {
            None => 30,
            Some(Ok(n @ 1..=100)) => n,
            Some(_) => return Err(github_error(422, "per_page must be from 1 to 100")),
        };
        let before = match query.get("cursor") {
            None => i64::MAX,
            Some(c) => c
                .strip_prefix("v1_")
                .and_then(|n| n.parse::<i64>().ok())
                .ok_or_else(|| github_error(400, "Bad request: the cursor is not one GitHub gave"))?,
        };
        let outcome = query.get("status").map(String::as_str);
        let s = self.lock();
        let mut matching = s.log.iter().rev().filter(|a| a.public.attempt_id < before).filter(|a| {
            let code = a.public.status.unwrap_or(0);
            match outcome {
                Some("success") => (200..400).contains(&code),
                Some("failure") => (400..600).contains(&code),
                _ => true,
            }
        });
        let page: Vec<&Attempt> = matching.by_ref().take(per_page).collect();
        let more = matching.next().is_some();
        let items: Vec<Value> = page.iter().map(|a| item(a)).collect();
        let next = match (more, page.last()) {
            (true, Some(last)) => {
                let mut q = query.clone();
                q.insert("cursor".into(), format!("v1_{}", last.public.attempt_id));
                let qs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
                Some(format!("<{base}{path}?{}>; rel=\"next\"", qs.join("&")))
            }
            _ => None,
        };
        Ok(Outcome::Cursor(items, next))
    }
}

/// GitHub's description of an attempt's outcome.
fn status_text(a: &FakeDelivery) -> String {
    match (a.status, a.fault) {
        (Some(200..=299), _) => "OK".into(),
        (Some(code), _) => format!("Invalid HTTP Response: {code}"),
        (None, Some("dropped")) => "timed out".into(),
        (None, _) => "failed to connect to host".into(),
    }
}

/// An attempt as `hook-delivery-item`.
fn item(a: &Attempt) -> Value {
    json!({
        "id": a.public.attempt_id,
        "guid": a.public.id,
        "delivered_at": a.delivered_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "redelivery": a.public.redelivery,
        "duration": a.duration,
        "status": status_text(&a.public),
        "status_code": a.public.status.unwrap_or(0),
        "event": a.public.event,
        "action": a.public.action,
        "installation_id": null,
        "repository_id": a.repository_id,
        "throttled_at": null,
    })
}

/// An attempt as `hook-delivery`: the item, the request and the answer.
fn detail(a: &Attempt) -> Value {
    let mut v = item(a);
    let mut headers = Map::new();
    headers.insert("X-GitHub-Event".into(), json!(a.public.event));
    headers.insert("X-GitHub-Delivery".into(), json!(a.public.id));
    headers.insert("X-GitHub-Hook-ID".into(), json!(FAKE_HOOK_ID.to_string()));
    headers.insert("Content-Type".into(), json!("application/json"));
    v["url"] = json!(a.url);
    v["request"] = json!({"headers": headers, "payload": a.public.payload});
    v["response"] = json!({"headers": {}, "payload": a.public.error});
    v
}

/// POSTs one delivery; the receiver's status, or why none came.
async fn send(http: &reqwest::Client, target: &Target, out: &Outgoing) -> Result<u16, String> {
    let response = http
        .post(&target.url)
        .header("content-type", "application/json")
        .header("user-agent", "GitHub-Hookshot/fake")
        .header("x-github-event", "workflow_job")
        .header("x-github-delivery", &out.guid)
        .header("x-github-hook-id", FAKE_HOOK_ID.to_string())
        .header("x-github-hook-installation-target-type", "repository")
        .header(crate::webhook::SIGNATURE_HEADER, crate::webhook::sign(&target.secret, &out.body))
        .header("x-hub-signature", legacy_signature(&target.secret, &out.body))
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

/// A delivery GUID shaped like GitHub's (a random UUID).
fn delivery_guid() -> String {
    let a = fastrand::u128(..);
    let hex = format!("{a:032x}");
    format!("{}-{}-4{}-a{}-{}", &hex[..8], &hex[8..12], &hex[13..16], &hex[17..20], &hex[20..])
}

/// The payload of `webhook-workflow-job-<action>`: the schema's own
/// examples, with the job, its repository and owner of the change.
fn payload(change: &JobChange, org: bool, public: bool) -> Value {
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
    repo["id"] = json!(super::fnv::repository_id(&full));
    repo["node_id"] = json!(format!("R_kgDOFAKE{:X}", super::fnv::repository_id(&full)));
    repo["name"] = json!(name);
    repo["full_name"] = json!(full);
    repo["html_url"] = json!(format!("https://github.com/{full}"));
    repo["url"] = json!(format!("https://api.github.com/repos/{full}"));
    repo["owner"]["login"] = json!(owner);
    repo["private"] = json!(!public);
    repo["visibility"] = json!(if public { "public" } else { "private" });
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
