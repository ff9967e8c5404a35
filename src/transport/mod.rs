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
//!   (default [`DEFAULT_API_VERSION`]), the user agent and the credential
//!   (`Authorization: Bearer ...`, marked sensitive so it is never logged).
//!
//! And around every request, in this order:
//! - **authentication**: a static token, or a GitHub App installation token
//!   obtained with a signed JWT and renewed 5 minutes before it expires (one
//!   renewal shared by concurrent requests; a 401 triggers one renewal and
//!   one retry);
//! - **pacing**: at most one mutating request (POST, PATCH, PUT, DELETE) in
//!   flight per client, as GitHub's best practices ask;
//! - **conditional requests**: GET responses with an `ETag` or
//!   `Last-Modified` are cached (bounded, keyed by method, URL and
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

mod auth;
mod cache;
mod clock;
mod policy;
mod rate;

pub use auth::GitHubApp;
pub use clock::{Clock, SystemClock, VirtualClock};
pub use policy::{RateLimitPolicy, RetryPolicy};
pub use rate::RateLimit;

pub(crate) use auth::AppAuth;
pub(crate) use rate::classify as classify_rate_limit;

/// A conditional-request cache holding at most `capacity` responses and
/// `max_bytes` bytes.
pub(crate) fn new_cache(capacity: usize, max_bytes: usize) -> cache::Cache {
    cache::Cache::new(capacity, max_bytes)
}
pub(crate) use clock::SharedClock;

use crate::Secret;
use crate::generated::Client;
use bytes::{Bytes, BytesMut};
use policy::{Retry, classify, transient_status};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use reqwest::{Method, StatusCode};
use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tracing::Instrument;

/// The REST API version requested by default: the version the vendored spec
/// describes (its `info.version`, set by `cargo xtask refresh-spec`).
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

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
pub(crate) const JIT_OUTCOME_HEADER: &str = "x-gha-runners-jit-outcome";

/// The runner name of that made-up answer, percent-encoded.
pub(crate) const JIT_RUNNER_NAME_HEADER: &str = "x-gha-runners-jit-runner-name";

/// Marks the answer the transport makes up when GitHub App authentication
/// failed (value: the [`crate::AppAuthFailure`] name).
pub(crate) const APP_TOKEN_FAILURE_HEADER: &str = "x-gha-runners-app-token-failure";

/// The status of the token request's answer in that made-up answer.
pub(crate) const APP_TOKEN_STATUS_HEADER: &str = "x-gha-runners-app-token-status";

/// The transport's classification of a 403/429 it hands back
/// (`primary`, `secondary` or `none`), made on the whole body, so that
/// [`crate::Error`] agrees with it even when the body is not JSON.
pub(crate) const RATE_LIMIT_HEADER: &str = "x-gha-runners-rate-limit";

/// Marks the 204 the transport hands back for a DELETE whose first answer
/// was lost and whose retry found the resource gone.
pub const DELETED_EARLIER_HEADER: &str = "x-gha-runners-deleted-earlier";

/// Error bodies longer than this are cut when they are not JSON.
const MAX_ERROR_SNIPPET: usize = 300;

/// Per-client transport state carried inside the generated client.
#[derive(Clone)]
pub struct Inner {
    api_version: HeaderValue,
    user_agent: HeaderValue,
    authorization: Option<HeaderValue>,
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
    pub(crate) pacer: Option<Arc<tokio::sync::Semaphore>>,
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
            .field("pace_mutations", &self.pacer.is_some())
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
            pacer: Some(Arc::new(tokio::sync::Semaphore::new(1))),
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

    /// The requested REST API version.
    pub fn api_version(&self) -> &str {
        self.api_version.to_str().unwrap_or(DEFAULT_API_VERSION)
    }

