//! The transport of the scale-set client: every request of the generated
//! scale-set client ([`super::raw`]) passes through [`ClientHooks::exec`]
//! here, as the REST client's do through `crate::transport`.
//!
//! Each generated client talks to one origin with one credential:
//! - GitHub's REST API with `Authorization: RemoteAuth <registration token>`
//!   (only `runner-registration/create`);
//! - the Actions service with its admin token (`Bearer`), renewed through
//!   runner registration 60 s before the token's `exp` and once on a 401;
//! - a session's message queue with the session's queue token (renewed by
//!   refreshing the session: [`super::Session`] does that on a 401).
//!
//! The `pre` hook refuses an operation whose credential (its `security` in
//! the description) is not the one the client holds, so a client never
//! sends its credential to an operation of another origin, and a path that
//! does not have exactly its template's segments (`src/path.rs`). The
//! GitHub token never reaches these clients: they hold only the credentials
//! above.
//!
//! Around every request: the user agent and `Accept` (the queue's carries
//! `api-version=6.0-preview`), a per-request timeout (the long poll's is
//! longer), bodies read up to a limit, error bodies made JSON, retries of
//! connection failures, 429 and 500/502/503/504 with backoff and jitter
//! for operations that may be repeated, a `Retry-After` bounded by
//! [`RetryPolicy::max_wait`], and one `gha_runners.scaleset.request` span per
//! request. Headers and bodies are never logged.

use super::raw::Client;
use crate::Secret;
use crate::transport::RetryPolicy;
use crate::transport::response::{self, Read};
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::StatusCode;
use reqwest::header::{ACCEPT, AUTHORIZATION, HeaderName, HeaderValue, RETRY_AFTER, USER_AGENT};
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tracing::Instrument;

include!(concat!(env!("OUT_DIR"), "/scaleset_operations.rs"));

/// The credential an operation's `security` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CredentialKind {
    /// `RemoteAuth <registration token>`, on GitHub's REST API.
    Registration,
    /// The Actions service's admin token.
    Admin,
    /// A session's message-queue token.
    Queue,
}

impl CredentialKind {
    pub(crate) fn describe(self) -> &'static str {
        match self {
            CredentialKind::Registration => "registration token",
            CredentialKind::Admin => "Actions service admin token",
            CredentialKind::Queue => "message queue token",
        }
    }
}

/// The operation progenitor names `progenitor_id`: (operationId, method,
/// template, credential).
pub(crate) fn operation(progenitor_id: &str) -> Option<(&'static str, &'static str, &'static str, CredentialKind)> {
    OPERATIONS.iter().find(|o| o.0 == progenitor_id).map(|o| (o.1, o.2, o.3, o.4))
}

/// The credential of the operation GitHub's description names `id`.
pub(crate) fn operation_credential(id: &str) -> Option<CredentialKind> {
    OPERATIONS.iter().find(|o| o.1 == id).map(|o| o.4)
}

/// The header progenitor adds from the description's `info.version`.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The media type of the message queue (`client.go` sends this `Accept`).
const QUEUE_ACCEPT: &str = "application/json; api-version=6.0-preview";

/// Marks the answer the transport makes up when the admin token could not
/// be renewed (value: the status of the answer that refused it, or 0).
pub(crate) const RENEWAL_FAILED_HEADER: HeaderName = HeaderName::from_static("x-gha-runners-admin-renewal-failed");

/// Renew the admin token this long before its `exp`, as the Go client does.
pub const ADMIN_TOKEN_MARGIN: Duration = Duration::from_secs(60);

/// The timeout of a request other than the long poll (default).
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// The timeout of the long poll (default): GitHub holds it about 50 s.
pub const DEFAULT_POLL_TIMEOUT: Duration = Duration::from_secs(70);

/// A new admin token and the service URL it is for (what runner
/// registration answers).
pub(crate) struct Registered {
    pub token: Secret,
    pub url: String,
}

/// Registers again (a registration token from GitHub, then
/// `runner-registration/create`); `Err` is the status that refused it (0:
/// no answer) and what went wrong.
pub(crate) type Register =
    Arc<dyn Fn() -> futures::future::BoxFuture<'static, Result<Registered, (u16, String)>> + Send + Sync>;

/// The admin token of one Actions service connection, shared by its
/// clients: renewed before it expires and when the service refuses it.
pub(crate) struct AdminToken {
    current: tokio::sync::Mutex<Option<Issued>>,
    register: Register,
    /// The service URL the first registration gave (the clients' base).
    pub(crate) url: String,
    /// Registrations made after the first.
    pub(crate) renewals: AtomicU64,
}

