//! The rate-limit snapshot every response updates.

use super::Inner;
use super::attempts::Attempts;
use super::gate::Hold;
use super::policy::RateLimitPolicy;
use super::response::Buffered;
use chrono::{DateTime, Utc};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
const USED: HeaderName = HeaderName::from_static("x-ratelimit-used");
const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");
const RESOURCE: HeaderName = HeaderName::from_static("x-ratelimit-resource");
use std::time::Duration;

/// GitHub's rate-limit headers of the latest response
/// ([`crate::Client::rate_limit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
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
        let get = |k: &HeaderName| headers.get(k).and_then(|v| v.to_str().ok());
        let num = |k: &HeaderName| get(k).and_then(|v| v.trim().parse::<u64>().ok());
        let limit = num(&LIMIT)?;
        let remaining = num(&REMAINING)?;
        let reset = get(&RESET)
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0))?;
        Some(Self {
            limit,
            remaining,
            used: num(&USED).unwrap_or(limit.saturating_sub(remaining)),
            reset,
            resource: get(&RESOURCE).unwrap_or("core").to_string(),
        })
    }
}

/// What an error response says about rate limits: the one classification
/// the transport (to decide whether to wait) and [`crate::Error`] (to pick
/// the variant) share.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Limited {
    pub kind: crate::RateLimitKind,
    /// `x-ratelimit-reset`, if sent.
    pub reset_at: Option<DateTime<Utc>>,
    /// `Retry-After` in seconds, if sent.
    pub retry_after: Option<std::time::Duration>,
}

/// Classifies a 403 or 429 by GitHub's documented signals, in this order:
/// `x-ratelimit-remaining: 0` is the primary limit (with or without
/// `Retry-After`); `Retry-After`, a 429 or a message naming the secondary
/// rate limit is a secondary limit; a message saying the rate limit was
/// exceeded is the primary limit even when a proxy stripped the headers.
/// Anything else is not a rate limit (`None`).
pub(crate) fn classify(status: u16, headers: &HeaderMap, message: &[u8]) -> Option<Limited> {
    use crate::RateLimitKind::{Primary, Secondary};
    if !matches!(status, 403 | 429) {
        return None;
    }
    let get = |k: &HeaderName| headers.get(k).and_then(|v| v.to_str().ok()).map(str::trim);
    let reset_at = get(&RESET).and_then(|v| v.parse::<i64>().ok()).and_then(|t| DateTime::from_timestamp(t, 0));
    let retry_after =
        get(&reqwest::header::RETRY_AFTER).and_then(|v| v.parse::<u64>().ok()).map(std::time::Duration::from_secs);
    let says = |needle: &[u8]| message.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    // The transport's verdict on the whole body, when it handed this back.
    let verdict = get(&super::RATE_LIMIT_HEADER);
    let kind = if verdict == Some("none") {
        return None;
    } else if verdict == Some("primary") {
        Primary
    } else if verdict == Some("secondary") {
        Secondary
    } else if get(&REMAINING) == Some("0") {
        Primary
    } else if retry_after.is_some() || status == 429 || says(b"secondary rate limit") {
        Secondary
    } else if says(b"rate limit exceeded") {
        Primary
    } else {
        return None;
    };
    let reset_at = if kind == Primary { reset_at } else { None };
    Some(Limited { kind, reset_at, retry_after })
}

/// What a 403 or 429 means: `Some(wait)` to wait out a rate limit and
/// retry, or `None` to hand the answer back, marked with the verdict
/// (`primary`, `secondary` or `none`, made on the whole body) so that
/// [`crate::Error`] agrees with the transport even when the body is not JSON.
///
/// Either way the limit holds the gate, so that no other request of the
/// credential meets it again before it passes (not for an App-level
/// operation: that limit is the App's).
pub(super) async fn judge(
    inner: &Inner,
    tries: &mut Attempts,
    response: &mut Buffered,
    operation: &'static str,
    app_level: bool,
) -> Option<Duration> {
    let status = response.status.as_u16();
    let verdict = match classify(status, &response.headers, &response.body) {
        Some(limit) => {
            // An App-level limit is the App's, not the credential's.
            if !app_level {
                inner.learn(hold_for(inner, &limit, tries, &response.headers, operation)).await;
            }
            if let Some(wait) = wait_for(inner, &limit, tries) {
                tracing::warn!(operation, kind = %limit.kind, wait_s = wait.as_secs(), "rate limited; waiting before retrying");
                return Some(wait);
            }
            match limit.kind {
                crate::RateLimitKind::Primary => "primary",
                crate::RateLimitKind::Secondary => "secondary",
            }
        }
        None if matches!(status, 403 | 429) => "none",
        None => return None,
    };
    response.headers.insert(super::RATE_LIMIT_HEADER, HeaderValue::from_static(verdict));
    None
}

