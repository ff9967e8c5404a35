//! The transport layer: every request of the generated client, and so of the
//! facade built on it, passes through [`ClientHooks::exec`] here.
//!
//! progenitor lets the generated `Client` carry an inner value ([`Inner`]) and
//! lets that client override `exec`, the call that hands a finished
//! `reqwest::Request` to the network. Keeping the transport concerns in that
//! one function (the approach of oxide.rs) means the typed facade and the raw
//! generated client (the escape hatch, [`crate::Client::raw`]) behave the
//! same. A `reqwest` middleware stack would have worked as well, but would
//! have put a second client type between users and the generated code.
//!
//! What `exec` does to every request:
//! - removes the `api-version` header that progenitor adds from the spec's
//!   `info.version`: GitHub does not know it;
//! - sends `Accept: application/vnd.github+json`, `X-GitHub-Api-Version`
//!   (see [`crate::ClientBuilder::api_version`]), the user agent and the credential
//!   (`Authorization: Bearer ...`, marked sensitive so it is never logged).
//!
//! And around every request, in this order:
//! - **authentication**: a static token, or a GitHub App installation token
//!   obtained with a signed JWT and renewed 5 minutes before it expires (one
//!   renewal shared by concurrent requests; a 401 triggers one renewal and
//!   one retry);
//! - **the gate** (`gate.rs`): a rate limit learned from any response holds
//!   every later request of the credential until it passes (a secondary
//!   limit every request, a spent primary quota its resource until the
//!   reset); a held request waits within the policies, or gets the 403/429
//!   at once without anything sent;
//! - **pacing**: mutating requests (POST, PATCH, PUT, DELETE) one at a time
//!   per credential, each at least [`crate::ClientBuilder::mutation_interval`]
//!   (1 s) after the last one ended, as GitHub's best practices ask;
//! - **the fleet** ([`Fleet`]): the gate, the pacing and the App token are
//!   kept in the client (and its clones), or with the `redis` feature
//!   shared through Redis by every replica of a fleet (`RedisFleet`);
//! - **conditional requests**: GET responses with an `ETag` or
//!   `Last-Modified` are cached (bounded, keyed by URL and
//!   credential) and revalidated; a 304 is answered from the cache, costing
//!   no primary quota;
//! - **retries** ([`RetryPolicy`]): connection failures, timeouts and
//!   500/502/503/504 for safe operations, with exponential backoff and full
//!   jitter; never a blind retry of a POST or PATCH; a JIT config whose
//!   outcome is unknown is resolved by looking the runner up by name;
//! - **rate limits**: every response updates the snapshot
//!   ([`crate::Client::rate_limit`]); a secondary limit waits `Retry-After`
//!   (or a minute and more) and retries; an exhausted primary limit fails, or
//!   waits for the reset under [`RateLimitPolicy::Wait`];
//! - **error bodies**: a body that is not a JSON object (an HTML page from a
//!   proxy, an empty 502) is replaced by `{"message": "<the first bytes>"}`,
//!   so the caller gets the variant for its status, not a decoding error;
//! - **bounds**: every wait a server dictates is at most
//!   [`RetryPolicy::max_wait`] (else the call returns at once with the
//!   advised wait), the pacing permit is released while waiting, response
//!   bodies are read incrementally up to [`DEFAULT_MAX_RESPONSE_BYTES`]
//!   (configurable), and the cache is bounded in entries and bytes;
//! - **paths**: the `pre` hook refuses a request whose path does not have
//!   exactly the segments of its operation's template (`src/path.rs`
//!   says why both encoding and this check are needed);
//! - **tracing**: one `gha_runners.request` span per request with the
//!   operation id, method, path template, status, attempt, rate-limit
//!   remaining and duration; retries and waits are logged at `debug`/`warn`.
//!   Headers and bodies are never logged.
//!
//! Redirects (GitHub answers renamed repositories with 301/307) are followed
//! by reqwest, which drops the `Authorization` header when the redirect
//! leads to another host or port.

mod attempts;
mod auth;
mod cache;
mod clock;
mod fleet;
#[cfg(feature = "redis")]
mod fleet_redis;
mod gate;
mod jit;
mod pacing;
mod policy;
mod rate;
pub(crate) mod response;
mod retry;

