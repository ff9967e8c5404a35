//! The HTTP side of the fake: routing from the vendored spec's paths,
//! authentication, rate limits, ETags, pagination, faults and logs.

use super::call::{Call, Outcome, action};
use super::deliveries::{DeliveryFaults, FAKE_HOOK_ID, FakeDelivery, Hooks};
use super::fnv::fnv;
use super::lifecycle::{JobChange, StartError};
use super::state::*;
use super::{groups, hosted, jobs, network, permissions, runners};
use crate::types::JobConclusion;
use crate::{Client, Error, Secret};
use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri};
use serde_json::{Map, Value, json};
use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::Duration;

/// A fault to inject into the next requests (see [`FakeGitHub::inject`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Fault {
    /// Answer with this status and a GitHub-shaped error body.
    Status(u16),
    /// Answer with this status and these headers (e.g. `retry-after`).
    StatusWithHeaders(u16, Vec<(String, String)>),
    /// Wait this long, then answer normally.
    Delay(Duration),
    /// Send the headers, then break the connection before the body ends.
    Reset,
    /// Apply the request as usual, then answer as [`Fault::Reset`] does:
    /// the caller cannot tell whether it was applied (a lost answer).
    LoseAnswer,
}

/// A request as the fake received it (the credential is not kept).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoggedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path and query as sent (still percent-encoded).
    pub path_and_query: String,
    /// Headers, lower-case, without `authorization`.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
    /// When the fake received it (its head and body).
    pub received: std::time::Instant,
    /// When the fake had its answer ready (`None` while it is being
    /// answered, or if the connection broke first): with `received`,
    /// what tests of pacing and rate limits measure.
    pub answered: Option<std::time::Instant>,
}

impl LoggedRequest {
    /// A request as received now, without its credential.
    pub(crate) fn of(method: &Method, uri: &Uri, headers: &HeaderMap, body: &Bytes) -> Self {
        LoggedRequest {
            method: method.to_string(),
            path_and_query: uri.path_and_query().map(|p| p.to_string()).unwrap_or_default(),
            headers: headers
                .iter()
                .filter(|(k, _)| *k != "authorization")
                .map(|(k, v)| (k.to_string(), String::from_utf8_lossy(v.as_bytes()).into_owned()))
                .collect(),
            body: body.to_vec(),
            received: std::time::Instant::now(),
            answered: None,
        }
    }

    /// Whether it is a mutation (POST, PATCH, PUT, DELETE).
    pub fn is_mutation(&self) -> bool {
        matches!(self.method.as_str(), "POST" | "PATCH" | "PUT" | "DELETE")
    }
}

/// A response the fake produced for an operation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct LoggedResponse {
    /// The operation (GitHub's operationId).
    pub operation: String,
    /// The status.
    pub status: u16,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

pub(crate) struct Shared {
    pub(crate) data: Data,
    pub(crate) token: String,
    /// The GitHub App whose JWTs the token endpoint accepts: its id and
    /// public key.
    app: Option<(String, jsonwebtoken::DecodingKey)>,
    /// Installation tokens the fake issued, accepted like `token`.
    pub(crate) issued: std::collections::HashSet<String>,
    rate_limit: u64,
    rate_used: u64,
    /// Calls the App made with its JWT (its own quota).
    app_rate_used: u64,
    rate_reset: i64,
    faults: VecDeque<Fault>,
    requests: Vec<LoggedRequest>,
    responses: Vec<LoggedResponse>,
    pub(crate) base_url: String,
    /// The fake Actions service's base URL.
    pub(crate) actions_base: String,
    /// Faults for the next requests to the Actions service.
    pub(crate) actions_faults: VecDeque<Fault>,
    /// Requests the Actions service received.
    pub(crate) actions_requests: Vec<LoggedRequest>,
    /// How long the message queue holds a poll without a message.
    pub(crate) poll_wait: Duration,
    /// How long an acquired job waits for a runner before it is requeued.
    pub(crate) requeue_after: Option<Duration>,
    /// How long an admin token lives.
    pub(crate) admin_token_ttl: Duration,
    /// How long a session lives without its holder polling.
    pub(crate) session_timeout: Duration,
    hooks: Hooks,
    job_duration: Option<Duration>,
    /// The runtime the fake started on: job ends are scheduled there, so
    /// the fake's methods work from any thread.
    pub(crate) runtime: tokio::runtime::Handle,
}

/// Configures a [`FakeGitHub`] before it starts.
#[derive(Debug)]
pub struct FakeGitHubBuilder {
    scopes: Vec<FakeScope>,
    runners: Vec<(FakeScope, FakeRunner)>,
    groups: Vec<(FakeScope, i64, String)>,
    hosted: Vec<(FakeScope, i64, String)>,
    networks: Vec<(FakeScope, String, String)>,
    jobs: Vec<(FakeScope, i64, i64, Vec<String>)>,
    token: String,
    rate_limit: u64,
    app: Option<(String, String)>,
    webhook: Option<(String, Secret)>,
    job_duration: Option<Duration>,
    poll_wait: Duration,
    requeue_after: Option<Duration>,
    admin_token_ttl: Duration,
    session_timeout: Duration,
}

impl Default for FakeGitHubBuilder {
    fn default() -> Self {
        Self {
            scopes: Vec::new(),
            runners: Vec::new(),
            groups: Vec::new(),
            hosted: Vec::new(),
            networks: Vec::new(),
            jobs: Vec::new(),
            token: "fake-token".into(),
            rate_limit: 5000,
            app: None,
            webhook: None,
            job_duration: None,
            poll_wait: Duration::from_secs(50),
            requeue_after: Some(Duration::from_secs(120)),
            admin_token_ttl: Duration::from_secs(3600),
            session_timeout: Duration::from_secs(120),
        }
    }
}

