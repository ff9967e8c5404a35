//! Credentials: a static token, or a GitHub App installation whose token
//! the transport obtains and renews itself.

use super::attempts::Attempts;
use super::policy::transient_status;
use super::response::{Read, Refused, read_bounded};
use crate::generated::Client;
use crate::{Error, Secret};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use progenitor_client::ClientInfo;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Renew an installation token this long before it expires.
pub const RENEW_BEFORE: chrono::Duration = chrono::Duration::minutes(5);

/// A GitHub App's credentials for one installation
/// ([`crate::ClientBuilder::github_app`]).
#[derive(Clone)]
#[non_exhaustive]
pub struct GitHubApp {
    /// The App's id (or client id).
    pub app_id: String,
    /// The App's private key, PEM (`-----BEGIN RSA PRIVATE KEY-----` or PKCS#8).
    pub private_key_pem: Secret,
    /// The installation to act as.
    pub installation_id: i64,
}

impl GitHubApp {
    /// App `app_id` (its id or client id) with its PEM private key, acting
    /// as installation `installation_id`.
    pub fn new(app_id: impl Into<String>, private_key_pem: impl Into<Secret>, installation_id: i64) -> Self {
        Self { app_id: app_id.into(), private_key_pem: private_key_pem.into(), installation_id }
    }
}

impl fmt::Debug for GitHubApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GitHubApp")
            .field("app_id", &self.app_id)
            .field("private_key_pem", &self.private_key_pem)
            .field("installation_id", &self.installation_id)
            .finish()
    }
}

/// The state of App authentication: the signing key and the cached token.
pub(crate) struct AppAuth {
    pub app_id: String,
    pub installation_id: i64,
    key: EncodingKey,
    /// The cached token and the last failure (held only to read or write them).
    pub state: std::sync::Mutex<TokenState>,
    /// One renewal at a time: concurrent requests wait for it and share its
    /// token or its failure.
    pub renewing: tokio::sync::Mutex<()>,
    /// How many installation token requests were sent.
    pub renewals: AtomicU64,
    /// How many renewal rounds (each with its retries) have ended.
    pub rounds: AtomicU64,
}

/// The cached installation token, and the failure of the last renewal
/// round (with that round's number and when it ended) for the callers that
/// waited on it or come right after.
#[derive(Default)]
pub(crate) struct TokenState {
    pub token: Option<(HeaderValue, DateTime<Utc>)>,
    pub failure: Option<(u64, DateTime<Utc>, TokenFailure)>,
}

/// The deadline of one installation-token request.
pub const TOKEN_REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

/// How long a failed renewal answers for itself before a new round is tried.
pub const FAILURE_COOLDOWN: chrono::Duration = chrono::Duration::seconds(10);

/// Why a renewal round got no token.
#[derive(Debug, Clone)]
pub(crate) struct TokenFailure {
    kind: crate::AppAuthFailure,
    status: Option<u16>,
    message: String,
}

impl TokenFailure {
    pub fn new(app: &AppAuth, kind: crate::AppAuthFailure, status: Option<u16>, what: String) -> Self {
        let message =
            format!("GitHub App {} could not get a token for installation {}: {what}", app.app_id, app.installation_id);
        Self { kind, status, message }
    }

    /// The made-up answer that carries this failure to the caller (see
    /// `response::made_up`): GitHub's own status for a refusal, 503 when
    /// GitHub was unavailable, 502 for anything else.
    pub fn into_response(self, url: &reqwest::Url) -> reqwest::Response {
        use crate::AppAuthFailure::Unavailable;
        let status = match (self.status, self.kind) {
            (Some(s @ (401 | 403 | 404)), _) => s,
            (_, Unavailable) => 503,
            _ => 502,
        };
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(super::APP_TOKEN_FAILURE_HEADER, HeaderValue::from_static(self.kind.as_str()));
        if let Some(s) = self.status {
            headers.insert(super::APP_TOKEN_STATUS_HEADER, HeaderValue::from(s));
        }
        let status = reqwest::StatusCode::from_u16(status).unwrap_or(reqwest::StatusCode::BAD_GATEWAY);
        super::response::made_up(status, headers, &self.message, url)
    }
}