struct Issued {
    header: HeaderValue,
    expires: Option<chrono::DateTime<chrono::Utc>>,
}

impl fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AdminToken")
            .field("token", &crate::secret::REDACTED)
            .field("url", &self.url)
            .field("renewals", &self.renewals.load(Ordering::Relaxed))
            .finish()
    }
}

impl AdminToken {
    pub(crate) fn new(first: Registered, register: Register) -> Result<Self, String> {
        let issued = Issued::of(&first.token)?;
        Ok(Self {
            current: tokio::sync::Mutex::new(Some(issued)),
            register,
            url: first.url,
            renewals: AtomicU64::new(0),
        })
    }

    /// The header to send: the current token, or a new one when it is
    /// within [`ADMIN_TOKEN_MARGIN`] of its `exp` (or was refused).
    async fn header(&self) -> Result<HeaderValue, (u16, String)> {
        let mut current = self.current.lock().await;
        let margin = chrono::Duration::from_std(ADMIN_TOKEN_MARGIN).unwrap_or_default();
        match current.as_ref() {
            Some(i) if i.expires.is_none_or(|e| e - margin > chrono::Utc::now()) => return Ok(i.header.clone()),
            _ => {}
        }
        let registered = (self.register)().await?;
        if registered.url.trim_end_matches('/') != self.url.trim_end_matches('/') {
            // Clients keep the base they were built with.
            tracing::warn!("runner registration answered another Actions service URL; the first one is kept");
        }
        self.renewals.fetch_add(1, Ordering::Relaxed);
        let issued = Issued::of(&registered.token).map_err(|e| (0, e))?;
        let header = issued.header.clone();
        *current = Some(issued);
        Ok(header)
    }

    /// The service refused `used` (401): forget it, unless another request
    /// already replaced it. The next [`AdminToken::header`] renews.
    async fn refused(&self, used: &HeaderValue) {
        let mut current = self.current.lock().await;
        if current.as_ref().is_some_and(|i| i.header == *used) {
            *current = None;
        }
    }
}

impl Issued {
    /// A token just issued. One that expires within the margin already (a
    /// short-lived token, or clocks apart) is used until it is refused,
    /// rather than renewed before every request.
    fn of(token: &Secret) -> Result<Self, String> {
        let header = crate::transport::bearer(token.expose_secret())
            .ok_or("the admin token cannot be sent in a header".to_string())?;
        let margin = chrono::Duration::from_std(ADMIN_TOKEN_MARGIN).unwrap_or_default();
        let expires = jwt_expiry(token.expose_secret()).filter(|e| *e - margin > chrono::Utc::now());
        Ok(Self { header, expires })
    }
}

/// The `exp` claim of a JWT, read without checking its signature (only to
/// know when to renew; the service checks it). `None` if it is not a JWT
/// with an `exp`: then the token is renewed when refused.
pub(crate) fn jwt_expiry(token: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    chrono::DateTime::from_timestamp(claims.get("exp")?.as_i64()?, 0)
}

/// The credential a generated scale-set client sends.
#[derive(Clone)]
pub(crate) enum Credential {
    Registration(HeaderValue),
    Admin(Arc<AdminToken>),
    Queue(HeaderValue),
}

impl Credential {
    fn kind(&self) -> CredentialKind {
        match self {
            Credential::Registration(_) => CredentialKind::Registration,
            Credential::Admin(_) => CredentialKind::Admin,
            Credential::Queue(_) => CredentialKind::Queue,
        }
    }

    /// `RemoteAuth <token>`, marked sensitive.
    pub(crate) fn registration(token: &Secret) -> Option<Self> {
        let mut v = HeaderValue::from_str(&format!("RemoteAuth {}", token.expose_secret())).ok()?;
        v.set_sensitive(true);
        Some(Credential::Registration(v))
    }

    /// `Bearer <queue token>`, marked sensitive.
    pub(crate) fn queue(token: &Secret) -> Option<Self> {
        crate::transport::bearer(token.expose_secret()).map(Credential::Queue)
    }
}

/// Per-client transport state of a generated scale-set client.
#[derive(Clone)]
pub struct Inner {
    pub(crate) credential: Credential,
    pub(crate) user_agent: HeaderValue,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_body: u64,
    pub(crate) request_timeout: Duration,
    pub(crate) poll_timeout: Duration,
    /// The query of the URL the client's base came from (a queue URL may
    /// have one), sent before the operation's own.
    pub(crate) base_query: Option<String>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("credential", &self.credential.kind().describe())
            .field("user_agent", &self.user_agent)
            .field("retry", &self.retry)
            .field("max_body", &self.max_body)
            .field("request_timeout", &self.request_timeout)
            .field("poll_timeout", &self.poll_timeout)
            .finish()
    }
}