impl FakeGitHubBuilder {
    /// Adds the enterprise `slug`.
    pub fn enterprise(mut self, slug: &str) -> Self {
        self.scopes.push(FakeScope::enterprise(slug));
        self
    }
    /// Adds the organization `name`.
    pub fn org(mut self, name: &str) -> Self {
        self.scopes.push(FakeScope::org(name));
        self
    }
    /// Adds the repository `owner/name`.
    pub fn repo(mut self, owner: &str, name: &str) -> Self {
        self.scopes.push(FakeScope::repo(owner, name));
        self
    }
    /// Adds a runner (and its scope, if new).
    pub fn runner(mut self, scope: FakeScope, runner: FakeRunner) -> Self {
        self.runners.push((scope, runner));
        self
    }
    /// Adds a queued workflow job `id` of run `run_id` to a repository, asking
    /// for a runner with `labels`.
    ///
    /// # Panics
    /// At [`FakeGitHubBuilder::start`], if `scope` is not a repository.
    pub fn job<L: Into<String>>(
        mut self,
        scope: FakeScope,
        id: i64,
        run_id: i64,
        labels: impl IntoIterator<Item = L>,
    ) -> Self {
        self.jobs.push((scope, id, run_id, labels.into_iter().map(Into::into).collect()));
        self
    }
    /// Adds runner group `id` named `name` to an organization or enterprise.
    pub fn runner_group(mut self, scope: FakeScope, id: i64, name: &str) -> Self {
        self.groups.push((scope, id, name.to_string()));
        self
    }
    /// Adds GitHub-hosted runner `id` named `name` (Ubuntu, 4 cores, group 1).
    pub fn hosted_runner(mut self, scope: FakeScope, id: i64, name: &str) -> Self {
        self.hosted.push((scope, id, name.to_string()));
        self
    }
    /// Adds network configuration `id` named `name`.
    pub fn network_configuration(mut self, scope: FakeScope, id: &str, name: &str) -> Self {
        self.networks.push((scope, id.to_string(), name.to_string()));
        self
    }
    /// The token requests must carry (default `fake-token`).
    pub fn token(mut self, token: &str) -> Self {
        self.token = token.to_string();
        self
    }
    /// Accept GitHub App authentication for App `app_id`: the token
    /// endpoint (`apps/create-installation-access-token`) then issues
    /// installation tokens for RS256 JWTs that verify with
    /// `public_key_pem`, name `app_id` as issuer and have not expired, and
    /// every other endpoint accepts the tokens it issued. Without it the
    /// token endpoint refuses every JWT, as GitHub does for an unknown App.
    pub fn github_app(mut self, app_id: &str, public_key_pem: &str) -> Self {
        self.app = Some((app_id.to_string(), public_key_pem.to_string()));
        self
    }
    /// Sends a signed `workflow_job` delivery to `url` for every change of
    /// a job: `queued` ([`FakeGitHub::queue_job`]), `in_progress` (a
    /// started runner took it), `completed`. See
    /// [`FakeGitHub::set_webhook`].
    pub fn webhook(mut self, url: &str, secret: Secret) -> Self {
        self.webhook = Some((url.to_string(), secret));
        self
    }
    /// Jobs end (`success`) this long after a runner takes them. Without
    /// it a job runs until [`FakeGitHub::complete_job`].
    pub fn job_duration(mut self, duration: Duration) -> Self {
        self.job_duration = Some(duration);
        self
    }
    /// The primary rate-limit budget (default 5000 requests).
    pub fn rate_limit(mut self, limit: u64) -> Self {
        self.rate_limit = limit;
        self
    }

    /// Starts the fake on 127.0.0.1 with an ephemeral port.
    /// How long the fake Actions service's message queue holds a poll
    /// that has no message before it answers 202 (GitHub: about 50 s,
    /// the default).
    pub fn scale_set_poll_wait(mut self, wait: Duration) -> Self {
        self.poll_wait = wait;
        self
    }

    /// How long a job a scale set acquired waits for one of its runners
    /// before the service cancels it and offers it again (up to 3 times,
    /// then it ends canceled); `None`: it waits forever. Default 2 minutes.
    pub fn scale_set_requeue_after(mut self, after: Option<Duration>) -> Self {
        self.requeue_after = after;
        self
    }

    /// How long the Actions service's admin tokens live (default an hour;
    /// clients renew 60 s before the end).
    pub fn admin_token_ttl(mut self, ttl: Duration) -> Self {
        self.admin_token_ttl = ttl;
        self
    }

    /// How long a scale set's session lives without its holder polling
    /// (or acknowledging, acquiring, refreshing): after it, a new session
    /// may be opened, as when a listener died holding one. Default 2
    /// minutes.
    pub fn scale_set_session_timeout(mut self, timeout: Duration) -> Self {
        self.session_timeout = timeout;
        self
    }