impl fmt::Debug for AppAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AppAuth")
            .field("app_id", &self.app_id)
            .field("installation_id", &self.installation_id)
            .field("renewals", &self.renewals.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

#[derive(serde::Serialize)]
struct Claims<'a> {
    iat: i64,
    exp: i64,
    iss: &'a str,
}

impl AppAuth {
    /// Checks the key now, so a bad key fails when the client is built.
    pub fn new(app: &GitHubApp) -> Result<Self, Error> {
        let key = EncodingKey::from_rsa_pem(app.private_key_pem.expose_secret().as_bytes()).map_err(|e| {
            Error::invalid(
                "private_key",
                format!("not an RSA private key in PEM form ({e}); use the .pem file GitHub generated for the App"),
            )
        })?;
        if app.app_id.trim().is_empty() {
            return Err(Error::invalid("app_id", "must not be empty"));
        }
        Ok(Self {
            app_id: app.app_id.clone(),
            installation_id: app.installation_id,
            key,
            state: std::sync::Mutex::new(TokenState::default()),
            renewing: tokio::sync::Mutex::new(()),
            renewals: AtomicU64::new(0),
            rounds: AtomicU64::new(0),
        })
    }

    fn with_state<T>(&self, f: impl FnOnce(&mut TokenState) -> T) -> T {
        f(&mut self.state.lock().unwrap_or_else(|p| p.into_inner()))
    }

    /// The cached token if it is not due for renewal at `now`.
    pub fn fresh(&self, now: DateTime<Utc>) -> Option<HeaderValue> {
        self.with_state(|s| s.token.as_ref().filter(|(_, exp)| *exp - now > RENEW_BEFORE).map(|(h, _)| h.clone()))
    }

    /// The cached token if it has not expired at `now` (still usable while
    /// a renewal is under way or has failed).
    pub fn unexpired(&self, now: DateTime<Utc>) -> Option<HeaderValue> {
        self.with_state(|s| s.token.as_ref().filter(|(_, exp)| *exp > now).map(|(h, _)| h.clone()))
    }

    /// The last failure, if the caller waited on its round (`round >
    /// seen`) or it ended less than [`FAILURE_COOLDOWN`] ago.
    pub fn recent_failure(&self, seen: u64, now: DateTime<Utc>) -> Option<TokenFailure> {
        self.with_state(|s| {
            s.failure
                .as_ref()
                .filter(|(round, at, _)| *round > seen || (now >= *at && now - *at < FAILURE_COOLDOWN))
                .map(|f| f.2.clone())
        })
    }

    /// Records the end of a renewal round.
    pub fn finish_round(
        &self,
        round: u64,
        now: DateTime<Utc>,
        result: &Result<(HeaderValue, DateTime<Utc>), TokenFailure>,
    ) {
        self.with_state(|s| match result {
            Ok(token) => {
                s.token = Some(token.clone());
                s.failure = None;
            }
            Err(f) => s.failure = Some((round, now, f.clone())),
        })
    }

    /// Forgets the cached token if it is `sent` (after a 401 for it).
    pub fn forget(&self, sent: Option<&HeaderValue>) {
        self.with_state(|s| {
            if s.token.as_ref().map(|(h, _)| h) == sent {
                s.token = None;
            }
        })
    }

    /// An RS256 JWT issued 60 s in the past and expiring 9 minutes from now
    /// (GitHub accepts at most 10).
    pub fn jwt(&self, now: DateTime<Utc>) -> Result<String, String> {
        let claims = Claims { iat: now.timestamp() - 60, exp: now.timestamp() + 9 * 60, iss: &self.app_id };
        jsonwebtoken::encode(&Header::new(Algorithm::RS256), &claims, &self.key).map_err(|e| e.to_string())
    }
}

/// A bearer header value, marked sensitive.
pub(crate) fn bearer(token: &str) -> Option<HeaderValue> {
    let mut v = HeaderValue::from_str(&format!("Bearer {token}")).ok()?;
    v.set_sensitive(true);
    Some(v)
}

