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

/// A conditional-request cache holding `capacity` responses.
pub(crate) fn new_cache(capacity: usize) -> cache::Cache {
    cache::Cache::new(capacity)
}
pub(crate) use clock::SharedClock;

use crate::Secret;
use crate::error::snippet;
use crate::generated::Client;
use policy::{Retry, classify, transient_status};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{
    ACCEPT, AUTHORIZATION, CONTENT_LENGTH, ETAG, HeaderMap, HeaderName, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH,
    LAST_MODIFIED, USER_AGENT,
};
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

/// The header progenitor adds to every request; never sent to GitHub.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The header GitHub reads the REST API version from.
pub const X_GITHUB_API_VERSION: HeaderName = HeaderName::from_static("x-github-api-version");

/// Marks the answer the transport makes up when a JIT config request's
/// outcome was unknown and the runner turned out to exist (value: its id).
pub(crate) const JIT_OUTCOME_HEADER: &str = "x-gha-runners-jit-outcome";

/// The runner name of that made-up answer.
pub(crate) const JIT_RUNNER_NAME_HEADER: &str = "x-gha-runners-jit-runner-name";

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
            .field("cache", &self.cache.as_ref().map(|c| c.lock().map(|c| c.len()).unwrap_or_default()))
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
            cache: Some(Arc::new(Mutex::new(cache::Cache::new(DEFAULT_CACHE_CAPACITY)))),
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
    async fn pre<E>(
        &self,
        _request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let (Some(deployment), Some(id)) =
            (&self.inner().deployment, crate::deployment::github_id(info.operation_id))
            && let Err(e) = crate::deployment::check(id, deployment)
        {
            return Err(progenitor_client::Error::Custom(e.to_string()));
        }
        Ok(())
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

/// A response buffered in memory.
struct Buffered {
    status: StatusCode,
    version: reqwest::Version,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Buffered {
    async fn read(response: reqwest::Response) -> reqwest::Result<Self> {
        let (status, version, headers) = (response.status(), response.version(), response.headers().clone());
        let body = response.bytes().await?.to_vec();
        Ok(Self { status, version, headers, body })
    }

    fn into_response(self) -> reqwest::Response {
        rebuild(self.status, self.version, self.headers, self.body)
    }
}

/// The retry, rate-limit, cache and authentication loop around one request.
async fn send(
    client: &Client,
    request: reqwest::Request,
    operation: &'static str,
) -> reqwest::Result<reqwest::Response> {
    let inner = client.inner();
    let method = request.method().clone();
    let retry_kind = classify(&method, operation);
    let _permit = match (&inner.pacer, matches!(method, Method::GET | Method::HEAD)) {
        (Some(pacer), false) => pacer.clone().acquire_owned().await.ok(),
        _ => None,
    };
    let cache_key = match (&inner.cache, &method) {
        (Some(_), &Method::GET) => Some((
            method.to_string(),
            request.url().to_string(),
            auth::identity(inner.authorization.as_ref(), inner.app.as_deref()),
        )),
        _ => None,
    };
    let (mut failures, mut secondary, mut renewed, mut waited_primary) = (0u32, 0u32, false, false);
    let mut unannounced = 0u32;
    let mut attempt = 0u32;
    loop {
        attempt += 1;
        tracing::Span::current().record("attempt", attempt);
        let Some(mut req) = request.try_clone() else {
            // A streaming body cannot be sent twice: send it once, as is.
            return client.client().execute(request).await;
        };
        match authorization(client).await {
            Ok(Some(h)) => {
                req.headers_mut().insert(AUTHORIZATION, h);
            }
            Ok(None) => {}
            Err(message) => return Ok(made_up(401, &message, None)),
        }
        let cached = cache_key.as_ref().and_then(|k| inner.cache.as_ref()?.lock().ok()?.get(k).cloned());
        if let Some(entry) = &cached {
            if let Some(etag) = entry.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                req.headers_mut().insert(IF_NONE_MATCH, etag);
            }
            if let Some(lm) = entry.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
                req.headers_mut().insert(IF_MODIFIED_SINCE, lm);
            }
        }
        let recorded_request = inner.recorder.as_ref().map(|_| record_request(client, &req));
        // The whole body is read here, so a connection that breaks in the
        // middle of it is handled like any other transport failure.
        let outcome = match client.client().execute(req).await {
            Ok(r) => Buffered::read(r).await,
            Err(e) => Err(e),
        };
        let response = match outcome {
            Ok(r) => r,
            Err(e) => {
                let nothing_sent = e.is_connect();
                let may_retry = failures + 1 < inner.retry.max_attempts;
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
                failures += 1;
                let wait = inner.retry.backoff(failures);
                tracing::warn!(operation, attempt, error = %e, wait_ms = wait.as_millis() as u64, "request failed; retrying");
                inner.clock.sleep(wait).await;
                continue;
            }
        };
        let status = response.status;
        if let Some(snapshot) = RateLimit::from_headers(&response.headers) {
            tracing::Span::current().record("rate_remaining", snapshot.remaining);
            if let Ok(mut r) = inner.rate.lock() {
                *r = Some(snapshot);
            }
        }
        if status == StatusCode::NOT_MODIFIED
            && let Some(entry) = cached
        {
            tracing::debug!(operation, "304 Not Modified: served from the cache");
            let mut headers = entry.headers.clone();
            for (k, v) in &response.headers {
                if k.as_str().starts_with("x-ratelimit") || k == "x-github-request-id" {
                    headers.insert(k.clone(), v.clone());
                }
            }
            let rebuilt = Buffered { status: entry.status, version: response.version, headers, body: entry.body };
            return Ok(finish(client, operation, recorded_request, rebuilt));
        }
        if transient_status(status.as_u16()) && failures + 1 < inner.retry.max_attempts {
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
                failures += 1;
                let wait = inner.retry.backoff(failures);
                tracing::warn!(
                    operation,
                    attempt,
                    status = status.as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "server error; retrying"
                );
                inner.clock.sleep(wait).await;
                continue;
            }
        }
        let mut buffered = response;
        if matches!(status.as_u16(), 403 | 429) {
            let header = |k: &str| buffered.headers.get(k).and_then(|v| v.to_str().ok()).map(str::to_string);
            let retry_after = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()).map(Duration::from_secs);
            let exhausted = header("x-ratelimit-remaining").as_deref() == Some("0");
            let secondary_message =
                String::from_utf8_lossy(&buffered.body).to_ascii_lowercase().contains("secondary rate limit");
            if exhausted && retry_after.is_none() {
                if let (RateLimitPolicy::Wait { max_wait }, false) = (&inner.rate_policy, waited_primary) {
                    let reset = header("x-ratelimit-reset")
                        .and_then(|v| v.trim().parse::<i64>().ok())
                        .and_then(|t| chrono::DateTime::<chrono::Utc>::from_timestamp(t, 0));
                    if let Some(reset) = reset {
                        let wait = (reset - inner.clock.now()).to_std().unwrap_or_default() + Duration::from_secs(1);
                        if wait <= *max_wait {
                            tracing::warn!(
                                operation,
                                wait_s = wait.as_secs(),
                                "primary rate limit exhausted; waiting for the reset"
                            );
                            waited_primary = true;
                            inner.clock.sleep(wait).await;
                            continue;
                        }
                    }
                }
            } else if (retry_after.is_some() || secondary_message || status.as_u16() == 429)
                && secondary < inner.retry.secondary_retries
            {
                let wait = retry_after.unwrap_or_else(|| {
                    unannounced += 1;
                    inner.retry.secondary_wait(unannounced - 1)
                });
                secondary += 1;
                tracing::warn!(operation, wait_s = wait.as_secs(), "secondary rate limit; waiting before retrying");
                inner.clock.sleep(wait).await;
                continue;
            }
        }
        if status == StatusCode::UNAUTHORIZED
            && let Some(app) = &inner.app
            && !renewed
        {
            tracing::debug!(operation, "401 with an installation token: renewing it once");
            *app.cached.lock().await = None;
            renewed = true;
            continue;
        }
        if status == StatusCode::OK
            && let (Some(key), Some(cache)) = (&cache_key, &inner.cache)
        {
            let text = |h: &HeaderName| buffered.headers.get(h).and_then(|v| v.to_str().ok()).map(str::to_string);
            let (etag, last_modified) = (text(&ETAG), text(&LAST_MODIFIED));
            if (etag.is_some() || last_modified.is_some())
                && let Ok(mut c) = cache.lock()
            {
                c.insert(
                    key.clone(),
                    cache::Entry {
                        etag,
                        last_modified,
                        status,
                        headers: buffered.headers.clone(),
                        body: buffered.body.clone(),
                    },
                );
            }
        }
        if status.as_u16() >= 400 {
            buffered = json_error_body(buffered);
        }
        return Ok(finish(client, operation, recorded_request, buffered));
    }
}