    /// The latest rate-limit snapshot.
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        self.rate.lock().ok().and_then(|r| r.clone())
    }

    /// Updates the rate-limit snapshot from a response's headers, if it has
    /// them; returns the requests remaining.
    fn observe_rate_limit(&self, headers: &HeaderMap) -> Option<u64> {
        let snapshot = RateLimit::from_headers(headers)?;
        let remaining = snapshot.remaining;
        if let Ok(mut r) = self.rate.lock() {
            *r = Some(snapshot);
        }
        Some(remaining)
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
        let id = crate::deployment::github_id(info.operation_id);
        if let (Some(deployment), Some(id)) = (&self.inner().deployment, id)
            && let Err(e) = crate::deployment::check(id, deployment)
        {
            return Err(progenitor_client::Error::Custom(e.to_string()));
        }
        let template = crate::deployment::path_template(id.unwrap_or(info.operation_id));
        if template.is_empty() {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "{}: no path template is known for this operation",
                info.operation_id
            )));
        }
        let base_path = reqwest::Url::parse(self.baseurl()).map(|u| u.path().to_string()).unwrap_or_default();
        crate::path::check(template, &base_path, request.url()).map_err(progenitor_client::Error::InvalidRequest)
    }

    async fn exec(&self, mut request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        self.inner().prepare(&mut request);
        let operation = crate::deployment::github_id(info.operation_id).unwrap_or(info.operation_id);
        let span = tracing::debug_span!(
            "gha_runners.request",
            operation,
            method = %request.method(),
            path = crate::deployment::path_template(operation),
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            rate_remaining = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let result = send(self, request, operation).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Ok(r) = &result {
            span.record("status", r.status().as_u16());
        }
        result
    }
}

/// A response read whole into memory (at most the body limit).
struct Buffered {
    status: StatusCode,
    version: reqwest::Version,
    headers: HeaderMap,
    body: Bytes,
}

impl Buffered {
    fn into_response(self) -> reqwest::Response {
        rebuild(self.status, self.version, self.headers, self.body)
    }
}

/// What reading a response gave.
enum Read {
    Whole(Buffered),
    /// The body is larger than the limit: refused without being buffered.
    TooLarge {
        status: StatusCode,
        version: reqwest::Version,
        headers: HeaderMap,
        declared: Option<u64>,
    },
}

/// Reads a response's body chunk by chunk, refusing it as soon as it is
/// larger than `limit` bytes (at once when `Content-Length` says so), so an
/// oversized answer never sits in memory whole. Dropping the unread rest
/// closes the connection.
async fn read_bounded(mut response: reqwest::Response, limit: u64) -> reqwest::Result<Read> {
    let (status, version) = (response.status(), response.version());
    let mut headers = response.headers().clone();
    strip_markers(&mut headers);
    let declared = response.content_length();
    if declared.is_some_and(|d| d > limit) {
        return Ok(Read::TooLarge { status, version, headers, declared });
    }
    // Never let an announced length choose a large allocation up front.
    let capacity = usize::try_from(declared.unwrap_or(0).min(limit).min(64 << 10)).unwrap_or(0);
    let mut body = BytesMut::with_capacity(capacity);
    while let Some(chunk) = response.chunk().await? {
        if (body.len() + chunk.len()) as u64 > limit {
            return Ok(Read::TooLarge { status, version, headers, declared });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Read::Whole(Buffered { status, version, headers, body: body.freeze() }))
}

/// Removes the transport's own marker headers from a response that came
/// from the network: a proxy could otherwise fake a JIT outcome naming a
/// runner to delete, an App failure, a deletion or a rate-limit verdict.
fn strip_markers(headers: &mut HeaderMap) {
    for marker in [
        JIT_OUTCOME_HEADER,
        JIT_RUNNER_NAME_HEADER,
        APP_TOKEN_FAILURE_HEADER,
        APP_TOKEN_STATUS_HEADER,
        DELETED_EARLIER_HEADER,
        RATE_LIMIT_HEADER,
    ] {
        headers.remove(marker);
    }
}

/// The counters of one request's attempts.
#[derive(Default)]
struct Attempts {
    /// Attempts made (1 for the first).
    number: u32,
    /// Connection failures, timeouts and 5xx retried so far.
    failures: u32,
    /// Secondary-rate-limit waits so far, and those without `Retry-After`.
    secondary: u32,
    unannounced: u32,
    /// Whether the installation token was renewed after a 401.
    renewed: bool,
    /// Whether a primary-limit reset was waited for.
    waited_primary: bool,
    /// Whether an earlier attempt may have been applied without its answer
    /// arriving (a timeout or a broken connection after sending, or a 504).
    outcome_unknown: bool,
}

impl Attempts {
    /// Counts one more retried failure and draws its backoff.
    fn backoff(&mut self, policy: &RetryPolicy) -> Duration {
        self.failures += 1;
        policy.backoff(self.failures)
    }
}

/// The permit that keeps mutations one at a time; released during every
/// wait so a wait never blocks the client's other mutations.
struct Pacing<'a> {
    pacer: Option<&'a Arc<tokio::sync::Semaphore>>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl<'a> Pacing<'a> {
    fn new(inner: &'a Inner, method: &Method) -> Self {
        let mutation = !matches!(*method, Method::GET | Method::HEAD);
        Self { pacer: inner.pacer.as_ref().filter(|_| mutation), permit: None }
    }

    async fn acquire(&mut self) {
        if let (Some(pacer), None) = (self.pacer, &self.permit) {
            self.permit = pacer.clone().acquire_owned().await.ok();
        }
    }

    /// Releases the permit, then waits `d` on the client's clock.
    async fn wait(&mut self, inner: &Inner, d: Duration) {
        self.permit = None;
        inner.clock.sleep(d).await;
    }
}