/// The identity of a credential for cache keys: a hash of the static
/// header, or the App installation (whose tokens rotate).
pub(crate) fn identity(static_header: Option<&HeaderValue>, app: Option<&AppAuth>) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    match (app, static_header) {
        (Some(a), _) => ("app", &a.app_id, a.installation_id).hash(&mut h),
        (None, Some(v)) => v.as_bytes().hash(&mut h),
        (None, None) => "anonymous".hash(&mut h),
    }
    h.finish()
}

/// Whether GitHub accepts `operation` only with the App's JWT: the
/// App-level operations, whose paths start with `/app/` (the App's
/// webhook and its deliveries; the token request is sent by [`renew`]).
/// They count against the App's own rate limit, not the installation's.
pub(crate) fn app_level(operation: &str) -> bool {
    let template = crate::deployment::path_template(operation);
    template == "/app" || template.starts_with("/app/")
}

/// The credential for an attempt of `operation`: a fresh JWT for an
/// App-level operation of an App client ([`app_level`]); else the static
/// header, or an installation token (renewed when within 5 minutes of
/// expiry).
///
/// One renewal at a time. While it runs, callers whose token has not
/// expired yet keep using it; callers that need the new one wait for it and
/// share its outcome: they get its failure rather than repeating the
/// request one after another, and so does anyone within
/// [`FAILURE_COOLDOWN`] of it. A token that has not expired is used
/// even when its renewal failed.
pub(super) async fn authorization(client: &Client, operation: &str) -> Result<Option<HeaderValue>, TokenFailure> {
    let inner = client.inner();
    let Some(app) = &inner.app else { return Ok(inner.authorization.clone()) };
    let now = || inner.clock.now();
    if app_level(operation) {
        // Signed per attempt: a JWT lives 9 minutes, and costs no request.
        let jwt = app.jwt(now()).map_err(|e| {
            TokenFailure::new(app, crate::AppAuthFailure::Unexpected, None, format!("cannot sign a JWT: {e}"))
        })?;
        return Ok(bearer(&jwt));
    }
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
    let result = match &inner.link {
        Some(link) => renew_in_fleet(client, app, link).await,
        None => renew(client, app).await,
    };
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

/// How long a member waits for another member's renewal before it
/// renews itself: the other's token request deadline, and a margin.
const FOLLOW_RENEWAL_FOR: std::time::Duration = std::time::Duration::from_secs(35);

/// A renewal round in a fleet: one installation token for every member.
/// The fleet's token when it is fresh; else the fleet's renewal turn: the
/// member that gets it requests the token and stores it (with a TTL to its
/// expiry), the others wait for it (polling every 50 ms, for at most
/// [`FOLLOW_RENEWAL_FOR`]). The turn is not granted while the fleet's
/// token is fresh: one stored between a member's read and its request for
/// the turn is read, not renewed again. When the shared store does not answer, or the
/// renewing member never stores a token, the member renews on its own.
async fn renew_in_fleet(
    client: &Client,
    app: &AppAuth,
    link: &std::sync::Arc<dyn super::Link>,
) -> Result<(HeaderValue, DateTime<Utc>), TokenFailure> {
    use super::fleet::{Renewal, SharedToken};
    let started = tokio::time::Instant::now();
    loop {
        match link.token().await {
            Err(()) => return renew(client, app).await,
            Ok(Some(shared)) if shared.expires_at - client.inner().clock.now() > RENEW_BEFORE => {
                if let Some(header) = bearer(shared.token.expose_secret()) {
                    return Ok((header, shared.expires_at));
                }
            }
            Ok(_) => {}
        }
        let fresh_until = client.inner().clock.now() + RENEW_BEFORE;
        match link.renewal(fresh_until).await {
            Err(()) => return renew(client, app).await,
            // Stored since the read above: read again.
            Ok(Renewal::Fresh) => {}
            Ok(Renewal::Lead(id)) => {
                // Dropped while renewing, the turn is handed back for the others.
                let mut turn = RenewalTurn(Some((link.clone(), id)));
                let result = renew(client, app).await;
                let shared = result.as_ref().ok().and_then(|(header, expires_at)| {
                    let token = header.to_str().ok()?.strip_prefix("Bearer ")?;
                    Some(SharedToken { token: crate::Secret::new(token), expires_at: *expires_at })
                });
                if let Some((link, id)) = turn.0.take() {
                    link.renewed(id, shared).await;
                }
                return result;
            }
            Ok(Renewal::Follow) if started.elapsed() < FOLLOW_RENEWAL_FOR => {
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            }
            Ok(Renewal::Follow) => {
                tracing::warn!(app_id = %app.app_id, "the fleet's token renewal did not finish in time: renewing here");
                return renew(client, app).await;
            }
        }
    }
}

/// The fleet's renewal turn this member holds: dropped before it is
/// ended (the caller gave up), it is ended in the background.
struct RenewalTurn(Option<(std::sync::Arc<dyn super::Link>, String)>);

impl Drop for RenewalTurn {
    fn drop(&mut self) {
        if let (Some((link, id)), Ok(runtime)) = (self.0.take(), tokio::runtime::Handle::try_current()) {
            runtime.spawn(async move { link.renewed(id, None).await });
        }
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
async fn renew(client: &Client, app: &AppAuth) -> Result<(HeaderValue, chrono::DateTime<chrono::Utc>), TokenFailure> {
    use crate::AppAuthFailure::{Unavailable, Unexpected};
    const OP: &str = "apps/create-installation-access-token";
    let inner = client.inner();
    let fail = |kind, status, what: String| TokenFailure::new(app, kind, status, what);
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
        *req.timeout_mut() = Some(TOKEN_REQUEST_TIMEOUT);
        if let Some(h) = bearer(&jwt) {
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
            Ok(Read::TooLarge(Refused { status, .. })) => {
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
        // The token request counts against the App's quota, not the
        // installation's: the snapshot notes it, the gate does not.
        inner.observe_rate_limit(&response.headers, None);
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
            let header = bearer(token.token.expose_secret())
                .ok_or_else(|| fail(Unexpected, Some(status), "the installation token is not a valid header".into()))?;
            return Ok((header, token.expires_at));
        }
        if let Some(limit) = super::rate::classify(status, &response.headers, &response.body) {
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
        return Err(refusal(app, status, &response.body));
    }
}

/// The failure for a definitive refusal of the token request, saying what
/// to check.
fn refusal(app: &AppAuth, status: u16, body: &[u8]) -> TokenFailure {
    use crate::AppAuthFailure::{InstallationNotFound, KeyRejected, Suspended, Unexpected};
    let fail = |kind, status, what: String| TokenFailure::new(app, kind, status, what);
    let said = crate::error::message_of(body);
    match status {
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
    }
}

/// After a 401: with an installation token, and once per request, forgets
/// the token this attempt sent (another caller may have renewed it
/// already) so that the next attempt renews it; `true` to retry.
/// In a fleet, the fleet forgets it too (if it still holds that one).
pub(super) async fn rejected(
    inner: &super::Inner,
    sent: Option<&HeaderValue>,
    renewed: &mut bool,
    operation: &str,
) -> bool {
    let Some(app) = &inner.app else { return false };
    if *renewed || app_level(operation) {
        // A refused JWT is no installation token to renew.
        return false;
    }
    tracing::debug!(operation, "401 with an installation token: renewing it once");
    app.forget(sent);
    if let (Some(link), Some(token)) =
        (&inner.link, sent.and_then(|h| h.to_str().ok()).and_then(|h| h.strip_prefix("Bearer ")))
    {
        link.forget(token).await;
    }
    *renewed = true;
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_operations_under_app_take_the_app_s_jwt() {
        let jwt: Vec<&str> = crate::deployment::operation_ids().filter(|id| app_level(id)).collect();
        assert_eq!(
            jwt,
            [
                "apps/create-installation-access-token",
                "apps/get-webhook-delivery",
                "apps/list-webhook-deliveries",
                "apps/redeliver-webhook-delivery"
            ]
        );
    }
}
