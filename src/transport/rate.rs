//! The rate-limit snapshot every response updates.

use chrono::{DateTime, Utc};
use reqwest::header::HeaderMap;

/// GitHub's rate-limit headers of the latest response
/// ([`crate::Client::rate_limit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window (`x-ratelimit-limit`).
    pub limit: u64,
    /// Requests left in this window (`x-ratelimit-remaining`).
    pub remaining: u64,
    /// Requests used in this window (`x-ratelimit-used`).
    pub used: u64,
    /// When the window resets (`x-ratelimit-reset`).
    pub reset: DateTime<Utc>,
    /// The resource counted (`x-ratelimit-resource`, e.g. `core`).
    pub resource: String,
}

impl RateLimit {
    /// Reads the headers of a response; `None` when it has none.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let get = |k: &str| headers.get(k).and_then(|v| v.to_str().ok());
        let num = |k: &str| get(k).and_then(|v| v.trim().parse::<u64>().ok());
        let limit = num("x-ratelimit-limit")?;
        let remaining = num("x-ratelimit-remaining")?;
        let reset = get("x-ratelimit-reset")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))?;
        Some(Self {
            limit,
            remaining,
            used: num("x-ratelimit-used").unwrap_or(limit.saturating_sub(remaining)),
            reset,
            resource: get("x-ratelimit-resource").unwrap_or("core").to_string(),
        })
    }
}
