//! The clock the transport waits with: the system clock, or a virtual one
//! for tests (every wait returns at once and advances virtual time).

use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Time as the transport sees it.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// Now.
    fn now(&self) -> DateTime<Utc>;
    /// Waits `d`.
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()>;
}

/// The real clock: `chrono::Utc::now` and `tokio::time::sleep`.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio_sleep(d))
    }
}

async fn tokio_sleep(d: Duration) {
    tokio::time::sleep(d).await;
}

/// A virtual clock for tests: `sleep` returns at once, advances [`Clock::now`]
/// and is remembered, so tests of retries and rate-limit waits run in no
/// time and can assert every wait.
///
/// ```
/// use gha_runners::transport::{Clock, VirtualClock};
/// let clock = VirtualClock::new();
/// let before = clock.now();
/// drop(clock.sleep(std::time::Duration::from_secs(60))); // time moves when the wait starts
/// assert_eq!((clock.now() - before).num_seconds(), 60);
/// assert_eq!(clock.sleeps(), [std::time::Duration::from_secs(60)]);
/// ```
#[derive(Debug, Clone)]
pub struct VirtualClock {
    state: Arc<Mutex<(DateTime<Utc>, Vec<Duration>)>>,
}

impl Default for VirtualClock {
    fn default() -> Self {
        Self::new()
    }
}

impl VirtualClock {
    /// A virtual clock starting at the current time.
    pub fn new() -> Self {
        Self { state: Arc::new(Mutex::new((Utc::now(), Vec::new()))) }
    }

    /// Every wait so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).1.clone()
    }

    /// The sum of every wait so far.
    pub fn waited(&self) -> Duration {
        self.sleeps().iter().sum()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> DateTime<Utc> {
        self.state.lock().unwrap_or_else(|p| p.into_inner()).0
    }
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        {
            let mut s = self.state.lock().unwrap_or_else(|p| p.into_inner());
            s.0 += chrono::Duration::from_std(d).unwrap_or_else(|_| chrono::Duration::zero());
            s.1.push(d);
        }
        Box::pin(std::future::ready(()))
    }
}

/// The clock of a client: shared, dynamically chosen.
pub(crate) type SharedClock = Arc<dyn Clock>;
