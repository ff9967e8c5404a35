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
    /// One renewal at a time: concurrent requests wait for it and share it.
    pub cached: tokio::sync::Mutex<Option<(HeaderValue, DateTime<Utc>)>>,
    /// How many installation tokens were requested.
    pub renewals: AtomicU64,
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
            cached: tokio::sync::Mutex::new(None),
            renewals: AtomicU64::new(0),
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