/// The retry, rate-limit, cache and authentication loop around one request,
/// as a sequence of steps: credential, pacing, conditional headers, send and
/// read (bounded), then what the answer means (retry, wait, renew, cache,
/// hand back).
async fn send(
    client: &Client,
    request: reqwest::Request,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let inner = client.inner();
    let method = request.method().clone();
    let retry_kind = classify(&method, operation);
    let mut pacing = Pacing::new(inner, &method);
    let cache_key = match (&inner.cache, &method) {
        (Some(_), &Method::GET) => Some((
            method.to_string(),
            request.url().to_string(),
            auth::identity(inner.authorization.as_ref(), inner.app.as_deref()),
        )),
        _ => None,
    };
    let mut tries = Attempts::default();
    loop {
        tries.number += 1;
        tracing::Span::current().record("attempt", tries.number);
        let Some(mut req) = request.try_clone() else {
            // A streaming body cannot be sent twice: send it once, as is.
            // (The generated client always sends bytes; this is for safety.)
            let mut response = client.client().execute(request).await?;
            strip_markers(response.headers_mut());
            return Ok(response);
        };
        let sent_credential = match authorization(client).await {
            Ok(h) => h,
            Err(failure) => return Ok(failure.into_response()),
        };
        if let Some(h) = &sent_credential {
            req.headers_mut().insert(AUTHORIZATION, h.clone());
        }
        pacing.acquire().await;
        let cached = cache_key.as_ref().and_then(|k| inner.cache.as_ref()?.lock().ok()?.get(k).cloned());
        if let Some(entry) = &cached {
            cache::conditional_headers(entry, req.headers_mut());
        }
        let recorded_request = inner.recorder.as_ref().map(|_| record_request(client, &req));
        // The whole body is read here, so a connection that breaks in the
        // middle of it is handled like any other transport failure.
        let outcome = match client.client().execute(req).await {
            Ok(r) => read_bounded(r, inner.max_body).await,
            Err(e) => Err(e),
        };
        let response = match outcome {
            Ok(Read::Whole(r)) => r,
            Ok(Read::TooLarge { status, version, headers, declared }) => {
                tracing::warn!(operation, limit = inner.max_body, ?declared, "response body over the limit: refused");
                return Ok(too_large(status, version, headers, BodyTooLarge { limit: inner.max_body, declared }));
            }
            Err(e) => {
                let nothing_sent = e.is_connect();
                let may_retry = tries.failures + 1 < inner.retry.max_attempts;
                match retry_kind {
                    _ if nothing_sent && may_retry => {}
                    Retry::Safe if may_retry => {}
                    Retry::Jit => match jit_lookup(client, &request).await {
                        JitLookup::Exists(id, name) => return Ok(jit_exists(id, &name)),
                        JitLookup::Absent if may_retry => {
                            tracing::warn!(
                                operation,
                                "JIT config outcome unknown ({e}); the runner does not exist: retrying"
                            );
                        }
                        _ => return Err(e),
                    },
                    _ => return Err(e),
                }
                tries.outcome_unknown |= !nothing_sent;
                let wait = tries.backoff(&inner.retry);
                tracing::warn!(operation, attempt = tries.number, error = %e, wait_ms = wait.as_millis() as u64, "request failed; retrying");
                pacing.wait(inner, wait).await;
                continue;
            }
        };
        let status = response.status;
        if let Some(remaining) = inner.observe_rate_limit(&response.headers) {
            tracing::Span::current().record("rate_remaining", remaining);
        }
        if status == StatusCode::NOT_MODIFIED
            && let Some(entry) = cached
        {
            tracing::debug!(operation, "304 Not Modified: served from the cache");
            let rebuilt = Buffered {
                status: entry.status,
                version: response.version,
                headers: cache::revalidated_headers(&entry, &response.headers),
                body: entry.body,
            };
            return Ok(finish(client, operation, recorded_request, rebuilt));
        }
        if transient_status(status.as_u16()) && tries.failures + 1 < inner.retry.max_attempts {
            let retry = match retry_kind {
                Retry::Safe => true,
                Retry::Jit => match jit_lookup(client, &request).await {
                    JitLookup::Exists(id, name) => return Ok(jit_exists(id, &name)),
                    JitLookup::Absent => true,
                    JitLookup::Failed => false,
                },
                Retry::Never => false,
            };
            if retry {
                // A gateway timeout may have been applied; other 5xx were answers.
                tries.outcome_unknown |= status == StatusCode::GATEWAY_TIMEOUT;
                let wait = tries.backoff(&inner.retry);
                tracing::warn!(
                    operation,
                    attempt = tries.number,
                    status = status.as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "server error; retrying"
                );
                pacing.wait(inner, wait).await;
                continue;
            }
        }
        if method == Method::DELETE
            && status == StatusCode::NOT_FOUND
            && tries.outcome_unknown
            && crate::deployment::deletes_with_no_content(operation)
        {
            tracing::warn!(
                operation,
                "DELETE answered 404 after an attempt whose answer was lost: it was deleted then"
            );
            return Ok(deleted_earlier(client, operation, recorded_request, response));
        }
        let mut response = response;
        if let Some(limit) = rate::classify(status.as_u16(), &response.headers, &response.body) {
            if let Some(wait) = rate_limit_wait(inner, &limit, &mut tries) {
                tracing::warn!(operation, kind = %limit.kind, wait_s = wait.as_secs(), "rate limited; waiting before retrying");
                pacing.wait(inner, wait).await;
                continue;
            }
            let verdict = match limit.kind {
                crate::RateLimitKind::Primary => "primary",
                crate::RateLimitKind::Secondary => "secondary",
            };
            response.headers.insert(RATE_LIMIT_HEADER, HeaderValue::from_static(verdict));
        } else if matches!(status.as_u16(), 403 | 429) {
            response.headers.insert(RATE_LIMIT_HEADER, HeaderValue::from_static("none"));
        }
        if status == StatusCode::UNAUTHORIZED
            && let Some(app) = &inner.app
            && !tries.renewed
        {
            tracing::debug!(operation, "401 with an installation token: renewing it once");
            pacing.permit = None;
            // Only the token this attempt sent: another caller may have renewed it already.
            app.forget(sent_credential.as_ref());
            tries.renewed = true;
            continue;
        }
        if status == StatusCode::OK
            && let (Some(key), Some(cache)) = (&cache_key, &inner.cache)
            && let Some(entry) = cache::Entry::of(status, &response.headers, &response.body)
            && let Ok(mut c) = cache.lock()
        {
            c.insert(key.clone(), entry);
        }
        let response = if status.as_u16() >= 400 { json_error_body(response) } else { response };
        return Ok(finish(client, operation, recorded_request, response));
    }
}