/// Whether an operation may be sent again after an attempt whose outcome
/// is unknown: reads, deletions, refreshes, updates with the same body,
/// job acquisition and registration. Not: creating a scale set, a session
/// or a JIT config (a repeat would create a second, or fail on the first).
fn repeatable(operation: &str) -> bool {
    !matches!(operation, "scale-sets/create" | "sessions/create" | "scale-sets/generate-jit-config")
}

impl ClientHooks<Inner> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        let Some((id, _, template, wanted)) = operation(info.operation_id) else {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "{}: no path template is known for this operation",
                info.operation_id
            )));
        };
        let held = self.inner().credential.kind();
        if held != wanted {
            return Err(progenitor_client::Error::InvalidRequest(format!(
                "{id} takes the {}, and this client holds the {} for another origin: nothing was sent",
                wanted.describe(),
                held.describe()
            )));
        }
        let base_path = reqwest::Url::parse(self.baseurl()).map(|u| u.path().to_string()).unwrap_or_default();
        crate::path::check(template, &base_path, request.url()).map_err(progenitor_client::Error::InvalidRequest)
    }

    async fn exec(&self, mut request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        let inner = self.inner();
        let (operation, template) = match operation(info.operation_id) {
            Some((id, _, template, _)) => (id, template),
            None => (info.operation_id, ""),
        };
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION);
        headers.insert(USER_AGENT, inner.user_agent.clone());
        let poll = operation == "messages/get";
        if poll {
            headers.insert(ACCEPT, HeaderValue::from_static(QUEUE_ACCEPT));
            // The description's `/` is the queue URL itself, as `client.go` sends it.
            let path = request.url().path().to_string();
            if path.len() > 1 && path.ends_with('/') {
                request.url_mut().set_path(path.trim_end_matches('/'));
            }
        } else {
            headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        }
        *request.timeout_mut() = Some(if poll { inner.poll_timeout } else { inner.request_timeout });
        if let Some(base) = inner.base_query.as_deref().filter(|q| !q.is_empty()) {
            let query = match request.url().query() {
                Some(own) if !own.is_empty() => format!("{base}&{own}"),
                _ => base.to_string(),
            };
            request.url_mut().set_query(Some(&query));
        }
        let span = tracing::debug_span!(
            "gha_runners.scaleset.request",
            operation,
            method = %request.method(),
            path = template,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let started = std::time::Instant::now();
        let result = send(self, request, operation, &span).instrument(span.clone()).await;
        span.record("duration_ms", started.elapsed().as_millis() as u64);
        if let Ok(r) = &result {
            span.record("status", r.status().as_u16());
        }
        result
    }
}