pub use auth::GitHubApp;
pub use clock::{Clock, SystemClock, VirtualClock};
pub use fleet::Fleet;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub use fleet_redis::{DEFAULT_LOCK_LEASE, DEFAULT_REDIS_TIMEOUT, RedisFleet};
pub use pacing::{DEFAULT_MUTATION_INTERVAL, MAX_MUTATION_INTERVAL};
pub use policy::{RateLimitPolicy, RetryPolicy};
pub use rate::RateLimit;
pub use response::BodyTooLarge;

pub(crate) use auth::{AppAuth, bearer};
pub(crate) use fleet::{Link, link};
pub(crate) use gate::Gate;
pub(crate) use pacing::Pacer;
pub(crate) use policy::transient_status;
pub(crate) use rate::classify as classify_rate_limit;

/// A conditional-request cache holding at most `capacity` responses and
/// `max_bytes` bytes.
pub(crate) fn new_cache(capacity: usize, max_bytes: usize) -> cache::Cache {
    cache::Cache::new(capacity, max_bytes)
}
pub(crate) use clock::SharedClock;

use crate::Secret;
use crate::generated::Client;
use attempts::Attempts;
use pacing::Pacing;
use policy::Retry;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use response::{Buffered, Read};
use retry::Decision;
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::Instrument;

pub use crate::version::DEFAULT_API_VERSION;

/// The media type GitHub recommends for every REST request.
pub const GITHUB_MEDIA_TYPE: &str = "application/vnd.github+json";

/// The user agent sent unless another is configured.
pub const DEFAULT_USER_AGENT: &str = concat!("gha-runners/", env!("CARGO_PKG_VERSION"));

/// Responses the conditional-request cache keeps by default.
pub const DEFAULT_CACHE_CAPACITY: usize = 512;

/// Bytes the conditional-request cache keeps by default (bodies and
/// headers): 32 MiB, some 2,000 pages of 100 runners.
pub const DEFAULT_CACHE_MAX_BYTES: usize = 32 << 20;

/// The largest response body read by default: 8 MiB.
///
/// The largest real answers of the runner API are about 1 MB (a page of
/// 100 repositories in a runner group's access list, or 100 runners with
/// 100 labels each); 8 MiB leaves eight times that, while a proxy or a
/// broken server that sends gigabytes is refused after 8 MiB instead of
/// exhausting memory (and 64 requests in flight stay under 512 MiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 8 << 20;

/// The header progenitor adds to every request; never sent to GitHub.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The header GitHub reads the REST API version from.
pub const X_GITHUB_API_VERSION: HeaderName = HeaderName::from_static("x-github-api-version");

/// Marks the answer the transport makes up when a JIT config request's
/// outcome was unknown and the runner turned out to exist (value: its id).
pub(crate) const JIT_OUTCOME_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-jit-outcome");

/// The runner name of that made-up answer, percent-encoded.
pub(crate) const JIT_RUNNER_NAME_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-jit-runner-name");

/// Marks the answer the transport makes up when GitHub App authentication
/// failed (value: the [`crate::AppAuthFailure`] name).
pub(crate) const APP_TOKEN_FAILURE_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-app-token-failure");

/// The status of the token request's answer in that made-up answer.
pub(crate) const APP_TOKEN_STATUS_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-app-token-status");

/// The transport's classification of a 403/429 it hands back
/// (`primary`, `secondary` or `none`), made on the whole body, so that
/// [`crate::Error`] agrees with it even when the body is not JSON.
pub(crate) const RATE_LIMIT_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-rate-limit");

/// Marks the 403/429 the transport hands back, without sending anything,
/// for a request a learned rate limit holds longer than the caller waits.
pub(crate) const HELD_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-held");

/// Marks the 204 the transport hands back for a DELETE whose first answer
/// was lost and whose retry found the resource gone.
pub const DELETED_EARLIER_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-deleted-earlier");