    ///
    /// # Panics
    /// If no loopback port can be bound (tests cannot run without one).
    pub async fn start(self) -> FakeGitHub {
        let mut data = Data::new();
        for s in &self.scopes {
            data.ensure_scope(s);
        }
        for (scope, id, name) in self.groups {
            data.ensure_scope(&scope);
            if let Some(s) = data.scopes.get_mut(&scope) {
                let mut fields = Map::new();
                fields.insert("name".into(), json!(name));
                fields.insert("visibility".into(), json!("all"));
                s.groups.insert(id, Group { id, fields, members: Default::default() });
            }
        }
        for (scope, runner) in self.runners {
            data.add_runner(&scope, runner);
        }
        for (scope, id, run_id, labels) in self.jobs {
            data.add_job(&scope, Some(id), Some(run_id), &labels);
        }
        for (scope, id, name) in self.hosted {
            data.ensure_scope(&scope);
            if let Some(s) = data.scopes.get_mut(&scope) {
                s.hosted.insert(
                    id,
                    hosted_json(id, &json!({"name": name, "image": {"id": "ubuntu-latest"}, "size": "4-core"})),
                );
            }
        }
        for (scope, id, name) in self.networks {
            data.ensure_scope(&scope);
            if let Some(s) = data.scopes.get_mut(&scope) {
                let n = json!({"id": id, "name": name, "compute_service": "actions", "network_settings_ids": ["ns-1"],
                    "created_on": "2026-11-21T00:00:00Z"});
                s.networks.insert(id, n);
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind a loopback port for FakeGitHub");
        let addr = listener.local_addr().expect("local address");
        let base_url = format!("http://{addr}");
        let actions_listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind a loopback port for the fake Actions service");
        let actions_base = format!("http://{}", actions_listener.local_addr().expect("local address"));
        let app =
            self.app.and_then(|(id, pem)| Some((id, jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes()).ok()?)));
        let (hooks, sender) = Hooks::start();
        if let Some((url, secret)) = self.webhook {
            hooks.set_target(url, secret);
        }
        let shared = Arc::new(Mutex::new(Shared {
            data,
            token: self.token,
            app,
            issued: Default::default(),
            rate_limit: self.rate_limit,
            rate_used: 0,
            app_rate_used: 0,
            rate_reset: chrono::Utc::now().timestamp() + 3600,
            faults: VecDeque::new(),
            requests: Vec::new(),
            responses: Vec::new(),
            base_url: base_url.clone(),
            actions_base,
            actions_faults: VecDeque::new(),
            actions_requests: Vec::new(),
            poll_wait: self.poll_wait,
            requeue_after: self.requeue_after,
            admin_token_ttl: self.admin_token_ttl,
            session_timeout: self.session_timeout,
            hooks,
            job_duration: self.job_duration,
            runtime: tokio::runtime::Handle::current(),
        }));
        let app = axum::Router::new().fallback({
            let shared = shared.clone();
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move { handle(shared, method, uri, headers, body).await }
            }
        });
        let actions_app = axum::Router::new().fallback({
            let shared = shared.clone();
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let shared = shared.clone();
                async move { super::actions_http::handle(shared, method, uri, headers, body).await }
            }
        });
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let actions_task = tokio::spawn(async move {
            let _ = axum::serve(actions_listener, actions_app).await;
        });
        let fake = FakeGitHub {
            base_url,
            shared,
            task: Arc::new(task),
            actions_task: Arc::new(actions_task),
            sender: Arc::new(sender),
        };
        // Seeded idle runners take seeded queued jobs they can serve.
        {
            let mut s = fake.lock();
            let changes = s.data.assign();
            fake.announce(&mut s, changes);
        }
        fake
    }
}

/// A running fake GitHub. Dropping the last clone stops it.
#[derive(Clone)]
pub struct FakeGitHub {
    base_url: String,
    shared: Arc<Mutex<Shared>>,
    task: Arc<tokio::task::JoinHandle<()>>,
    /// Serves the fake Actions service.
    actions_task: Arc<tokio::task::JoinHandle<()>>,
    /// Sends the webhook deliveries.
    sender: Arc<tokio::task::JoinHandle<()>>,
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if Arc::strong_count(&self.task) == 1 {
            self.task.abort();
            self.actions_task.abort();
            self.sender.abort();
        }
    }
}

impl std::fmt::Debug for FakeGitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeGitHub").field("base_url", &self.base_url).finish()
    }
}

impl FakeGitHub {
    /// A builder to seed the fake.
    pub fn builder() -> FakeGitHubBuilder {
        FakeGitHubBuilder::default()
    }

    /// An empty fake (no scopes: every request is 404 until seeded).
    pub async fn start() -> FakeGitHub {
        Self::builder().start().await
    }

    fn lock(&self) -> MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The base URL (`http://127.0.0.1:<port>`).
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The token requests must carry.
    pub fn token(&self) -> String {
        self.lock().token.clone()
    }

    /// A [`Client`] for this fake, with its token. Mutations stay one at
    /// a time but are not spaced ([`crate::ClientBuilder::mutation_interval`]
    /// 0): the fake has no secondary limits to keep clear of.
    pub fn client(&self) -> Result<Client, Error> {
        Client::builder().base_url(&self.base_url).token(self.token()).mutation_interval(Duration::ZERO).build()
    }

    /// Adds a runner at run time; returns its id. An online runner that is
    /// not busy takes a queued job it can serve (see
    /// [`FakeGitHub::queue_job`]).
    pub fn add_runner(&self, scope: FakeScope, runner: FakeRunner) -> i64 {
        let mut s = self.lock();
        let id = s.data.add_runner(&scope, runner);
        let changes = s.data.assign();
        self.announce(&mut s, changes);
        id
    }

    /// Queues a workflow job in a repository asking for a runner with
    /// `labels`; returns its id and its run's id.
    ///
    /// The job is `queued` (`jobs().get(id)` says so) and, with a webhook
    /// set, a signed `workflow_job` `queued` delivery announces it. An
    /// online, idle runner that serves the repository and has every label
    /// (ASCII case aside) takes it at once (`in_progress`); otherwise the
    /// first such runner to start or become idle does.
    ///
    /// Runners serve jobs as GitHub's scopes do: a repository's runners its
    /// own jobs, an organization's runners its repositories' jobs, an
    /// enterprise's runners every repository's (the fake models neither
    /// enterprise membership nor runner group visibility). GitHub looks at
    /// the repository's runners first, then the organization's, then the
    /// enterprise's.
    ///
    /// # Panics
    /// If `scope` is not a repository: jobs belong to repositories.
    pub fn queue_job<L: Into<String>>(&self, scope: FakeScope, labels: impl IntoIterator<Item = L>) -> (i64, i64) {
        let labels: Vec<String> = labels.into_iter().map(Into::into).collect();
        let mut s = self.lock();
        let (ids, changes) = s.data.queue_job(&scope, &labels);
        self.announce(&mut s, changes);
        ids
    }

