//! Credentials: a static token, or a GitHub App installation whose token
//! the transport obtains and renews itself.

use crate::{Error, Secret};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::HeaderValue;
use std::fmt;
use std::sync::atomic::{AtomicU64, Ordering};

/// Renew an installation token this long before it expires.
pub const RENEW_BEFORE: chrono::Duration = chrono::Duration::minutes(5);

/// A GitHub App's credentials for one installation
/// ([`crate::ClientBuilder::github_app`]).
#[derive(Clone)]
pub struct GitHubApp {
    /// The App's id (or client id).
    pub app_id: String,
    /// The App's private key, PEM (`-----BEGIN RSA PRIVATE KEY-----` or PKCS#8).
    pub private_key_pem: Secret,
    /// The installation to act as.
    pub installation_id: i64,
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
    /// `transport::made_up`): GitHub's own status for a refusal, 503 when
    /// GitHub was unavailable, 502 for anything else.
    pub fn into_response(self) -> reqwest::Response {
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
        super::made_up(status, headers, &self.message)
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
