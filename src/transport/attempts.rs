//! The counters of one request's attempts, which the retry, rate-limit and
//! authentication decisions all read and update.

use super::policy::RetryPolicy;
use std::time::Duration;

/// The counters of one request's attempts.
#[derive(Default)]
pub(super) struct Attempts {
    /// Attempts made (1 for the first).
    pub number: u32,
    /// Connection failures, timeouts and 5xx retried so far.
    pub failures: u32,
    /// Secondary-rate-limit waits so far, and those without `Retry-After`.
    pub secondary: u32,
    pub unannounced: u32,
    /// Whether the installation token was renewed after a 401.
    pub renewed: bool,
    /// Whether a primary-limit reset was waited for.
    pub waited_primary: bool,
    /// Whether an earlier attempt may have been applied without its answer
    /// arriving (a timeout or a broken connection after sending, or a 504).
    pub outcome_unknown: bool,
}

impl Attempts {
    /// Whether the policy allows one more retry of a failure.
    pub fn may_retry(&self, policy: &RetryPolicy) -> bool {
        self.failures + 1 < policy.max_attempts
    }

    /// Counts one more retried failure and draws its backoff.
    pub fn backoff(&mut self, policy: &RetryPolicy) -> Duration {
        self.failures += 1;
        policy.backoff(self.failures)
    }
}
