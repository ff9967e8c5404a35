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
//! the clock (the gate's horizon); the map of holds is locked only when
//! something is or was held. Callers held by one limit share one wake-up
//! time (the limit's end) and then go one by one, each after a random part
//! of a short spread, so that the first requests after the window can meet
//! a renewed limit before the others go. Each waits on its own timer, on
//! its own runtime.

use super::clock::SharedClock;
use crate::RateLimitKind;
use chrono::{DateTime, Utc};
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

/// The most resources held at once: GitHub names a handful; past that,
/// the hold that ends first makes room.
const MAX_RESOURCES: usize = 16;

/// `resource` if it looks like one of GitHub's (`core`,
/// `actions_runner_registration`...), else `core`.
pub(crate) fn resource_name(resource: &str) -> &str {
    let plausible = (1..=40).contains(&resource.len()) && resource.bytes().all(|b| b.is_ascii_lowercase() || b == b'_');
    if plausible { resource } else { CORE }
}

/// One held limit.
struct Entry {
    hold: Hold,
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
    pub fn hold(&self, mut hold: Hold) -> bool {
        let mut holds = self.lock();
        let slot = match &mut hold.resource {
            None => &mut holds.secondary,
            Some(r) => {
                *r = resource_name(r).to_string();
                let r = r.clone();
                if !holds.primary.contains_key(&r) {
                    // Full: the hold that ends first makes room.
                    if holds.primary.len() >= MAX_RESOURCES
                        && let Some(first) =
                            holds.primary.iter().min_by_key(|(_, e)| e.hold.until).map(|(k, _)| k.clone())
                    {
                        holds.primary.remove(&first);
                    }
                    self.horizon.fetch_max(hold.until.timestamp_millis(), Ordering::AcqRel);
                    holds.primary.insert(r, Entry { hold });
                    return true;
                }
                let Some(e) = holds.primary.get_mut(&r) else { return false };
                return replace(e, hold, &self.horizon);
            }
        };
        match slot {
            Some(e) => replace(e, hold, &self.horizon),
            None => {
                self.horizon.fetch_max(hold.until.timestamp_millis(), Ordering::AcqRel);
                *slot = Some(Entry { hold });
                true
            }
        }
    }

    /// Lifts the primary hold of `resource`: GitHub answered that quota is
    /// left after all (the reset came, or the answer that spent it lied).
    /// Costs an atomic load when nothing is held.
    ///
    /// Only an answer of a later window (its reset after the held one)
    /// lifts it: a late answer from the spent window does not.
    pub fn lift(&self, resource: &str, reset: DateTime<Utc>, now: DateTime<Utc>) {
        if self.horizon.load(Ordering::Acquire) <= now.timestamp_millis() {
            return;
        }
        let mut holds = self.lock();
        let later = |e: &Entry| e.hold.until > now && e.hold.reset_at.is_none_or(|held| reset > held);
        if holds.primary.get(resource_name(resource)).is_some_and(later) {
            holds.primary.remove(resource_name(resource));
        }
    }

    /// The resource GitHub counts `operation` against, as far as the gate
    /// knows (`core` unless an answer said otherwise).
    pub fn resource_of(&self, operation: &'static str) -> String {
        self.lock().resources.get(operation).cloned().unwrap_or_else(|| CORE.to_string())
    }

    /// Notes the resource GitHub counted `operation` against, when it is
    /// not `core` (read only while something is held).
    pub fn counted(&self, operation: &'static str, resource: &str) {
        let resource = resource_name(resource);
        if resource == CORE {
            return;
        }
        let mut holds = self.lock();
        if holds.resources.get(operation).map(String::as_str) != Some(resource) {
            holds.resources.insert(operation, resource.to_string());
        }
    }

    /// Waits for `hold` to pass: until its end (the wake-up every waiter
    /// of it shares), then this caller's share of the spread. The caller
    /// asks the gate again afterwards.
    pub async fn wait(&self, hold: &Hold, clock: &SharedClock) {
        let length = (hold.until - clock.now()).to_std().unwrap_or_default();
        clock.sleep(length).await;
        clock.sleep(spread(length)).await;
    }
}

/// Replaces `entry`'s hold when `hold` lasts longer.
fn replace(entry: &mut Entry, hold: Hold, horizon: &AtomicI64) -> bool {
    if hold.until <= entry.hold.until {
        return false;
    }
    horizon.fetch_max(hold.until.timestamp_millis(), Ordering::AcqRel);
    *entry = Entry { hold };
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
    async fn waiters_wake_at_the_end_of_the_limit_then_spread() {
        use super::super::Clock;
        let clock = super::super::VirtualClock::new();
        let shared: SharedClock = std::sync::Arc::new(clock.clone());
        let gate = Gate::default();
        let hold = secondary(clock.now() + chrono::Duration::seconds(30));
        gate.hold(hold.clone());
        let start = clock.now();
        for _ in 0..5 {
            gate.wait(&hold, &shared).await;
        }
        // Virtual time: the first waiter's sleep reaches the end, the others
        // find it reached; each adds its spread (at most 2 s, 1.5 s here).
        let waited = clock.now() - start;
        assert!(waited >= chrono::Duration::seconds(30), "{waited}");
        assert!(waited <= chrono::Duration::milliseconds(30_000 + 5 * 1_500), "{waited}");
        assert!(matches!(gate.admit(OP, clock.now()), Admission::Go));
    }

    #[test]
    fn hostile_resources_and_lifts() {
        let gate = Gate::default();
        let now = Utc::now();
        // A resource no GitHub answer names is held as core.
        gate.hold(primary("Core\n{x}", now + chrono::Duration::hours(1)));
        assert!(matches!(gate.admit(OP, now), Admission::Held(h) if h.resource.as_deref() == Some("core")));
        gate.lift("core", now + chrono::Duration::hours(1), now);
        assert!(matches!(gate.admit(OP, now), Admission::Held(_)), "an answer of the same window does not lift it");
        gate.lift("core", now + chrono::Duration::hours(2), now);
        assert!(matches!(gate.admit(OP, now), Admission::Go), "quota left in a later window lifts it");
        for i in 0..100 {
            let name: String = std::iter::repeat_n('a', i % 40 + 1).collect();
            gate.hold(primary(&name, now + chrono::Duration::hours(1)));
        }
        assert!(gate.lock().primary.len() <= MAX_RESOURCES);
        // Times at the ends of chrono's range, from a header or a fleet message.
        for until in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::MAX_UTC] {
            gate.hold(primary("search", until));
            gate.hold(secondary(until));
            let _ = gate.admit(OP, now);
        }
    }
}