/// How long to wait before retrying a rate-limited request, or `None` to
/// hand the 403/429 back (it becomes [`crate::Error::RateLimited`]).
///
/// Every wait a server dictates is bounded by [`RetryPolicy::max_wait`]:
/// above it the call returns at once with the advised wait, so the caller
/// can schedule instead of sleeping. The primary limit is waited for only
/// under [`RateLimitPolicy::Wait`] (and at most its own `max_wait`).
fn rate_limit_wait(inner: &Inner, limit: &rate::Limited, tries: &mut Attempts) -> Option<Duration> {
    let ceiling = inner.retry.max_wait;
    match limit.kind {
        crate::RateLimitKind::Primary => {
            let RateLimitPolicy::Wait { max_wait } = &inner.rate_policy else { return None };
            if tries.waited_primary {
                return None;
            }
            let until_reset = limit
                .reset_at
                .map(|reset| (reset - inner.clock.now()).to_std().unwrap_or_default() + Duration::from_secs(1));
            let wait = match (until_reset, limit.retry_after) {
                (Some(a), Some(b)) => a.max(b),
                (a, b) => a.or(b)?,
            };
            (wait <= (*max_wait).min(ceiling)).then(|| {
                tries.waited_primary = true;
                wait
            })
        }
        crate::RateLimitKind::Secondary => {
            if tries.secondary >= inner.retry.secondary_retries {
                return None;
            }
            let wait = limit.retry_after.unwrap_or_else(|| inner.retry.secondary_wait(tries.unannounced));
            (wait <= ceiling).then(|| {
                tries.secondary += 1;
                if limit.retry_after.is_none() {
                    tries.unannounced += 1;
                }
                wait
            })
        }
    }
}

