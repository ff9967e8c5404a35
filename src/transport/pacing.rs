//! Write pacing, as GitHub's best practices ask: mutating requests (POST,
//! PATCH, PUT, DELETE) go one at a time per credential, each at least the
//! mutation interval (default 1 s) after the previous one ended.
//!
//! In process, a one-permit semaphore and the time the last mutation
//! ended; in a fleet ([`super::fleet`]), the fleet's lock and spacing
//! besides. A permit is taken before every attempt and released during
//! every wait (a backoff, a rate limit), so a wait never blocks the
//! client's other mutations.

use super::Inner;
use super::fleet::Turn;
use chrono::{DateTime, Utc};
use reqwest::Method;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The time between two mutations unless configured otherwise
/// ([`crate::ClientBuilder::mutation_interval`]): GitHub's figure.
pub const DEFAULT_MUTATION_INTERVAL: Duration = Duration::from_secs(1);

/// The longest mutation interval a client takes.
pub const MAX_MUTATION_INTERVAL: Duration = Duration::from_secs(600);

/// The in-process half of pacing, shared by a client's clones.
#[derive(Debug)]
pub(crate) struct Pacer {
    permit: Arc<tokio::sync::Semaphore>,
    /// The least time between the end of one mutation and the start of
    /// the next.
    pub interval: Duration,
    /// When the last mutation's attempt ended.
    last_end: Mutex<Option<DateTime<Utc>>>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Self {
        Self { permit: Arc::new(tokio::sync::Semaphore::new(1)), interval, last_end: Mutex::new(None) }
    }

    fn left(&self, now: DateTime<Utc>) -> Duration {
        let last = *self.last_end.lock().unwrap_or_else(|p| p.into_inner());
        let interval = chrono::Duration::from_std(self.interval).unwrap_or(chrono::Duration::zero());
        let next = last.and_then(|end| end.checked_add_signed(interval));
        next.map(|next| (next - now).to_std().unwrap_or_default()).unwrap_or_default()
    }

    fn mark(&self, now: DateTime<Utc>) {
        *self.last_end.lock().unwrap_or_else(|p| p.into_inner()) = Some(now);
    }
}

/// One request's hold on pacing: the permit, and the fleet's turn.
pub(super) struct Pacing<'a> {
    inner: &'a Inner,
    pacer: Option<&'a Pacer>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
    turn: Option<Turn>,
    /// Whether a mutation was sent under the permit held now.
    sent: bool,
}

impl<'a> Pacing<'a> {
    /// Pacing for a request with `method` (GET and HEAD are not paced).
    pub fn new(inner: &'a Inner, method: &Method) -> Self {
        let mutation = !matches!(*method, Method::GET | Method::HEAD);
        Self { inner, pacer: inner.pacer.as_deref().filter(|_| mutation), permit: None, turn: None, sent: false }
    }

    /// Waits for this request's turn, unless it has it already: the
    /// permit, the fleet's lock, then what is left of the interval since
    /// the last mutation ended (here or, in a fleet, anywhere).
    pub async fn acquire(&mut self) {
        let Some(pacer) = self.pacer else { return };
        if self.permit.is_some() {
            return;
        }
        self.permit = pacer.permit.clone().acquire_owned().await.ok();
        let mut fleet_left = Duration::ZERO;
        if let Some(link) = &self.inner.link {
            self.turn = link.take_turn(pacer.interval).await;
            fleet_left = self.turn.as_ref().map(|t| t.left).unwrap_or_default();
        }
        let left = pacer.left(self.inner.clock.now()).max(fleet_left);
        if !left.is_zero() {
            self.inner.clock.sleep(left).await;
        }
    }

    /// Notes that a mutation is about to be sent: from now on its turn
    /// ends with the interval, even if its caller gives up on it.
    pub fn sending(&mut self) {
        if let (Some(pacer), Some(_)) = (self.pacer, &self.permit) {
            pacer.mark(self.inner.clock.now());
            self.sent = true;
        }
    }

    /// Notes that an attempt ended (its answer arrived or it failed): the
    /// next mutation waits the interval from now.
    pub fn ended(&mut self) {
        if let (Some(pacer), true) = (self.pacer, self.sent) {
            pacer.mark(self.inner.clock.now());
        }
    }

    /// Whether the permit is held.
    pub fn holds(&self) -> bool {
        self.permit.is_some()
    }

    /// Releases the permit and the fleet's turn (both are taken again
    /// before the next attempt); the fleet's interval starts only if a
    /// mutation was sent under them.
    pub async fn release(&mut self) {
        if let (Some(turn), Some(link), Some(pacer)) = (self.turn.take(), &self.inner.link, self.pacer) {
            link.end_turn(turn, if self.sent { pacer.interval } else { Duration::ZERO }).await;
        }
        self.permit = None;
        self.sent = false;
    }

    /// Releases the permit and the turn, then waits `d` on the client's clock.
    pub async fn wait(&mut self, d: Duration) {
        self.release().await;
        self.inner.clock.sleep(d).await;
    }
}

impl Drop for Pacing<'_> {
    /// A request dropped while it holds the fleet's turn (its caller gave
    /// up on it) hands the turn back in the background.
    fn drop(&mut self) {
        if let (Some(turn), Some(link), Some(pacer)) = (self.turn.take(), &self.inner.link, self.pacer) {
            let (link, interval) = (link.clone(), if self.sent { pacer.interval } else { Duration::ZERO });
            if let Ok(runtime) = tokio::runtime::Handle::try_current() {
                runtime.spawn(async move { link.end_turn(turn, interval).await });
            }
        }
    }
}