/// The attempts of one request.
async fn send(
    client: &Client,
    request: reqwest::Request,
    operation: &'static str,
    span: &tracing::Span,
) -> reqwest::Result<reqwest::Response> {
    let inner = client.inner();
    let mut attempt = 0u32;
    let mut renewed = false;
    loop {
        attempt += 1;
        span.record("attempt", attempt);
        let Some(mut req) = request.try_clone() else {
            return client.client().execute(request).await;
        };
        let credential = match &inner.credential {
            Credential::Registration(h) | Credential::Queue(h) => h.clone(),
            Credential::Admin(admin) => match admin.header().await {
                Ok(h) => h,
                Err((status, why)) => return Ok(renewal_failed(status, &why, request.url())),
            },
        };
        req.headers_mut().insert(AUTHORIZATION, credential.clone());
        let may_retry = attempt < inner.retry.max_attempts.max(1);
        let outcome = match client.client().execute(req).await {
            Ok(r) => response::read_bounded(r, inner.max_body).await,
            Err(e) => Err(e),
        };
        let mut answer = match outcome {
            Ok(Read::Whole(answer)) => answer,
            Ok(Read::TooLarge(refused)) => {
                tracing::warn!(operation, limit = inner.max_body, "response body over the limit: refused");
                return Ok(response::too_large(refused, inner.max_body));
            }
            Err(e) => {
                // A connection never made sent nothing: any operation may go again.
                // The long poll's timeout is its end, not a failure.
                let poll_ended = e.is_timeout() && operation == "messages/get";
                if may_retry && !poll_ended && (e.is_connect() || repeatable(operation)) {
                    let wait = inner.retry.backoff(attempt);
                    // Without the URL: a queue URL's query may be a credential.
                    let shown = e.without_url();
                    tracing::warn!(operation, attempt, error = %shown, wait_ms = wait.as_millis() as u64, "request failed; retrying");
                    tokio::time::sleep(wait).await;
                    continue;
                }
                return Err(e);
            }
        };
        // Only the transport makes that marker up; a server's is dropped.
        answer.headers.remove(RENEWAL_FAILED_HEADER);
        let status = answer.status;
        if status == StatusCode::UNAUTHORIZED
            && !renewed
            && let Credential::Admin(admin) = &inner.credential
        {
            tracing::warn!(operation, "the Actions service refused the admin token: registering again");
            admin.refused(&credential).await;
            renewed = true;
            continue;
        }
        let transient = status == StatusCode::TOO_MANY_REQUESTS || crate::transport::transient_status(status.as_u16());
        // A 429 was not applied, so anything may go again; a 5xx only what may be repeated.
        if transient && may_retry && (status == StatusCode::TOO_MANY_REQUESTS || repeatable(operation)) {
            let advised = answer
                .headers
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            match advised {
                Some(wait) if wait > inner.retry.max_wait => {}
                wait => {
                    let wait = wait.unwrap_or_else(|| inner.retry.backoff(attempt));
                    tracing::warn!(
                        operation,
                        attempt,
                        status = status.as_u16(),
                        wait_ms = wait.as_millis() as u64,
                        "service error; retrying"
                    );
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
        }
        if status.as_u16() >= 400 {
            answer.body = without_echo(&answer.body, &credential);
            answer = response::json_error_body(answer);
        }
        return Ok(answer.into_response());
    }
}

/// `body` with every copy of the credential sent (the token after its
/// scheme) replaced: an error that echoes the request's `Authorization`
/// must not carry it into an error message.
fn without_echo(body: &bytes::Bytes, credential: &HeaderValue) -> bytes::Bytes {
    let Some(token) = credential.to_str().ok().and_then(|v| v.split_once(' ')).map(|(_, t)| t.trim()) else {
        return body.clone();
    };
    let text = String::from_utf8_lossy(body);
    if token.len() < 8 || !text.contains(token) {
        return body.clone();
    }
    bytes::Bytes::from(text.replace(token, crate::secret::REDACTED))
}

/// The answer made up when the admin token could not be renewed: a 401
/// whose body says why, marked so the facade reports the registration.
fn renewal_failed(status: u16, why: &str, url: &reqwest::Url) -> reqwest::Response {
    let body = serde_json::json!({ "typeName": "RunnerRegistrationFailed", "message": why }).to_string();
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    headers.insert(RENEWAL_FAILED_HEADER, HeaderValue::from(status));
    response::rebuild(
        StatusCode::UNAUTHORIZED,
        reqwest::Version::HTTP_11,
        headers,
        bytes::Bytes::from(body),
        url.clone(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_operation_has_a_credential_and_a_template() {
        assert_eq!(OPERATIONS.len(), 17);
        assert_eq!(operation("messages_get").map(|o| o.3), Some(CredentialKind::Queue));
        assert_eq!(operation("runner_registration_create").map(|o| o.3), Some(CredentialKind::Registration));
        assert_eq!(operation("sessions_create").map(|o| o.3), Some(CredentialKind::Admin));
    }

    #[test]
    fn an_echoed_credential_is_taken_out_of_error_bodies() {
        let sent = HeaderValue::from_static("RemoteAuth AABF3JGZDX3P5PMEXLND6TS6FCW00001234");
        let body = bytes::Bytes::from_static(b"{\"message\":\"bad: RemoteAuth AABF3JGZDX3P5PMEXLND6TS6FCW00001234\"}");
        let cleaned = without_echo(&body, &sent);
        assert!(!String::from_utf8_lossy(&cleaned).contains("AABF3JGZ"), "{cleaned:?}");
        assert_eq!(without_echo(&bytes::Bytes::from_static(b"{}"), &sent), bytes::Bytes::from_static(b"{}"));
    }

    #[test]
    fn jwt_expiry_reads_exp_without_checking_the_signature() {
        use base64::Engine as _;
        let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        let token = format!("{}.{}.sig", b64(r#"{"alg":"RS256"}"#), b64(r#"{"exp":1800000000}"#));
        assert_eq!(jwt_expiry(&token).map(|t| t.timestamp()), Some(1_800_000_000));
        assert_eq!(jwt_expiry("not-a-jwt"), None);
        assert_eq!(jwt_expiry(&format!("a.{}.c", b64(r#"{"sub":"x"}"#))), None);
    }
}