/// The credential for this attempt: the static header, or an installation
/// token (renewed when within 5 minutes of expiry).
///
/// One renewal at a time. While it runs, callers whose token has not
/// expired yet keep using it; callers that need the new one wait for it and
/// share its outcome: they get its failure rather than repeating the
/// request one after another, and so does anyone within
/// [`auth::FAILURE_COOLDOWN`] of it. A token that has not expired is used
/// even when its renewal failed.
async fn authorization(client: &Client) -> Result<Option<HeaderValue>, auth::TokenFailure> {
    let inner = client.inner();
    let Some(app) = &inner.app else { return Ok(inner.authorization.clone()) };
    let now = || inner.clock.now();
    let seen = app.rounds.load(std::sync::atomic::Ordering::Acquire);
    if let Some(h) = app.fresh(now()) {
        return Ok(Some(h));
    }
    let _renewing = match app.renewing.try_lock() {
        Ok(guard) => guard,
        Err(_) => match app.unexpired(now()) {
            Some(h) => return Ok(Some(h)),
            None => app.renewing.lock().await,
        },
    };
    if let Some(h) = app.fresh(now()) {
        return Ok(Some(h));
    }
    if let Some(failure) = app.recent_failure(seen, now()) {
        return app.unexpired(now()).map(Some).ok_or(failure);
    }
    let result = renew(client, app).await;
    let round = app.rounds.fetch_add(1, std::sync::atomic::Ordering::AcqRel) + 1;
    app.finish_round(round, now(), &result);
    match result {
        Ok((header, _)) => Ok(Some(header)),
        Err(failure) => match app.unexpired(now()) {
            Some(h) => {
                tracing::warn!(app_id = %app.app_id, "installation token renewal failed; the current token is still valid");
                Ok(Some(h))
            }
            None => Err(failure),
        },
    }
}