/// The credential for this attempt: the static header, or an installation
/// token (renewed when within 5 minutes of expiry).
async fn authorization(client: &Client) -> Result<Option<HeaderValue>, String> {
    let inner = client.inner();
    let Some(app) = &inner.app else { return Ok(inner.authorization.clone()) };
    let mut cached = app.cached.lock().await;
    let now = inner.clock.now();
    if let Some((header, expires)) = cached.as_ref()
        && *expires - now > auth::RENEW_BEFORE
    {
        return Ok(Some(header.clone()));
    }
    let jwt = app.jwt(now).map_err(|e| format!("GitHub App {}: cannot sign a JWT: {e}", app.app_id))?;
    app.renewals.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    tracing::debug!(app_id = %app.app_id, installation_id = app.installation_id, "requesting an installation token");
    // The vendored operation `apps/create-installation-access-token`, sent
    // directly (not through `exec`, which would recurse into this function)
    // with the same headers and the JWT, decoded into the vendored type.
    const OP: &str = "apps/create-installation-access-token";
    let path = crate::deployment::path_template(OP).replace("{installation_id}", &app.installation_id.to_string());
    let fail = |why: String| {
        format!(
            "GitHub App {} could not get a token for installation {}: {why}. Check the app id, the installation id and the private key",
            app.app_id, app.installation_id
        )
    };
    let url = format!("{}{path}", client.baseurl().trim_end_matches('/'));
    let mut req = client.client().post(url).build().map_err(|e| fail(e.to_string()))?;
    inner.prepare(&mut req);
    if let Some(h) = auth::bearer(&jwt) {
        req.headers_mut().insert(AUTHORIZATION, h);
    }
    let response = client.client().execute(req).await.map_err(|e| fail(e.without_url().to_string()))?;
    if let Some(snapshot) = RateLimit::from_headers(response.headers())
        && let Ok(mut r) = inner.rate.lock()
    {
        *r = Some(snapshot);
    }
    if !response.status().is_success() {
        return Err(fail(format!("GitHub answered {}", response.status())));
    }
    let token: crate::types::InstallationToken =
        response.json().await.map_err(|e| fail(e.without_url().to_string()))?;
    let header = auth::bearer(token.token.expose_secret()).ok_or("the installation token is not a valid header")?;
    *cached = Some((header.clone(), token.expires_at));
    Ok(Some(header))
}