/// Per-client transport state carried inside the generated client.
#[derive(Clone)]
pub struct Inner {
    api_version: HeaderValue,
    user_agent: HeaderValue,
    pub(crate) authorization: Option<HeaderValue>,
    pub(crate) app: Option<Arc<AppAuth>>,
    /// The deployment operations are checked against; `None`: no check.
    pub(crate) deployment: Option<crate::Deployment>,
    /// Where exchanges are recorded, if anywhere.
    pub(crate) recorder: Option<crate::record::Recorder>,
    pub(crate) retry: RetryPolicy,
    pub(crate) rate_policy: RateLimitPolicy,
    pub(crate) clock: SharedClock,
    pub(crate) cache: Option<Arc<Mutex<cache::Cache>>>,
    /// The largest response body read.
    pub(crate) max_body: u64,
    pub(crate) rate: Arc<Mutex<Option<RateLimit>>>,
    /// The rate-limit gate of the credential (see `gate.rs`).
    pub(crate) gate: Arc<Gate>,
    /// Write pacing (`None`: mutations are not paced).
    pub(crate) pacer: Option<Arc<Pacer>>,
    /// The link to the other members of the credential's fleet, if any.
    pub(crate) link: Option<Arc<dyn Link>>,
    /// The base URL's path, parsed on first use, with the base URL it is of.
    base_path: std::sync::OnceLock<(String, String)>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("api_version", &self.api_version)
            .field("user_agent", &self.user_agent)
            .field("authorization", &self.authorization.as_ref().map(|_| crate::secret::REDACTED))
            .field("app", &self.app)
            .field("deployment", &self.deployment)
            .field("recording", &self.recorder.is_some())
            .field("retry", &self.retry)
            .field("rate_policy", &self.rate_policy)
            .field("cache", &self.cache.as_ref().map(|c| c.lock().map(|c| (c.len(), c.bytes())).unwrap_or_default()))
            .field("max_body", &self.max_body)
            .field("gate", &self.gate)
            .field("pacer", &self.pacer)
            .field("fleet", &self.link)
            .finish()
    }
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            api_version: HeaderValue::from_static(DEFAULT_API_VERSION),
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            authorization: None,
            app: None,
            deployment: None,
            recorder: None,
            retry: RetryPolicy::default(),
            rate_policy: RateLimitPolicy::default(),
            clock: Arc::new(SystemClock),
            cache: Some(Arc::new(Mutex::new(cache::Cache::new(DEFAULT_CACHE_CAPACITY, DEFAULT_CACHE_MAX_BYTES)))),
            max_body: DEFAULT_MAX_RESPONSE_BYTES,
            rate: Arc::default(),
            gate: Arc::default(),
            pacer: Some(Arc::new(Pacer::new(DEFAULT_MUTATION_INTERVAL))),
            link: None,
            base_path: std::sync::OnceLock::new(),
        }
    }
}

impl Inner {
    /// Transport state requesting `api_version` (`X-GitHub-Api-Version`);
    /// `None` if it cannot be a header value.
    ///
    /// ```
    /// let inner = gha_runners::transport::Inner::with_api_version("2022-11-28").unwrap();
    /// assert_eq!(inner.api_version(), "2022-11-28");
    /// assert!(gha_runners::transport::Inner::with_api_version("bad\nvalue").is_none());
    /// ```
    pub fn with_api_version(api_version: &str) -> Option<Self> {
        Self::default().api_version_header(api_version)
    }

    fn api_version_header(mut self, api_version: &str) -> Option<Self> {
        self.api_version = HeaderValue::from_str(api_version).ok()?;
        Some(self)
    }