    /// The machine given `encoded_jit_config` has booted: the runner the
    /// config registered comes online and takes the oldest queued job it
    /// can serve, if any (`in_progress`, announced by a delivery). When
    /// that job ends, the runner is removed, as GitHub removes ephemeral
    /// runners. Returns the runner's id.
    ///
    /// # Errors
    /// A config the fake did not issue, one whose runner was deleted, or
    /// one already started: the real runner would fail to connect.
    pub fn start_runner(&self, encoded_jit_config: &str) -> Result<i64, StartError> {
        let mut s = self.lock();
        let (id, changes) = s.data.start_runner(encoded_jit_config)?;
        self.announce(&mut s, changes);
        Ok(id)
    }

    /// Ends job `job_id`, queued or running, with `conclusion` (a
    /// `completed` delivery); a running job's ephemeral runner is removed,
    /// any other runner is freed for the next job. False when there is no
    /// such job or it has ended.
    pub fn complete_job(&self, job_id: i64, conclusion: JobConclusion) -> bool {
        complete(&self.shared, job_id, &conclusion)
    }

    /// Makes repository `repo` public (or private again). The fake's
    /// repositories are private unless made public: its deliveries say so
    /// (`repository.private`), and runner groups that do not allow public
    /// repositories give their jobs no runner, as on GitHub.
    ///
    /// # Panics
    /// If `repo` is not a repository.
    pub fn set_repo_public(&self, repo: &FakeScope, public: bool) {
        let FakeScope::Repo(owner, name) = repo else { panic!("set_repo_public takes a repository") };
        let full = format!("{owner}/{name}").to_lowercase();
        let mut s = self.lock();
        if public {
            s.data.public_repos.insert(full);
        } else {
            s.data.public_repos.remove(&full);
        }
    }

    /// Leaves runner `runner_id` out of the next `listings` listings of
    /// `scope`'s runners, as a page shift does while GitHub removes
    /// ephemeral runners; getting it by id still finds it. False when
    /// `scope` has no such runner.
    pub fn hide_from_listings(&self, scope: &FakeScope, runner_id: i64, listings: u32) -> bool {
        let mut s = self.lock();
        let Some(d) = s.data.scopes.get_mut(scope) else { return false };
        if listings == 0 || !d.runners.contains_key(&runner_id) {
            return false;
        }
        d.hidden.insert(runner_id, listings);
        true
    }

    /// Whether runner `runner_id` is still left out of listings.
    pub fn hidden_from_listings(&self, scope: &FakeScope, runner_id: i64) -> bool {
        self.lock().data.scopes.get(scope).is_some_and(|d| d.hidden.contains_key(&runner_id))
    }

    /// The most runners of group `group_id` that `scope` held at once
    /// since the fake started: what a scaler's cap is checked against.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope};
    /// let fake = FakeGitHub::builder().org("octo-org").start().await;
    /// fake.add_runner(FakeScope::org("octo-org"), FakeRunner::new("a"));
    /// assert_eq!(fake.peak_runners(&FakeScope::org("octo-org"), 1), 1);
    /// # }
    /// ```
    pub fn peak_runners(&self, scope: &FakeScope, group_id: i64) -> usize {
        self.lock().data.scopes.get(scope).and_then(|d| d.peak_runners.get(&group_id).copied()).unwrap_or(0)
    }

    /// Whether job `job_id` has ended (completed, whatever its conclusion).
    pub fn job_ended(&self, job_id: i64) -> bool {
        self.lock().data.scopes.values().any(|d| d.jobs.get(&job_id).is_some_and(|j| j["status"] == "completed"))
    }

    /// How job `job_id` ended (`success`, `cancelled`, ...); `None` while
    /// it has not, or if there is no such job.
    pub fn job_conclusion(&self, job_id: i64) -> Option<String> {
        let s = self.lock();
        let job = s.data.scopes.values().find_map(|d| d.jobs.get(&job_id))?;
        (job["status"] == "completed").then(|| job["conclusion"].as_str().map(String::from)).flatten()
    }

    /// Sends later job changes to `url` as `workflow_job` deliveries
    /// signed with `secret` (`X-Hub-Signature-256`), in order, one at a
    /// time, with `X-GitHub-Event` and a fresh `X-GitHub-Delivery`. As on
    /// GitHub, a failed delivery is logged, not retried.
    pub fn set_webhook(&self, url: &str, secret: Secret) {
        self.lock().hooks.set_target(url.to_string(), secret);
    }

    /// Later deliveries suffer `faults` (drawn from their seed; a `down`
    /// schedule starts now). See [`DeliveryFaults`].
    pub fn set_delivery_faults(&self, faults: DeliveryFaults) {
        self.lock().hooks.set_faults(faults);
    }

    /// The webhook's receiver is down for `length` from now: deliveries
    /// meanwhile fail and are logged so, as GitHub logs them.
    pub fn webhook_down(&self, length: Duration) {
        self.lock().hooks.down_for(length);
    }

    /// The id of the fake's webhook ([`FAKE_HOOK_ID`]): the `hook_id` of
    /// the organization hook-delivery operations.
    pub fn hook_id(&self) -> i64 {
        FAKE_HOOK_ID
    }

    /// Every delivery attempt so far with the receiver's answer, in the
    /// order logged (redeliveries included; a duplicate is logged once).
    pub fn deliveries(&self) -> Vec<FakeDelivery> {
        self.lock().hooks.log()
    }

    /// Waits until every delivery queued so far has been answered or has
    /// failed.
    pub async fn deliveries_settled(&self) {
        let hooks = self.lock().hooks.clone();
        hooks.settled().await;
    }

