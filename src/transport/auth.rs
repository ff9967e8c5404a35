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
    /// One renewal at a time: concurrent requests wait for it and share it,
    /// its token or its failure.
    pub state: tokio::sync::Mutex<TokenState>,
    /// How many installation token requests were sent.
    pub renewals: AtomicU64,
    /// How many renewal rounds (each with its retries) have ended.
    pub rounds: AtomicU64,
}

/// The cached installation token, and the failure of the last renewal
/// round (with that round's number) for the callers that waited on it.
#[derive(Default)]
pub(crate) struct TokenState {
    pub token: Option<(HeaderValue, DateTime<Utc>)>,
    pub failure: Option<(u64, TokenFailure)>,
}

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
            state: tokio::sync::Mutex::new(TokenState::default()),
            renewals: AtomicU64::new(0),
            rounds: AtomicU64::new(0),
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