/// One renewal round: requests an installation token
/// (`apps/create-installation-access-token`), retrying connection failures,
/// timeouts and 5xx like any safe request (each attempt with its own
/// deadline), failing at once on a rate limit (callers are waiting on this
/// round; the cooldown spaces the next), and naming a definitive refusal.
///
/// Sent directly, not through `exec` (which would recurse into
/// [`authorization`]), with the same headers and the JWT.
async fn renew(
    client: &Client,
    app: &AppAuth,
) -> Result<(HeaderValue, chrono::DateTime<chrono::Utc>), auth::TokenFailure> {
    use crate::AppAuthFailure::{InstallationNotFound, KeyRejected, Suspended, Unavailable, Unexpected};
    const OP: &str = "apps/create-installation-access-token";
    let inner = client.inner();
    let fail = |kind, status, what: String| auth::TokenFailure::new(app, kind, status, what);
    let path = crate::deployment::path_template(OP).replace("{installation_id}", &app.installation_id.to_string());
    let url = format!("{}{path}", client.baseurl().trim_end_matches('/'));
    let mut tries = Attempts::default();
    loop {
        tries.number += 1;
        let jwt = app.jwt(inner.clock.now()).map_err(|e| fail(Unexpected, None, format!("cannot sign a JWT: {e}")))?;
        let mut req = client
            .client()
            .post(url.as_str())
            .build()
            .map_err(|e| fail(Unexpected, None, format!("cannot build the token request: {}", e.without_url())))?;
        inner.prepare(&mut req);
        // Its own deadline, whatever the HTTP client's: every caller whose
        // token expired waits on this round.
        *req.timeout_mut() = Some(auth::TOKEN_REQUEST_TIMEOUT);
        if let Some(h) = auth::bearer(&jwt) {
            req.headers_mut().insert(AUTHORIZATION, h);
        }
        app.renewals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        tracing::debug!(app_id = %app.app_id, installation_id = app.installation_id, attempt = tries.number, "requesting an installation token");
        let may_retry = tries.failures + 1 < inner.retry.max_attempts;
        let outcome = match client.client().execute(req).await {
            Ok(r) => read_bounded(r, inner.max_body).await,
            Err(e) => Err(e),
        };
        let response = match outcome {
            Ok(Read::Whole(r)) => r,
            Ok(Read::TooLarge { status, .. }) => {
                let what = format!("the token response exceeds the body limit of {} bytes", inner.max_body);
                return Err(fail(Unexpected, Some(status.as_u16()), what));
            }
            Err(e) if may_retry => {
                let wait = tries.backoff(&inner.retry);
                tracing::warn!(error = %e.without_url(), wait_ms = wait.as_millis() as u64, "installation token request failed; retrying");
                inner.clock.sleep(wait).await;
                continue;
            }
            Err(e) => {
                let what = format!(
                    "GitHub did not answer the token request after {} attempts ({}); retry later",
                    tries.number,
                    e.without_url()
                );
                return Err(fail(Unavailable, None, what));
            }
        };
        inner.observe_rate_limit(&response.headers);
        let status = response.status.as_u16();
        if response.status.is_success() {
            // The body holds the token: a decoding failure never shows it.
            let token: crate::types::InstallationToken = serde_json::from_slice(&response.body).map_err(|e| {
                let what = format!(
                    "the token response does not decode ({:?} error at line {} column {}; body withheld: it holds the token)",
                    e.classify(),
                    e.line(),
                    e.column()
                );
                fail(Unexpected, Some(status), what)
            })?;
            let header = auth::bearer(token.token.expose_secret())
                .ok_or_else(|| fail(Unexpected, Some(status), "the installation token is not a valid header".into()))?;
            return Ok((header, token.expires_at));
        }
        if let Some(limit) = rate::classify(status, &response.headers, &response.body) {
            // Not waited out here: the renewal holds up every caller whose
            // token expired, so it fails now and the cooldown spaces retries.
            let advice = crate::error::wait_advice(&limit.reset_at, &limit.retry_after);
            let what = format!("GitHub rate-limited the token request ({} limit); {advice}", limit.kind);
            return Err(fail(Unavailable, Some(status), what));
        }
        if transient_status(status) {
            if may_retry {
                let wait = tries.backoff(&inner.retry);
                tracing::warn!(
                    status,
                    wait_ms = wait.as_millis() as u64,
                    "installation token request failed; retrying"
                );
                inner.clock.sleep(wait).await;
                continue;
            }
            let what = format!("GitHub answered {status} to the token request {} times; retry later", tries.number);
            return Err(fail(Unavailable, Some(status), what));
        }
        let said = crate::error::message_of(&response.body);
        return Err(match status {
            401 => fail(
                KeyRejected,
                Some(401),
                format!(
                    "GitHub refused the App's JWT (401{said}): the app id or the private key is wrong, or the key was deleted; check both or generate a new private key"
                ),
            ),
            403 => fail(
                Suspended,
                Some(403),
                format!(
                    "GitHub refused to issue a token (403{said}): the App or the installation is suspended, or the App may not act for it; check the installation in the organization's settings"
                ),
            ),
            404 => fail(
                InstallationNotFound,
                Some(404),
                format!(
                    "the installation was not found (404{said}): the App was uninstalled, or the installation id belongs to another App; look the installation id up again"
                ),
            ),
            other => fail(Unexpected, Some(other), format!("GitHub answered {other} to the token request{said}")),
        });
    }
}

