//! The client-wide rate-limit gate: a limit learned from any response holds
//! every later request of the credential until it passes.
//!
//! - A secondary limit (`Retry-After`, or GitHub's fallback of a minute and
//!   more) holds every request.
//! - A spent primary quota (`x-ratelimit-remaining: 0`, on any status, a
//!   200 included) holds the requests counted against that
//!   `x-ratelimit-resource` until `x-ratelimit-reset`.
//! - `rate-limit/get` is never held: GitHub does not count it.
//!
//! While nothing is held, a request pays one atomic load and one read of
//! the clock ([`Gate::horizon`]); the map of holds is locked only when
//! something is or was held. Callers held by one limit share one wake-up
//! (one timer per hold, started by the first of them) and then go one by
//! one, each after a random part of a short spread, so that the first
//! requests after the window can meet a renewed limit before the others go.

use super::clock::SharedClock;
use crate::RateLimitKind;
use chrono::{DateTime, Utc};
use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// The resource a request is counted against unless GitHub said otherwise.
pub(crate) const CORE: &str = "core";

/// The one operation GitHub does not count against any limit.
pub(crate) const EXEMPT_OPERATION: &str = "rate-limit/get";

/// The longest a learned limit holds requests: GitHub's windows are an
/// hour at most, so a later `x-ratelimit-reset` or a larger `Retry-After`
/// (a broken proxy, a hostile server) holds for an hour, not for ever.
pub(crate) const MAX_HOLD: chrono::Duration = chrono::Duration::hours(1);

/// `until`, or [`MAX_HOLD`] from `now` if that is sooner.
pub(crate) fn capped(until: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    until.min(now.checked_add_signed(MAX_HOLD).unwrap_or(until))
}

/// A limit in force: what holds requests, until when, and what GitHub said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hold {
    pub kind: RateLimitKind,
    /// The resource a primary limit is for (`None`: a secondary limit,
    /// which holds every resource).
    pub resource: Option<String>,
    /// When requests may go again.
    pub until: DateTime<Utc>,
    /// `x-ratelimit-reset` of a primary limit.
    pub reset_at: Option<DateTime<Utc>>,
}

/// One held limit and the wake-up its waiters share.
struct Entry {
    hold: Hold,
    wake: Option<Shared<BoxFuture<'static, ()>>>,
}

/// The gate of one credential (see the module docs).
#[derive(Default)]
pub(crate) struct Gate {
    /// Milliseconds since the epoch until which something may be held;
    /// 0 when nothing ever was.
    horizon: AtomicI64,
    holds: Mutex<Holds>,
}

#[derive(Default)]
struct Holds {
    secondary: Option<Entry>,
    primary: HashMap<String, Entry>,
    /// Operations GitHub counted against another resource than `core`.
    resources: HashMap<&'static str, String>,
}

impl std::fmt::Debug for Gate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gate").field("horizon_ms", &self.horizon.load(Ordering::Relaxed)).finish_non_exhaustive()
    }
}

/// What the gate says of a request about to be sent.
pub(crate) enum Admission {
    /// Nothing holds it.
    Go,
    /// This limit holds it.
    Held(Hold),
}

impl Gate {
    fn lock(&self) -> std::sync::MutexGuard<'_, Holds> {
        self.holds.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Whether `operation` may be sent at `now`, or the limit that holds it.
    pub fn admit(&self, operation: &'static str, now: DateTime<Utc>) -> Admission {
        if self.horizon.load(Ordering::Acquire) <= now.timestamp_millis() || operation == EXEMPT_OPERATION {
            return Admission::Go;
        }
        let holds = self.lock();
        if let Some(e) = holds.secondary.as_ref().filter(|e| e.hold.until > now) {
            return Admission::Held(e.hold.clone());
        }
        let resource = holds.resources.get(operation).map_or(CORE, String::as_str);
        match holds.primary.get(resource).filter(|e| e.hold.until > now) {
            Some(e) => Admission::Held(e.hold.clone()),
            None => Admission::Go,
        }
    }

    /// Records a limit; a later `until` of the same kind and resource wins,
    /// an earlier one is ignored (a late message about an old limit).
    /// Returns whether it changed the gate.
    pub fn hold(&self, hold: Hold) -> bool {
        let mut holds = self.lock();
        let slot = match &hold.resource {
            None => &mut holds.secondary,
            Some(r) => {
                // An entry per resource GitHub named: a handful at most.
                if !holds.primary.contains_key(r) {
                    holds.primary.insert(r.clone(), Entry { hold: hold.clone(), wake: None });
                    self.horizon.fetch_max(hold.until.timestamp_millis(), Ordering::AcqRel);
                    return true;
                }
                let Some(e) = holds.primary.get_mut(r) else { return false };
                return replace(e, hold, &self.horizon);
            }
        };
        match slot {
            Some(e) => replace(e, hold, &self.horizon),
            None => {
                self.horizon.fetch_max(hold.until.timestamp_millis(), Ordering::AcqRel);
                *slot = Some(Entry { hold, wake: None });
                true
            }
        }
    }