    /// Builds the transport state; `Err` names the value that cannot be a header.
    pub(crate) fn new(api_version: &str, user_agent: &str, token: Option<&Secret>) -> Result<Self, &'static str> {
        let mut inner = Self::default().api_version_header(api_version).ok_or("api_version")?;
        inner.user_agent = HeaderValue::from_str(user_agent).map_err(|_| "user_agent")?;
        inner.authorization = match token {
            Some(t) => Some(auth::bearer(t.expose_secret()).ok_or("token")?),
            None => None,
        };
        Ok(inner)
    }

    /// The path of the client's base URL (`/api/v3` on GHES), parsed once.
    fn base_path<'a>(&'a self, base_url: &str) -> std::borrow::Cow<'a, str> {
        let parse = |b: &str| reqwest::Url::parse(b).map(|u| u.path().to_string()).unwrap_or_default();
        match self.base_path.get_or_init(|| (base_url.to_string(), parse(base_url))) {
            (url, path) if url == base_url => std::borrow::Cow::Borrowed(path),
            // State copied into a client with another base URL.
            _ => std::borrow::Cow::Owned(parse(base_url)),
        }
    }

    /// The `User-Agent` sent.
    pub(crate) fn user_agent_header(&self) -> &HeaderValue {
        &self.user_agent
    }

    /// The requested REST API version.
    pub fn api_version(&self) -> &str {
        self.api_version.to_str().unwrap_or(DEFAULT_API_VERSION)
    }

    /// The latest rate-limit snapshot.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        self.rate.lock().ok().and_then(|r| r.clone())
    }

    /// Updates the rate-limit snapshot from a response's headers, if it has
    /// them; returns the requests remaining and, for a spent quota
    /// (`x-ratelimit-remaining: 0`, whatever the status), the hold of its
    /// resource until the reset. `operation` (if any) is noted as counted
    /// against the resource GitHub named, and quota left in a later window
    /// lifts that resource's hold.
    fn observe_rate_limit(
        &self,
        headers: &HeaderMap,
        operation: Option<&'static str>,
    ) -> Option<(u64, Option<gate::Hold>)> {
        let snapshot = RateLimit::from_headers(headers)?;
        let remaining = snapshot.remaining;
        if let Some(operation) = operation {
            self.gate.counted(operation, &snapshot.resource);
            if remaining > 0 {
                self.gate.lift(&snapshot.resource, snapshot.reset, self.clock.now());
            }
        }
        let spent = (remaining == 0).then(|| gate::Hold {
            kind: crate::RateLimitKind::Primary,
            resource: Some(snapshot.resource.clone()),
            // GitHub's reset is in whole seconds: one more for the rounding.
            until: snapshot.reset.checked_add_signed(chrono::Duration::seconds(1)).unwrap_or(snapshot.reset),
            reset_at: Some(snapshot.reset),
        });
        if let Ok(mut r) = self.rate.lock() {
            *r = Some(snapshot);
        }
        Some((remaining, spent))
    }

    /// Holds the gate for `hold` and, when that is news, tells the fleet.
    pub(crate) async fn learn(&self, mut hold: gate::Hold) {
        hold.until = gate::capped(hold.until, self.clock.now());
        if self.gate.hold(hold.clone())
            && let Some(link) = &self.link
        {
            link.tell(&hold).await;
        }
    }

    /// How many installation tokens App authentication has requested.
    pub(crate) fn app_renewals(&self) -> Option<u64> {
        self.app.as_ref().map(|a| a.renewals.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Rewrites the headers of an outgoing request as described in the
    /// module docs (the credential is set per attempt).
    fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION);
        headers.insert(X_GITHUB_API_VERSION, self.api_version.clone());
        headers.insert(ACCEPT, HeaderValue::from_static(GITHUB_MEDIA_TYPE));
        headers.insert(USER_AGENT, self.user_agent.clone());
    }
}

impl ClientHooks<Inner> for Client {
    /// Refuses, before anything is sent, an operation the configured
    /// deployment does not publish (the facade checks the same earlier, with
    /// a typed error; this covers calls through [`crate::Client::raw`]).
    ///
    /// Also refuses a request whose path does not have exactly the segments
    /// of its operation's template (see `src/path.rs`): nothing a caller
    /// passes as a path parameter can address another resource.
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Some(&(id, _, on, template)) = crate::deployment::by_progenitor_id(info.operation_id) else {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "{}: no path template is known for this operation",
                info.operation_id
            )));
        };
        if let Some(deployment) = &self.inner().deployment
            && let Err(e) = crate::deployment::check_on(id, on, deployment)
        {
            return Err(progenitor_client::Error::Custom(e.to_string()));
        }
        let base_path = self.inner().base_path(self.baseurl());
        crate::path::check(template, &base_path, request.url()).map_err(progenitor_client::Error::InvalidRequest)
    }

    async fn exec(&self, mut request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        self.inner().prepare(&mut request);
        let (operation, template) = match crate::deployment::by_progenitor_id(info.operation_id) {
            Some(&(id, _, _, template)) => (id, template),
            None => (info.operation_id, ""),
        };
        let span = tracing::debug_span!(
            "gha_runners.request",
            operation,
            method = %request.method(),
            path = template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            rate_remaining = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let result = if span.is_disabled() {
            // No subscriber wants it: spare the wrapper on every poll.
            send(self, request, operation, &span).await
        } else {
            send(self, request, operation, &span).instrument(span.clone()).await
        };
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Ok(r) = &result {
            span.record("status", r.status().as_u16());
        }
        result
    }
}