    /// Queues the deliveries of `changes` and, with a job duration, the end
    /// of the jobs a runner took.
    fn announce(&self, s: &mut Shared, changes: Vec<JobChange>) {
        announce(&self.shared, s, changes);
    }

    /// The fake Actions service's base URL (its own loopback port), which
    /// runner registration hands out with a tenant path.
    pub fn actions_url(&self) -> String {
        self.lock().actions_base.clone()
    }

    /// Faults for the next requests to the fake Actions service (and its
    /// message queue), one request each, in order. [`Fault::Reset`] on a
    /// poll is a connection dropped mid-poll.
    pub fn inject_actions(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().actions_faults.extend(faults);
    }

    /// Faults injected into the Actions service that no request took yet.
    pub fn actions_faults_pending(&self) -> usize {
        self.lock().actions_faults.len()
    }

    /// The requests the fake Actions service received (credentials not kept).
    pub fn actions_requests(&self) -> Vec<LoggedRequest> {
        self.lock().actions_requests.clone()
    }

    /// Expires every admin token and message-queue token now: the next
    /// requests with them get 401 (clients renew the admin token through
    /// runner registration, and the queue token by refreshing the session).
    pub fn expire_actions_tokens(&self) {
        self.lock().data.service.expire_tokens();
    }

    /// Deletes the session of scale set `scale_set_id`, as the service does
    /// when it ends one under its listener; false if it had none.
    pub fn end_scale_set_session(&self, scale_set_id: i64) -> bool {
        let mut s = self.lock();
        let Some(sid) = s.data.service.scale_sets.get(&scale_set_id).and_then(|x| x.session.clone()) else {
            return false;
        };
        super::actions_http::end_session(&mut s, &sid);
        true
    }

    /// The scale sets: (id, name, whether a session is open, messages not
    /// acknowledged).
    pub fn scale_sets(&self) -> Vec<(i64, String, bool, usize)> {
        let s = self.lock();
        s.data.service.scale_sets.values().map(|x| (x.id, x.name.clone(), x.session.is_some(), x.queue.len())).collect()
    }

    /// The owner of scale set `scale_set_id`'s open session, if any.
    pub fn scale_set_session_owner(&self, scale_set_id: i64) -> Option<String> {
        let s = self.lock();
        let sid = s.data.service.scale_sets.get(&scale_set_id)?.session.clone()?;
        s.data.service.sessions.get(&sid).map(|x| x.owner.clone())
    }

    /// The jobs of scale set `scale_set_id` that have not ended: (job id,
    /// `available`/`acquired`/`running`, times requeued).
    pub fn scale_set_jobs(&self, scale_set_id: i64) -> Vec<(i64, &'static str, u32)> {
        super::actions_http::jobs_of(&self.lock(), scale_set_id)
    }

    /// How many runners scale-set JIT configs registered.
    pub fn scale_set_runners_created(&self) -> u64 {
        self.lock().data.service.jit_runners
    }

    /// When each runner of a scale-set JIT config was registered, in order.
    pub fn scale_set_runner_times(&self) -> Vec<std::time::Instant> {
        self.lock().data.service.jit_times.clone()
    }

    /// How many admin tokens runner registration issued.
    pub fn registrations(&self) -> u64 {
        self.lock().data.service.registrations
    }

    /// Credentials sent where they do not belong: the GitHub token to the
    /// Actions service, or a service token to GitHub (descriptions, no
    /// secrets). Empty when every client kept them apart.
    pub fn credential_violations(&self) -> Vec<String> {
        self.lock().data.service.violations.clone()
    }

    /// Sets a runner's status (`online`/`offline`) and whether it is busy;
    /// false if there is no such runner. An online runner that is not busy
    /// takes a queued job it can serve.
    pub fn set_runner_state(&self, scope: &FakeScope, runner_id: i64, status: &str, busy: bool) -> bool {
        let mut s = self.lock();
        match s.data.scopes.get_mut(scope).and_then(|d| d.runners.get_mut(&runner_id)) {
            Some(r) => {
                r.status = status.to_string();
                r.busy = busy;
                r.started |= status == "online";
                let changes = s.data.assign();
                self.announce(&mut s, changes);
                true
            }
            None => false,
        }
    }

    /// When a runner was last seen online, as seeded.
    pub fn last_seen(&self, runner_id: i64) -> Option<chrono::DateTime<chrono::Utc>> {
        self.lock().data.last_seen.get(&runner_id).copied()
    }

    /// The runners of a scope, as the fake holds them (id, name, status, busy).
    pub fn runners(&self, scope: &FakeScope) -> Vec<(i64, String, String, bool)> {
        self.lock()
            .data
            .scopes
            .get(scope)
            .map(|d| d.runners.values().map(|r| (r.id, r.name.clone(), r.status.clone(), r.busy)).collect())
            .unwrap_or_default()
    }

    /// Makes the next requests fail, one fault each, in order.
    pub fn inject(&self, faults: impl IntoIterator<Item = Fault>) {
        self.lock().faults.extend(faults);
    }

    /// Sets the remaining primary rate-limit budget.
    pub fn set_rate_limit_remaining(&self, remaining: u64) {
        let mut s = self.lock();
        s.rate_used = s.rate_limit.saturating_sub(remaining);
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.lock().requests.clone()
    }

    /// Every response produced for an operation so far.
    pub fn responses(&self) -> Vec<LoggedResponse> {
        self.lock().responses.clone()
    }
}