    /// Notes the resource GitHub counted `operation` against, when it is
    /// not `core` (read only while something is held).
    pub fn counted(&self, operation: &'static str, resource: &str) {
        if resource == CORE {
            return;
        }
        let mut holds = self.lock();
        if holds.resources.get(operation).map(String::as_str) != Some(resource) {
            holds.resources.insert(operation, resource.to_string());
        }
    }

    /// Waits for `hold` to pass: the shared wake-up of its waiters (the
    /// first one starts the timer on `clock`), then this caller's share of
    /// the spread.
    pub async fn wait(&self, hold: &Hold, clock: &SharedClock) {
        let length = (hold.until - clock.now()).to_std().unwrap_or_default();
        let wake = {
            let mut holds = self.lock();
            let entry = match &hold.resource {
                None => holds.secondary.as_mut(),
                Some(r) => holds.primary.get_mut(r),
            };
            match entry {
                Some(e) if e.hold == *hold => {
                    let until = hold.until;
                    let wake = e.wake.get_or_insert_with(|| {
                        let d = (until - clock.now()).to_std().unwrap_or_default();
                        clock.sleep(d).shared()
                    });
                    Some(wake.clone())
                }
                // Replaced meanwhile: the caller checks the gate again.
                _ => None,
            }
        };
        if let Some(wake) = wake {
            wake.await;
            clock.sleep(spread(length)).await;
        }
    }
}

/// Replaces `entry`'s hold when `hold` lasts longer.
fn replace(entry: &mut Entry, hold: Hold, horizon: &AtomicI64) -> bool {
    if hold.until <= entry.hold.until {
        return false;
    }
    horizon.fetch_max(hold.until.timestamp_millis(), Ordering::AcqRel);
    *entry = Entry { hold, wake: None };
    true
}

/// A waiter's delay after the shared wake-up: uniform up to a twentieth
/// of what it waited, between 50 ms and 2 s.
fn spread(waited: Duration) -> Duration {
    let cap = (waited / 20).clamp(Duration::from_millis(50), Duration::from_secs(2));
    Duration::from_millis(fastrand::u64(0..=u64::try_from(cap.as_millis()).unwrap_or(50)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secondary(until: DateTime<Utc>) -> Hold {
        Hold { kind: RateLimitKind::Secondary, resource: None, until, reset_at: None }
    }

    fn primary(resource: &str, until: DateTime<Utc>) -> Hold {
        Hold { kind: RateLimitKind::Primary, resource: Some(resource.into()), until, reset_at: Some(until) }
    }

    const OP: &str = "actions/list-self-hosted-runners-for-org";

    #[test]
    fn nothing_held_until_a_limit_is_learned_and_after_it_passes() {
        let gate = Gate::default();
        let now = Utc::now();
        assert!(matches!(gate.admit(OP, now), Admission::Go));
        assert!(gate.hold(secondary(now + chrono::Duration::seconds(2))));
        assert!(matches!(gate.admit(OP, now), Admission::Held(h) if h.kind == RateLimitKind::Secondary));
        assert!(matches!(gate.admit(EXEMPT_OPERATION, now), Admission::Go), "rate-limit/get is exempt");
        assert!(matches!(gate.admit(OP, now + chrono::Duration::seconds(2)), Admission::Go));
    }

    #[test]
    fn a_primary_limit_holds_only_its_resource() {
        let gate = Gate::default();
        let now = Utc::now();
        gate.hold(primary("search", now + chrono::Duration::hours(1)));
        assert!(matches!(gate.admit(OP, now), Admission::Go), "the runner API counts against core");
        gate.counted(OP, "search");
        assert!(matches!(gate.admit(OP, now), Admission::Held(_)), "GitHub said this one counts against search");
        gate.hold(primary("core", now + chrono::Duration::hours(1)));
        assert!(matches!(gate.admit("actions/get-self-hosted-runner-for-org", now), Admission::Held(_)));
    }

    #[test]
    fn a_later_limit_wins_and_an_earlier_one_is_ignored() {
        let gate = Gate::default();
        let now = Utc::now();
        assert!(gate.hold(secondary(now + chrono::Duration::seconds(10))));
        assert!(!gate.hold(secondary(now + chrono::Duration::seconds(5))));
        assert!(matches!(gate.admit(OP, now + chrono::Duration::seconds(7)), Admission::Held(_)));
        assert!(gate.hold(secondary(now + chrono::Duration::seconds(20))));
        assert!(matches!(gate.admit(OP, now + chrono::Duration::seconds(15)), Admission::Held(_)));
    }

    #[tokio::test]
    async fn waiters_share_one_wake_up_then_spread() {
        use super::super::Clock;
        let clock = super::super::VirtualClock::new();
        let shared: SharedClock = std::sync::Arc::new(clock.clone());
        let gate = Gate::default();
        let hold = secondary(clock.now() + chrono::Duration::seconds(30));
        gate.hold(hold.clone());
        for _ in 0..5 {
            gate.wait(&hold, &shared).await;
        }
        let sleeps = clock.sleeps();
        assert_eq!(sleeps.iter().filter(|d| **d >= Duration::from_secs(29)).count(), 1, "one timer: {sleeps:?}");
        assert_eq!(sleeps.len(), 6, "the timer, then each waiter's spread");
        assert!(sleeps[1..].iter().all(|d| *d <= Duration::from_secs(2)), "{sleeps:?}");
    }
}