/// What one attempt's answer means for the request.
enum Next {
    /// Hand back this answer from the server (recorded when recording).
    Answer(Buffered),
    /// Hand back this answer, made up by the transport (nothing to record).
    MadeUp(reqwest::Response),
    /// Record the server's answer, hand back the transport's.
    Replaced(Buffered, reqwest::Response),
    /// Try again, after this wait if any (the pacing permit is released).
    Retry(Option<Duration>),
    /// Hand back this error.
    Fail(reqwest::Error),
}

/// One request as it goes through its attempts.
struct Call<'a> {
    /// The request's span (recorded into directly: when it is disabled,
    /// the current span is the caller's).
    span: &'a tracing::Span,
    operation: &'static str,
    kind: Retry,
    tries: Attempts,
    pacing: Pacing<'a>,
    cache_key: Option<cache::Key>,
    /// Sent with the App's JWT and counted against the App's quota: the
    /// credential's gate neither holds it nor learns from it.
    app_level: bool,
}

/// The transport around one request, attempt by attempt: the credential,
/// the gate and the pacing permit, the conditional headers, the exchange
/// (read within the body limit), then what the answer means ([`judge`]).
async fn send(
    client: &Client,
    request: reqwest::Request,
    operation: &'static str,
    span: &tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    let inner = client.inner();
    let mut call = Call {
        span,
        operation,
        kind: policy::classify(request.method(), operation),
        tries: Attempts::default(),
        pacing: Pacing::new(inner, request.method()),
        cache_key: cache::key(inner, &request),
        app_level: inner.app.is_some() && auth::app_level(operation),
    };
    if let Some(link) = &inner.link {
        link.ensure_started();
    }
    let result = attempts(client, request, &mut call).await;
    call.pacing.release().await;
    result
}

async fn attempts(
    client: &Client,
    request: reqwest::Request,
    call: &mut Call<'_>,
) -> reqwest::Result<reqwest::Response> {
    let inner = client.inner();
    let operation = call.operation;
    loop {
        call.tries.number += 1;
        call.span.record("attempt", call.tries.number);
        let Some(mut req) = request.try_clone() else {
            // A streaming body cannot be sent twice: send it once, as is.
            // (The generated client always sends bytes; this is for safety.)
            let mut response = client.client().execute(request).await?;
            response::strip_markers(response.headers_mut());
            return Ok(response);
        };
        let mut credential = match auth::authorization(client, call.operation).await {
            Ok(h) => h,
            Err(failure) => return Ok(failure.into_response(request.url())),
        };
        match admit(inner, call, request.url()).await {
            Admitted::Go => {}
            Admitted::Held(held) => return Ok(held),
            // A token may have come due during a long wait; the gate is
            // asked again after the renewal.
            Admitted::AfterWaiting => {
                credential = match auth::authorization(client, call.operation).await {
                    Ok(h) => h,
                    Err(failure) => return Ok(failure.into_response(request.url())),
                };
                if let Admitted::Held(held) = admit(inner, call, request.url()).await {
                    return Ok(held);
                }
            }
        }
        if let Some(h) = &credential {
            req.headers_mut().insert(AUTHORIZATION, h.clone());
        }
        let cached = cache::conditional(inner, call.cache_key.as_ref(), req.headers_mut());
        let recorded = inner.recorder.as_ref().map(|_| record_request(client, &req));
        // The whole body is read here, so a connection that breaks in the
        // middle of it is handled like any other transport failure.
        call.pacing.sending();
        let outcome = match client.client().execute(req).await {
            Ok(r) => response::read_bounded(r, inner.max_body).await,
            Err(e) => Err(e),
        };
        call.pacing.ended();
        let next = match outcome {
            Ok(Read::Whole(answer)) => judge(client, &request, call, answer, cached.as_deref(), credential).await,
            Ok(Read::TooLarge(refused)) => {
                tracing::warn!(operation, limit = inner.max_body, declared = ?refused.declared, "response body over the limit: refused");
                Next::MadeUp(response::too_large(refused, inner.max_body))
            }
            Err(e) => match retry::after_error(client, &request, call.kind, &mut call.tries, &e, operation).await {
                Decision::Retry(wait) => Next::Retry(Some(wait)),
                Decision::Answer(made_up) => Next::MadeUp(made_up),
                Decision::GiveUp => Next::Fail(e),
            },
        };
        match next {
            Next::Answer(answer) => return Ok(finish(client, operation, recorded, answer)),
            Next::MadeUp(made_up) => return Ok(made_up),
            Next::Replaced(answer, made_up) => {
                let _ = finish(client, operation, recorded, answer);
                return Ok(made_up);
            }
            Next::Retry(Some(wait)) => call.pacing.wait(wait).await,
            Next::Retry(None) => call.pacing.release().await,
            Next::Fail(e) => return Err(e),
        }
    }
}