enum JitLookup {
    Exists(i64, String),
    Absent,
    Failed,
}

/// After a JIT config request with an unknown outcome: does the runner
/// it named exist now?
async fn jit_lookup(client: &Client, request: &reqwest::Request) -> JitLookup {
    let inner = client.inner();
    let Some(name) = request
        .body()
        .and_then(|b| b.as_bytes())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
    else {
        return JitLookup::Failed;
    };
    let mut url = request.url().clone();
    let Some(path) = url.path().strip_suffix("/generate-jitconfig").map(str::to_string) else {
        return JitLookup::Failed;
    };
    url.set_path(&path);
    url.query_pairs_mut().clear().append_pair("name", &name).append_pair("per_page", "100");
    let mut lookup = reqwest::Request::new(Method::GET, url);
    *lookup.headers_mut() = request.headers().clone();
    lookup.headers_mut().remove(reqwest::header::CONTENT_TYPE);
    if let Ok(Some(h)) = authorization(client).await {
        lookup.headers_mut().insert(AUTHORIZATION, h);
    }
    let Ok(response) = client.client().execute(lookup).await else { return JitLookup::Failed };
    let Ok(Read::Whole(response)) = read_bounded(response, inner.max_body).await else { return JitLookup::Failed };
    if !response.status.is_success() {
        return JitLookup::Failed;
    }
    let Ok(list) = serde_json::from_slice::<serde_json::Value>(&response.body) else { return JitLookup::Failed };
    let found = list["runners"].as_array().into_iter().flatten().find(|r| r["name"] == name.as_str());
    match found.and_then(|r| r["id"].as_i64()) {
        Some(id) => JitLookup::Exists(id, name),
        None => JitLookup::Absent,
    }
}

// Outcomes the transport decides itself (a JIT config whose answer was
// lost, a failed App token renewal, a body over the limit, a DELETE whose
// first answer was lost) are handed back as responses, because `exec` must
// return a `reqwest::Response` or a `reqwest::Error`, and a
// `reqwest::Error` cannot be made outside reqwest. Each such response
// carries an `x-gha-runners-*` marker header that `crate::error` turns into
// its typed error ([`crate::Error::JitOutcomeUnknown`],
// [`crate::Error::AppAuth`]); callers of `raw()` see the status and a
// message saying what happened. None of them is ever sent by GitHub.