/// The hold a rate-limited answer puts on the gate: a secondary limit for
/// `Retry-After` or GitHub's fallback (a minute, doubling with each limit
/// this request met without `Retry-After`); a primary limit until its
/// reset, or for `Retry-After` or a minute when a proxy stripped the reset.
///
/// A primary limit holds the resource the answer names, else the one the
/// operation was last counted against (`core` by default).
fn hold_for(inner: &Inner, limit: &Limited, tries: &Attempts, headers: &HeaderMap, operation: &'static str) -> Hold {
    let now = inner.clock.now();
    let after = |d: Duration| {
        chrono::Duration::from_std(d).ok().and_then(|d| now.checked_add_signed(d)).unwrap_or(DateTime::<Utc>::MAX_UTC)
    };
    match limit.kind {
        crate::RateLimitKind::Secondary => Hold {
            kind: limit.kind,
            resource: None,
            until: after(limit.retry_after.unwrap_or_else(|| inner.retry.secondary_wait(tries.unannounced))),
            reset_at: None,
        },
        crate::RateLimitKind::Primary => Hold {
            kind: limit.kind,
            resource: Some(match headers.get(&RESOURCE).and_then(|v| v.to_str().ok()) {
                Some(named) => super::gate::resource_name(named.trim()).to_string(),
                None => inner.gate.resource_of(operation),
            }),
            until: limit
                .reset_at
                .map(|r| r.checked_add_signed(chrono::Duration::seconds(1)).unwrap_or(r))
                .unwrap_or_else(|| after(limit.retry_after.unwrap_or(Duration::from_secs(60)))),
            reset_at: limit.reset_at,
        },
    }
}

/// Whether a request held by a limit of `kind` for `wait` may wait for it:
/// a secondary limit within [`super::RetryPolicy::max_wait`]; a primary
/// limit only under [`RateLimitPolicy::Wait`], within both ceilings.
pub(super) fn may_wait(inner: &Inner, kind: crate::RateLimitKind, wait: Duration) -> bool {
    let ceiling = inner.retry.max_wait;
    match (kind, &inner.rate_policy) {
        (crate::RateLimitKind::Secondary, _) => wait <= ceiling,
        (crate::RateLimitKind::Primary, RateLimitPolicy::Wait { max_wait }) => wait <= (*max_wait).min(ceiling),
        (crate::RateLimitKind::Primary, RateLimitPolicy::Fail) => false,
    }
}

/// The answer for a request the gate holds and that does not wait: the
/// 403 (primary) or 429 (secondary) GitHub would give, marked as the
/// client's own, with the reset or the wait left, made up without sending
/// anything.
pub(super) fn held(hold: &Hold, wait: Duration, url: &reqwest::Url) -> reqwest::Response {
    let mut headers = HeaderMap::new();
    let (status, verdict) = match hold.kind {
        crate::RateLimitKind::Primary => (reqwest::StatusCode::FORBIDDEN, "primary"),
        crate::RateLimitKind::Secondary => (reqwest::StatusCode::TOO_MANY_REQUESTS, "secondary"),
    };
    headers.insert(super::RATE_LIMIT_HEADER, HeaderValue::from_static(verdict));
    headers.insert(super::HELD_HEADER, HeaderValue::from_static("1"));
    let message = match (&hold.resource, hold.reset_at) {
        (Some(resource), Some(reset)) => {
            headers.insert(RESET, HeaderValue::from(reset.timestamp()));
            headers.insert(REMAINING, HeaderValue::from_static("0"));
            format!(
                "not sent: the client holds requests until GitHub's `{resource}` quota resets at {} (it was spent)",
                reset.to_rfc3339()
            )
        }
        _ => {
            // Whole seconds, rounded up, as GitHub sends them.
            let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
            headers.insert(reqwest::header::RETRY_AFTER, HeaderValue::from(secs));
            format!("not sent: the client holds requests for {secs} s after a {} rate limit", hold.kind)
        }
    };
    super::response::made_up(status, headers, &message, url)
}

/// How long to wait before retrying a rate-limited request, or `None` to
/// hand the 403/429 back (it becomes [`crate::Error::RateLimited`]).
///
/// Every wait a server dictates is bounded by [`super::RetryPolicy::max_wait`]:
/// above it the call returns at once with the advised wait, so the caller
/// can schedule instead of sleeping. The primary limit is waited for only
/// under [`super::RateLimitPolicy::Wait`] (and at most its own `max_wait`).
fn wait_for(inner: &Inner, limit: &Limited, tries: &mut Attempts) -> Option<Duration> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RateLimitKind::{Primary, Secondary};
    use std::time::Duration;

    fn h(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (reqwest::header::HeaderName::from_static(k), v.parse().unwrap())).collect()
    }

    #[test]
    fn classification_follows_githubs_signals() {
        let primary = classify(403, &h(&[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000000")]), b"");
        assert_eq!(primary.map(|l| (l.kind, l.reset_at.map(|t| t.timestamp()))), Some((Primary, Some(1_700_000_000))));
        let both = classify(403, &h(&[("x-ratelimit-remaining", "0"), ("retry-after", "30")]), b"").unwrap();
        assert_eq!((both.kind, both.retry_after), (Primary, Some(Duration::from_secs(30))), "remaining 0 wins");
        assert_eq!(classify(403, &h(&[("retry-after", "30")]), b"").unwrap().kind, Secondary);
        assert_eq!(classify(429, &h(&[]), b"").unwrap().kind, Secondary);
        assert_eq!(classify(403, &h(&[]), b"You have exceeded a SECONDARY rate limit").unwrap().kind, Secondary);
        let stripped = classify(403, &h(&[]), b"{\"message\":\"API rate limit exceeded for 1.2.3.4.\"}").unwrap();
        assert_eq!((stripped.kind, stripped.reset_at), (Primary, None), "headers stripped by a proxy");
        assert_eq!(classify(403, &h(&[("x-ratelimit-remaining", "12")]), b"Resource not accessible"), None);
        assert_eq!(classify(404, &h(&[("x-ratelimit-remaining", "0")]), b"rate limit exceeded"), None);
    }
}