/// What the gate and pacing said of an attempt.
enum Admitted {
    /// Send it now.
    Go,
    /// Send it now; it waited for a limit to pass first.
    AfterWaiting,
    /// Hand back this answer, nothing sent.
    Held(reqwest::Response),
}

/// Takes the pacing permit (for a mutation) and passes the gate: waits
/// while a learned limit holds the request, if the policy allows that wait
/// (the permit released meanwhile), or hands back the limit's 403/429
/// without sending anything.
async fn admit(inner: &Inner, call: &mut Call<'_>, url: &reqwest::Url) -> Admitted {
    let mut waited = false;
    loop {
        // The gate first: a held mutation takes neither the permit nor the
        // fleet's lock; and again once they are taken (a limit may have
        // been learned meanwhile).
        let admission =
            if call.app_level { gate::Admission::Go } else { inner.gate.admit(call.operation, inner.clock.now()) };
        if let gate::Admission::Held(hold) = admission {
            call.pacing.release().await;
            let wait = (hold.until - inner.clock.now()).to_std().unwrap_or_default();
            if !rate::may_wait(inner, hold.kind, wait) {
                tracing::warn!(operation = call.operation, kind = %hold.kind, wait_s = wait.as_secs(), "rate limit in force: not sent");
                return Admitted::Held(rate::held(&hold, wait, url));
            }
            tracing::debug!(operation = call.operation, kind = %hold.kind, wait_ms = wait.as_millis() as u64, "rate limit in force: waiting");
            inner.gate.wait(&hold, &inner.clock).await;
            waited = true;
            continue;
        }
        if call.pacing.holds() {
            return if waited { Admitted::AfterWaiting } else { Admitted::Go };
        }
        call.pacing.acquire().await;
        if !call.pacing.holds() {
            // Not a paced request.
            return if waited { Admitted::AfterWaiting } else { Admitted::Go };
        }
    }
}