/// Queues the deliveries of `changes` and, with a job duration, schedules
/// the end of each job a runner took.
pub(crate) fn announce(shared: &Arc<Mutex<Shared>>, s: &mut Shared, changes: Vec<JobChange>) {
    for change in changes {
        s.data.observe_scale_sets(&change);
        let org = match &change.scope {
            // As when runners are matched: logins without regard to case.
            FakeScope::Repo(owner, _) => {
                s.data.scopes.keys().any(|k| matches!(k, FakeScope::Org(o) if o.eq_ignore_ascii_case(owner)))
            }
            _ => false,
        };
        let public = s.data.is_public(&change.scope);
        s.hooks.announce(&change, org, public);
        if let (Some(after), "in_progress", Some(job_id)) = (s.job_duration, change.action, change.job["id"].as_i64()) {
            let shared = shared.clone();
            s.runtime.spawn(async move {
                tokio::time::sleep(after).await;
                complete(&shared, job_id, &JobConclusion::Success);
            });
        }
    }
}

/// Ends a job and announces what follows.
pub(crate) fn complete(shared: &Arc<Mutex<Shared>>, job_id: i64, conclusion: &JobConclusion) -> bool {
    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
    let Some(changes) = s.data.complete_job(job_id, conclusion) else { return false };
    announce(shared, &mut s, changes);
    true
}

/// One route of the spec.
struct Route {
    method: String,
    segments: Vec<String>,
    operation: String,
}

fn routes() -> &'static [Route] {
    static ROUTES: OnceLock<Vec<Route>> = OnceLock::new();
    ROUTES.get_or_init(|| {
        let spec: Value = serde_json::from_str(include_str!("../../spec/openapi.json")).unwrap_or(Value::Null);
        let mut out = Vec::new();
        for (path, item) in spec["paths"].as_object().into_iter().flatten() {
            for (method, op) in item.as_object().into_iter().flatten() {
                if let Some(id) = op.get("operationId").and_then(Value::as_str) {
                    out.push(Route {
                        method: method.to_uppercase(),
                        segments: path.trim_start_matches('/').split('/').map(String::from).collect(),
                        operation: id.to_string(),
                    });
                }
            }
        }
        out
    })
}

/// The operation and path parameters of a request, preferring the route
/// with the most literal segments.
fn route(method: &str, path: &str) -> Option<(&'static str, BTreeMap<String, String>)> {
    let segs: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    routes()
        .iter()
        .filter(|r| r.method == method && r.segments.len() == segs.len())
        .filter_map(|r| {
            let mut params = BTreeMap::new();
            let mut literals = 0;
            for (t, s) in r.segments.iter().zip(&segs) {
                if let Some(name) = t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    params.insert(name.to_string(), s.clone());
                } else if t == s {
                    literals += 1;
                } else {
                    return None;
                }
            }
            Some((literals, r.operation.as_str(), params))
        })
        .max_by_key(|(l, _, _)| *l)
        .map(|(_, op, p)| (op, p))
}

/// Answers one request and notes when the answer was ready.
async fn handle(
    shared: Arc<Mutex<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    let index = {
        let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
        s.requests.push(LoggedRequest::of(&method, &uri, &headers, &body));
        // The fault of this request, taken as it is logged.
        (s.requests.len() - 1, s.faults.pop_front())
    };
    let (index, fault) = index;
    let response = answer(&shared, fault, method, uri, headers, body).await;
    if let Some(r) = shared.lock().unwrap_or_else(|p| p.into_inner()).requests.get_mut(index) {
        r.answered = Some(std::time::Instant::now());
    }
    response
}

/// Headers, the start of a body, then a broken connection.
pub(crate) fn reset() -> Response<Body> {
    let stream = futures::stream::iter(vec![
        Ok::<_, std::io::Error>(Bytes::from_static(b"{\"total_count\": ")),
        Err(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "injected reset")),
    ]);
    Response::builder()
        .status(200)
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