enum JitLookup {
    Exists(i64, String),
    Absent,
    Failed,
}

/// After a JIT config request with an unknown outcome: does the runner
/// it named exist now?
async fn jit_lookup(client: &Client, request: &reqwest::Request) -> JitLookup {
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
    if !response.status().is_success() {
        return JitLookup::Failed;
    }
    let Ok(list) = response.json::<serde_json::Value>().await else { return JitLookup::Failed };
    let found = list["runners"].as_array().into_iter().flatten().find(|r| r["name"] == name.as_str());
    match found.and_then(|r| r["id"].as_i64()) {
        Some(id) => JitLookup::Exists(id, name),
        None => JitLookup::Absent,
    }
}

/// The answer for a JIT config whose runner exists after an unknown outcome.
fn jit_exists(id: i64, name: &str) -> reqwest::Response {
    let message = format!(
        "the JIT config request for runner `{name}` lost its answer after it was sent, and runner {id} with that name now exists: its JIT config cannot be recovered; delete the runner (or reuse it) and request a new config"
    );
    made_up(409, &message, Some((id, name)))
}

/// A response the transport makes up (it never reached or came from GitHub).
fn made_up(status: u16, message: &str, jit: Option<(i64, &str)>) -> reqwest::Response {
    let body = serde_json::json!({ "message": message });
    let mut headers = HeaderMap::new();
    headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    if let Some((id, name)) = jit {
        headers.insert(JIT_OUTCOME_HEADER, HeaderValue::from(id));
        if let Ok(v) = HeaderValue::from_str(name) {
            headers.insert(JIT_RUNNER_NAME_HEADER, v);
        }
    }
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    rebuild(status, reqwest::Version::HTTP_11, headers, body.to_string().into_bytes())
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
fn rebuild(status: StatusCode, version: reqwest::Version, headers: HeaderMap, body: Vec<u8>) -> reqwest::Response {
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
    let message =
        if r.body.iter().all(u8::is_ascii_whitespace) { String::new() } else { snippet(&r.body, MAX_ERROR_SNIPPET) };
    r.headers.remove(CONTENT_LENGTH);
    r.headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.body = serde_json::json!({ "message": message }).to_string().into_bytes();
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