/// What an answer means, in order: the rate-limit snapshot; a 304 served
/// from the cache; a server error retried; a DELETE's 404 after a lost
/// answer; a rate limit waited out (or marked); a 401 that renews the
/// installation token; a 200 cached; an error body made JSON.
async fn judge(
    client: &Client,
    request: &reqwest::Request,
    call: &mut Call<'_>,
    mut answer: Buffered,
    cached: Option<&cache::Entry>,
    credential: Option<HeaderValue>,
) -> Next {
    let inner = client.inner();
    let status = answer.status;
    let counted = (!call.app_level).then_some(call.operation);
    if let Some((remaining, spent)) = inner.observe_rate_limit(&answer.headers, counted) {
        call.span.record("rate_remaining", remaining);
        if let Some(hold) = spent.filter(|_| !call.app_level) {
            inner.learn(hold).await;
        }
    }
    if let (StatusCode::NOT_MODIFIED, Some(entry)) = (status, cached) {
        tracing::debug!(operation = call.operation, "304 Not Modified: served from the cache");
        return Next::Answer(cache::revalidated(entry, &answer));
    }
    match retry::after_status(client, request, call.kind, &mut call.tries, status, call.operation).await {
        Decision::Retry(wait) => return Next::Retry(Some(wait)),
        Decision::Answer(made_up) => return Next::MadeUp(made_up),
        Decision::GiveUp => {}
    }
    if retry::deleted_earlier(request.method(), status, &call.tries, call.operation) {
        tracing::warn!(
            operation = call.operation,
            "DELETE answered 404 after an attempt whose answer was lost: it was deleted then"
        );
        let deletion = retry::deletion(&answer);
        return Next::Replaced(answer, deletion);
    }
    if let Some(wait) = rate::judge(inner, &mut call.tries, &mut answer, call.operation, call.app_level).await {
        return Next::Retry(Some(wait));
    }
    if status == StatusCode::UNAUTHORIZED
        && auth::rejected(inner, credential.as_ref(), &mut call.tries.renewed, call.operation).await
    {
        return Next::Retry(None);
    }
    if let Some(key) = call.cache_key.take() {
        cache::store(inner, key, &answer);
    }
    Next::Answer(if status.as_u16() >= 400 { response::json_error_body(answer) } else { answer })
}
fn record_request(client: &Client, req: &reqwest::Request) -> crate::record::RecordedRequest {
    let base_path = reqwest::Url::parse(client.baseurl()).map(|u| u.path().trim_end_matches('/').to_string());
    let url = req.url();
    crate::record::RecordedRequest {
        method: req.method().to_string(),
        path: url.path().strip_prefix(base_path.as_deref().unwrap_or("")).unwrap_or(url.path()).to_string(),
        query: url.query().unwrap_or_default().to_string(),
        headers: crate::record::request_headers(req.headers()),
        body: req.body().and_then(|b| b.as_bytes()).and_then(crate::record::json_body),
    }
}

/// Records the exchange (when recording) and hands the response back.
fn finish(
    client: &Client,
    operation: &str,
    request: Option<crate::record::RecordedRequest>,
    response: Buffered,
) -> reqwest::Response {
    if let (Some(recorder), Some(request)) = (&client.inner().recorder, request) {
        recorder.push(crate::record::Exchange {
            format: crate::record::FORMAT.into(),
            operation: operation.to_string(),
            recorded: recorder.provenance(),
            request,
            response: crate::record::RecordedResponse {
                status: response.status.as_u16(),
                headers: crate::record::response_headers(&response.headers),
                body: crate::record::json_body(&response.body),
            },
        });
    }
    response.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_replaces_progenitor_header_with_github_headers() {
        let mut req = reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/x".parse().unwrap());
        req.headers_mut().insert(PROGENITOR_API_VERSION, HeaderValue::from_static("2022-11-28"));
        req.headers_mut().insert(ACCEPT, HeaderValue::from_static("application/json"));
        let token = Secret::new("ghp_example");
        let inner = Inner::new("2026-03-10", "my-agent", Some(&token)).unwrap();
        inner.prepare(&mut req);
        assert!(req.headers().get("api-version").is_none());
        assert_eq!(req.headers()[X_GITHUB_API_VERSION], "2026-03-10");
        assert_eq!(req.headers()[ACCEPT], GITHUB_MEDIA_TYPE);
        assert_eq!(req.headers()[USER_AGENT], "my-agent");
        let auth = inner.authorization.as_ref().unwrap();
        assert_eq!(auth, "Bearer ghp_example");
        assert!(auth.is_sensitive(), "never logged by hyper/reqwest");
    }

    #[test]
    fn debug_never_shows_the_credential() {
        let token = Secret::new("ghp_supersecret");
        let inner = Inner::new(DEFAULT_API_VERSION, DEFAULT_USER_AGENT, Some(&token)).unwrap();
        let text = format!("{inner:?}");
        assert!(!text.contains("supersecret"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn bad_header_values_are_named() {
        assert_eq!(Inner::new("2022-11-28", "a\nb", None).unwrap_err(), "user_agent");
        assert_eq!(Inner::new("x\r", "a", None).unwrap_err(), "api_version");
        assert_eq!(Inner::new("x", "a", Some(&Secret::new("t\n"))).unwrap_err(), "token");
    }

    #[test]
    fn default_api_version_is_the_vendored_spec_version() {
        assert_eq!(Client::api_version(), DEFAULT_API_VERSION);
        assert_eq!(Inner::default().api_version(), DEFAULT_API_VERSION);
    }
}