async fn answer(
    shared: &Arc<Mutex<Shared>>,
    fault: Option<Fault>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response<Body> {
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Status(code)) => return error_response(shared, code, &[], "injected fault"),
        Some(Fault::StatusWithHeaders(code, extra)) => return error_response(shared, code, &extra, "injected fault"),
        Some(Fault::Reset) => return reset(),
        Some(Fault::LoseAnswer) => {
            drop(Box::pin(answer(shared, None, method, uri, headers, body)).await);
            return reset();
        }
        None => {}
    }
    if method == Method::POST && uri.path() == "/actions/runner-registration" {
        return super::actions_http::register(shared, &headers, &body);
    }
    let version = match super::versions::requested(&headers) {
        Ok(version) => version,
        Err(message) => return error_response(shared, 400, &[], &message),
    };
    let mut s = shared.lock().unwrap_or_else(|p| p.into_inner());
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer ").or_else(|| v.strip_prefix("token ")))
        .unwrap_or_default();
    let auth = headers.get("authorization").map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let auth = auth.unwrap_or_default();
    if s.data.service.ever_issued.iter().any(|t| auth.contains(t.as_str())) {
        let what = format!("{method} {}: an Actions service token was sent to GitHub", uri.path());
        s.data.service.violations.push(what);
    }
    let routed = route(method.as_str(), uri.path());
    let token_request = routed.as_ref().is_some_and(|(op, _)| *op == "apps/create-installation-access-token");
    // App-level operations (`/app/...`) take the App's JWT, nothing else.
    let jwt_only = token_request || uri.path() == "/app" || uri.path().starts_with("/app/");
    let token_ok = if jwt_only {
        s.app.as_ref().is_some_and(|(id, key)| valid_jwt(bearer, id, key))
    } else {
        !bearer.is_empty() && (bearer == s.token || s.issued.contains(bearer))
    };
    if !token_ok {
        drop(s);
        let message = if jwt_only { "A JSON web token could not be decoded" } else { "Bad credentials" };
        return error_response(shared, 401, &[], message);
    }
    // GitHub neither counts nor refuses GET /rate_limit; the App's own
    // calls (its JWT) count against the App's quota, not the installation's.
    let exempt = routed.as_ref().is_some_and(|(op, _)| *op == "rate-limit/get");
    if s.rate_used >= s.rate_limit && !exempt && !jwt_only {
        let msg = "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.";
        drop(s);
        return error_response(shared, 403, &[], msg);
    }
    let Some((operation, params)) = routed else {
        drop(s);
        return error_response(shared, 404, &[], "Not Found");
    };
    let query: BTreeMap<String, String> =
        url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let json_body: Value =
        if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
    let base = s.base_url.clone();
    // An organization hook's deliveries: the organization must exist
    // before anything (a redelivery included) happens.
    let org_missing = params.get("org").is_some_and(|o| !s.data.scopes.contains_key(&FakeScope::org(o)));
    let outcome = match (org_missing, operation.starts_with("orgs/")) {
        (true, true) => Err(not_found()),
        _ => match s.hooks.api(operation, &base, uri.path(), &params, &query) {
            Some(outcome) => outcome,
            None => dispatch(&mut s.data, &base, operation, &params, &query, &json_body),
        },
    };
    let (status, value, link) = match outcome {
        Ok(Outcome::Json(code, v)) => (code, Some(v), None),
        Ok(Outcome::Cursor(items, next)) => (200, Some(Value::Array(items)), next),
        Ok(Outcome::Empty(code)) => (code, None, None),
        Ok(Outcome::List(key, items)) => {
            let per_page = query.get("per_page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(30).clamp(1, 100);
            let page = query.get("page").and_then(|v| v.parse::<usize>().ok()).unwrap_or(1).max(1);
            let total = items.len();
            let last = total.div_ceil(per_page).max(1);
            let chunk: Vec<Value> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
            let mut v = json!({"total_count": total});
            v[key] = Value::Array(chunk);
            (200, Some(v), link_header(&base, uri.path(), &query, page, last))
        }
        Err(Refusal(code, v)) => (code, Some(v), None),
    };
    let mut value = value;
    if let Some(answer) = value.as_mut() {
        super::versions::shape(operation, status, version, answer);
    }
    if token_request && let Some(token) = value.as_ref().and_then(|v| v["token"].as_str()) {
        s.issued.insert(token.to_string());
    }
    s.responses.push(LoggedResponse { operation: operation.to_string(), status, body: value.clone() });
    let bytes = value.as_ref().map(|v| serde_json::to_vec(v).unwrap_or_default()).unwrap_or_default();
    let etag = format!("W/\"{:016x}\"", fnv(&bytes));
    let not_modified = method == Method::GET
        && status == 200
        && headers.get("if-none-match").and_then(|v| v.to_str().ok()) == Some(etag.as_str());
    if jwt_only {
        s.app_rate_used += 1;
    } else if !not_modified && operation != "rate-limit/get" {
        s.rate_used += 1;
    }
    let mut resp = Response::builder().status(if not_modified { 304 } else { status });
    let headers = if jwt_only { app_rate_headers(&s) } else { rate_headers(&s) };
    for (k, v) in headers {
        resp = resp.header(k, v);
    }
    resp = resp.header("x-github-request-id", format!("FAKE:{:08X}", s.requests.len()));
    if method == Method::GET && status == 200 {
        resp = resp.header("etag", etag);
    }
    if let Some(link) = link {
        resp = resp.header("link", link);
    }
    if not_modified || value.is_none() {
        return resp.body(Body::empty()).unwrap_or_default();
    }
    resp.header("content-type", "application/json; charset=utf-8").body(Body::from(bytes)).unwrap_or_default()
}

/// An RS256 JWT signed by the App's key, issued by `app_id`, not expired.
fn valid_jwt(jwt: &str, app_id: &str, key: &jsonwebtoken::DecodingKey) -> bool {
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    v.set_issuer(&[app_id]);
    v.set_required_spec_claims(&["exp", "iat", "iss"]);
    jsonwebtoken::decode::<Value>(jwt, key, &v).is_ok()
}

/// The App's own quota (5,000 an hour), which its JWT calls use.
fn app_rate_headers(s: &Shared) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", "5000".to_string()),
        ("x-ratelimit-remaining", 5000u64.saturating_sub(s.app_rate_used).to_string()),
        ("x-ratelimit-used", s.app_rate_used.to_string()),
        ("x-ratelimit-reset", s.rate_reset.to_string()),
        ("x-ratelimit-resource", "core".to_string()),
    ]
}

fn rate_headers(s: &Shared) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", s.rate_limit.to_string()),
        ("x-ratelimit-remaining", s.rate_limit.saturating_sub(s.rate_used).to_string()),
        ("x-ratelimit-used", s.rate_used.to_string()),
        ("x-ratelimit-reset", s.rate_reset.to_string()),
        ("x-ratelimit-resource", "core".to_string()),
    ]
}

fn error_response(shared: &Arc<Mutex<Shared>>, code: u16, extra: &[(String, String)], message: &str) -> Response<Body> {
    let s = shared.lock().unwrap_or_else(|p| p.into_inner());
    let body = github_error(code, message).1;
    let mut resp = Response::builder().status(StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR));
    for (k, v) in rate_headers(&s) {
        resp = resp.header(k, v);
    }
    for (k, v) in extra {
        if let Ok(v) = HeaderValue::from_str(v) {
            resp = resp.header(k.as_str(), v);
        }
    }
    resp.header("content-type", "application/json; charset=utf-8")
        .body(Body::from(body.to_string()))
        .unwrap_or_default()
}