/// The answer for a JIT config whose runner exists after an unknown
/// outcome: a 409 (the name is taken) marked with the runner's id and its
/// percent-encoded name (header values are ASCII).
fn jit_exists(id: i64, name: &str) -> reqwest::Response {
    let message = format!(
        "the JIT config request for runner `{name}` lost its answer after it was sent, and runner {id} with that name now exists: its JIT config cannot be recovered; delete the runner (or reuse it) and request a new config"
    );
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    let mut headers = HeaderMap::new();
    headers.insert(JIT_OUTCOME_HEADER, HeaderValue::from(id));
    if let Ok(v) = HeaderValue::from_str(&encoded) {
        headers.insert(JIT_RUNNER_NAME_HEADER, v);
    }
    made_up(StatusCode::CONFLICT, headers, &message)
}

/// A response the transport makes up (it never came from GitHub).
fn made_up(status: StatusCode, mut headers: HeaderMap, message: &str) -> reqwest::Response {
    let body = serde_json::json!({ "message": message });
    headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    rebuild(status, reqwest::Version::HTTP_11, headers, Bytes::from(body.to_string()))
}

/// A DELETE whose earlier attempt lost its answer and whose retry found
/// nothing: the resource is gone, which is what was asked, so the caller
/// gets the 204 of a deletion (marked, and recorded as GitHub answered).
fn deleted_earlier(
    client: &Client,
    operation: &str,
    recorded_request: Option<crate::record::RecordedRequest>,
    response: Buffered,
) -> reqwest::Response {
    let mut headers = response.headers.clone();
    headers.remove(CONTENT_LENGTH);
    headers.remove(reqwest::header::CONTENT_TYPE);
    headers.insert(DELETED_EARLIER_HEADER, HeaderValue::from_static("404-after-lost-answer"));
    let _ = finish(client, operation, recorded_request, response);
    rebuild(StatusCode::NO_CONTENT, reqwest::Version::HTTP_11, headers, Bytes::new())
}

/// A response whose body was refused for its size: the real status and
/// headers, and a body that fails to read with [`BodyTooLarge`] (which
/// `crate::error` turns into [`crate::Error::ResponseTooLarge`]).
fn too_large(
    status: StatusCode,
    version: reqwest::Version,
    mut headers: HeaderMap,
    e: BodyTooLarge,
) -> reqwest::Response {
    headers.remove(CONTENT_LENGTH);
    rebuild(status, version, headers, reqwest::Body::wrap(RefusedBody(Some(e))))
}

/// The error a refused response body reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response body exceeds the limit of {limit} bytes and was not read")]
pub struct BodyTooLarge {
    /// The limit in force.
    pub limit: u64,
    /// The `Content-Length` the server announced, if any.
    pub declared: Option<u64>,
}

/// A body whose first read fails with [`BodyTooLarge`].
struct RefusedBody(Option<BodyTooLarge>);

impl http_body::Body for RefusedBody {
    type Data = Bytes;
    type Error = BodyTooLarge;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, BodyTooLarge>>> {
        std::task::Poll::Ready(self.get_mut().0.take().map(Err))
    }
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

/// A response with the same status, version and headers and this body.
fn rebuild(
    status: StatusCode,
    version: reqwest::Version,
    headers: HeaderMap,
    body: impl Into<reqwest::Body>,
) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// Makes sure an error response's body is a JSON object (see the module docs).
fn json_error_body(mut r: Buffered) -> Buffered {
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&r.body).is_ok() {
        return r;
    }
    let message = if r.body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        crate::secret::ShownBody::of(&r.body, MAX_ERROR_SNIPPET).text
    };
    r.headers.remove(CONTENT_LENGTH);
    r.headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.body = Bytes::from(serde_json::json!({ "message": message }).to_string());
    r
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
