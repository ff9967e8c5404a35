//! What the transport retries, how long it waits, and how it treats the
//! primary rate limit.

use std::time::Duration;

/// Retries of failed requests.
///
/// Retried: connection failures, timeouts and 500/502/503/504 for GET, PUT,
/// DELETE (and HEAD), and for the creation of registration and remove
/// tokens (a new token is harmless). Never retried blindly: other POSTs and
/// PATCHes. A JIT config request whose outcome is unknown is resolved by
/// looking the runner up by name first (see [`crate::Error::JitOutcomeUnknown`]).
/// A request refused by a secondary rate limit was not applied, so it is
/// retried after the wait whatever its method.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Attempts in all, including the first (default 3).
    pub max_attempts: u32,
    /// Base of the exponential backoff with full jitter (default 500 ms).
    pub base_delay: Duration,
    /// Longest single backoff (default 30 s).
    pub max_delay: Duration,
    /// Secondary-rate-limit waits before giving up (default 3).
    pub secondary_retries: u32,
    /// The longest wait a server may dictate (`Retry-After`, the primary
    /// limit's reset, the fallback waits of a secondary limit without
    /// `Retry-After`); default 5 minutes. A longer one is not waited for:
    /// the call returns [`crate::Error::RateLimited`] at once with the
    /// advised wait, so the caller can schedule the work instead. The
    /// permit that paces mutations is released during every wait.
    pub max_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
            secondary_retries: 3,
            max_wait: Duration::from_secs(300),
        }
    }
}

crate::setters::setters!(RetryPolicy {
    max_attempts: val u32,
    base_delay: set Duration,
    max_delay: set Duration,
    secondary_retries: val u32,
    max_wait: set Duration,
});

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self { max_attempts: 1, secondary_retries: 0, ..Self::default() }
    }

    /// The backoff before retry number `retry` (1 for the first retry): a
    /// uniformly random duration up to `min(max_delay, base_delay * 2^(retry-1))`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let cap = self.base_delay.saturating_mul(1u32 << retry.saturating_sub(1).min(20)).min(self.max_delay);
        let millis = u64::try_from(cap.as_millis()).unwrap_or(u64::MAX);
        Duration::from_millis(fastrand::u64(0..=millis))
    }

    /// The wait after a secondary limit without `Retry-After`: at least a
    /// minute, doubling with each further wait.
    pub fn secondary_wait(&self, wait: u32) -> Duration {
        Duration::from_secs(60u64.saturating_mul(1u64 << wait.min(10)))
    }
}

/// What to do when the primary rate limit is exhausted.
#[derive(Debug, Clone, PartialEq, Default)]
#[non_exhaustive]
pub enum RateLimitPolicy {
    /// Return [`crate::Error::RateLimited`] with the reset time (default).
    #[default]
    Fail,
    /// Wait until the reset and retry, if that is at most `max_wait` away.
    Wait {
        /// The longest wait accepted.
        max_wait: Duration,
    },
}

/// How an operation may be retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Retry {
    /// Safe to repeat (GET, PUT, DELETE, token creation).
    Safe,
    /// A JIT config: resolve an unknown outcome by looking the runner up.
    Jit,
    /// Not retried once sent.
    Never,
}

pub(crate) fn classify(method: &reqwest::Method, operation: &str) -> Retry {
    use reqwest::Method;
    let idempotent = matches!(*method, Method::GET | Method::HEAD | Method::PUT | Method::DELETE);
    // A new registration or remove token is harmless.
    let token = operation.contains("create-registration-token") || operation.contains("create-remove-token");
    if idempotent || token {
        Retry::Safe
    } else if operation.contains("generate-runner-jitconfig") {
        Retry::Jit
    } else {
        Retry::Never
    }
}

/// Statuses retried for safe operations.
pub(crate) fn transient_status(status: u16) -> bool {
    matches!(status, 500 | 502 | 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_has_full_jitter_under_an_exponential_cap() {
        let p = RetryPolicy::default();
        for retry in 1..=8 {
            let cap = Duration::from_millis(500 * (1 << (retry - 1))).min(Duration::from_secs(30));
            for _ in 0..50 {
                assert!(p.backoff(retry) <= cap);
            }
        }
        assert_eq!(p.secondary_wait(0), Duration::from_secs(60));
        assert_eq!(p.secondary_wait(2), Duration::from_secs(240));
    }

    #[test]
    fn classification() {
        use reqwest::Method;
        assert_eq!(classify(&Method::GET, "actions/list-self-hosted-runners-for-org"), Retry::Safe);
        assert_eq!(classify(&Method::DELETE, "actions/delete-self-hosted-runner-from-org"), Retry::Safe);
        assert_eq!(classify(&Method::POST, "actions/create-registration-token-for-org"), Retry::Safe);
        assert_eq!(classify(&Method::POST, "actions/generate-runner-jitconfig-for-repo"), Retry::Jit);
        assert_eq!(classify(&Method::POST, "actions/create-self-hosted-runner-group-for-org"), Retry::Never);
        assert_eq!(classify(&Method::PATCH, "actions/update-hosted-runner-for-org"), Retry::Never);
    }
}