fn link_header(base: &str, path: &str, query: &BTreeMap<String, String>, page: usize, last: usize) -> Option<String> {
    if last <= 1 {
        return None;
    }
    let url = |p: usize| {
        let mut q: BTreeMap<String, String> = query.clone();
        q.insert("page".into(), p.to_string());
        let qs: Vec<String> = q.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("<{base}{path}?{}>", qs.join("&"))
    };
    let mut parts = Vec::new();
    if page > 1 {
        parts.push(format!("{}; rel=\"prev\"", url(page - 1)));
    }
    if page < last {
        parts.push(format!("{}; rel=\"next\"", url(page + 1)));
        parts.push(format!("{}; rel=\"last\"", url(last)));
    }
    if page > 1 {
        parts.push(format!("{}; rel=\"first\"", url(1)));
    }
    Some(parts.join(", "))
}

fn scope_of(params: &BTreeMap<String, String>) -> Option<FakeScope> {
    if let Some(e) = params.get("enterprise") {
        Some(FakeScope::enterprise(e))
    } else if let Some(o) = params.get("org") {
        Some(FakeScope::org(o))
    } else {
        Some(FakeScope::repo(params.get("owner")?, params.get("repo")?))
    }
}

/// Answers one operation: the scope-less ones here, the others by the
/// handler of their area (`src/testkit/<area>.rs`).
fn dispatch(
    data: &mut Data,
    base: &str,
    operation: &str,
    params: &BTreeMap<String, String>,
    query: &BTreeMap<String, String>,
    body: &Value,
) -> Result<Outcome, Refusal> {
    match operation {
        "rate-limit/get" => {
            let core = json!({"limit": 5000, "remaining": 5000, "reset": 0, "used": 0});
            let search = json!({"limit": 30, "remaining": 30, "reset": 0, "used": 0});
            return Ok(Outcome::Json(200, json!({"resources": {"core": core, "search": search}, "rate": core})));
        }
        "apps/list-repos-accessible-to-installation" => {
            return Ok(Outcome::List("repositories", installation_repositories(data)));
        }
        "apps/create-installation-access-token" => {
            let n = data.next_id();
            return Ok(Outcome::Json(
                201,
                json!({"token": format!("ghs_fake{n:032}"), "expires_at": token_json(String::new())["expires_at"],
                       "permissions": {"organization_self_hosted_runners": "write"}, "repository_selection": "all"}),
            ));
        }
        _ => {}
    }
    let scope = scope_of(params).ok_or_else(not_found)?;
    if !data.scopes.contains_key(&scope) {
        // Before an id is drawn: a 404 uses none up.
        return Err(not_found());
    }
    let next = data.next_id();
    let sd = data.scopes.get_mut(&scope).ok_or_else(not_found)?;
    let mut call = Call { action: action(operation), scope: &scope, sd, next, base, params, query, body };
    let areas = [runners::handle, groups::handle, hosted::handle, network::handle, permissions::handle, jobs::handle];
    areas
        .iter()
        .find_map(|handle| handle(&mut call))
        .unwrap_or_else(|| Err(github_error(501, &format!("the fake does not implement {operation}"))))
}

/// The repositories the installation may act on: every repository the
/// fake knows (seeded runners, jobs queued), each once.
fn installation_repositories(data: &Data) -> Vec<Value> {
    data.scopes
        .keys()
        .filter_map(|k| match k {
            FakeScope::Repo(owner, name) => {
                let full = format!("{owner}/{name}");
                let mut v = super::catalog::installation_repository(super::fnv::repository_id(&full), owner);
                v["name"] = json!(name);
                v["full_name"] = json!(full);
                let public = data.is_public(k);
                v["private"] = json!(!public);
                v["visibility"] = json!(if public { "public" } else { "private" });
                Some(v)
            }
            _ => None,
        })
        .collect()
}

impl FakeGitHub {
    /// A fake seeded with a demo fleet: organization `octo-org` with 36
    /// self-hosted runners across three groups (some offline, some busy), two
    /// GitHub-hosted runners and a network configuration; repository
    /// `octo-org/octo-repo` with 3 runners; enterprise `octo-ent` with 4.
    pub async fn demo() -> FakeGitHub {
        let org = FakeScope::org("octo-org");
        let mut b = FakeGitHub::builder()
            .org("octo-org")
            .runner_group(org.clone(), 2, "gpu")
            .runner_group(org.clone(), 3, "arm64")
            .hosted_runner(org.clone(), 9001, "ubuntu-4core")
            .hosted_runner(org.clone(), 9002, "ubuntu-8core")
            .network_configuration(org.clone(), "B7E6C3D2A1F0", "private-vnet");
        let mut id = 100;
        let mut add = |b: FakeGitHubBuilder, scope: &FakeScope, runner: FakeRunner| {
            id += 1;
            b.runner(scope.clone(), runner.id(id))
        };
        for i in 1..=20 {
            let mut r = FakeRunner::new(format!("ci-linux-{i:02}")).labels(["docker"]);
            r = match i % 5 {
                0 => r,            // offline
                1 | 2 => r.busy(), // running a job
                _ => r.online(),   // idle
            };
            b = add(b, &org, r);
        }
        for i in 1..=8 {
            let r = FakeRunner::new(format!("gpu-a100-{i:02}")).labels(["gpu", "a100"]).group(2);
            b = add(b, &org, if i <= 5 { r.busy() } else { r });
        }
        for i in 1..=8 {
            let r = FakeRunner::new(format!("mac-m2-{i:02}")).os("macos").labels(["arm64"]).group(3);
            b = add(b, &org, if i % 3 == 0 { r } else { r.online() });
        }
        let repo = FakeScope::repo("octo-org", "octo-repo");
        for i in 1..=3 {
            b = add(b, &repo, FakeRunner::new(format!("repo-runner-{i}")).online());
        }
        let ent = FakeScope::enterprise("octo-ent");
        for i in 1..=4 {
            let r = FakeRunner::new(format!("ent-runner-{i}")).os("windows");
            b = add(b, &ent, if i == 4 { r } else { r.online() });
        }
        b.start().await
    }
}
