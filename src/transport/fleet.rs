//! What the clients of one credential share: the rate-limit gate, the
//! mutation lock and its spacing, and the GitHub App installation token.
//!
//! Every client keeps all three in process ([`Fleet::InProcess`], the
//! default): the gate (`gate.rs`), the pacer (`pacing.rs`) and the token
//! (`auth.rs`), shared by the client's clones. A fleet adds a [`Link`] to
//! the members of the same credential in other processes: what one member
//! learns reaches the others, and mutations and token renewals take turns
//! across all of them. With the `redis` feature, [`Fleet::Redis`] keeps
//! that shared state in Redis (see [`RedisFleet`](super::RedisFleet)).
//!
//! A link never makes a request wait for the fleet longer than a short
//! bound: when the shared store is unreachable or slow, each member falls
//! back to its in-process state (with one warning per outage) and goes
//! back to the fleet when the store answers again.

use super::gate::Hold;
use futures::future::BoxFuture;
use std::time::Duration;

/// Where a client keeps what the clients of its credential share
/// ([`crate::ClientBuilder::fleet`]).
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub enum Fleet {
    /// In this client (and its clones) only: the default.
    #[default]
    InProcess,
    /// In Redis, shared by every client of the same fleet id and
    /// credential, in any process.
    #[cfg(feature = "redis")]
    Redis(super::RedisFleet),
}

#[cfg(feature = "redis")]
impl From<super::RedisFleet> for Fleet {
    fn from(fleet: super::RedisFleet) -> Self {
        Fleet::Redis(fleet)
    }
}

/// A member's turn to send a mutation, held across the fleet.
#[derive(Debug)]
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) struct Turn {
    /// The turn's own id, drawn by the member: only its holder can renew
    /// its lease or hand it back, even after a restart of the store.
    pub id: String,
    /// What is left of the interval since the fleet's last mutation ended.
    pub left: Duration,
    /// Keeps the lease alive while the turn is held; dropped, it stops.
    pub keepalive: Option<tokio::task::JoinHandle<()>>,
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Some(k) = self.keepalive.take() {
            k.abort();
        }
    }
}

/// An installation token as the fleet holds it.
pub(crate) struct SharedToken {
    pub token: crate::Secret,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// What a member asking for the fleet's renewal turn got.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) enum Renewal {
    /// This member renews; the turn's id proves it when it stores the token.
    Lead(String),
    /// Another member is renewing.
    Follow,
    /// The fleet holds a token fresh past the asked time now (stored since
    /// this member last read it): read it again, no renewal.
    Fresh,
}

/// A member's link to the rest of its fleet: one implementation per shared
/// store. `Err(())` means the store did not answer in time: the caller goes
/// on in process (the link has logged the outage).
pub(crate) trait Link: Send + Sync + std::fmt::Debug {
    /// Starts what the link runs in the background (a subscription), if it
    /// has not yet: called on every request, so it must cost an atomic load.
    fn ensure_started(&self);
    /// Tells the other members of a limit this member learned.
    fn tell(&self, hold: &Hold) -> BoxFuture<'_, ()>;
    /// Waits for the fleet's mutation turn; `None` when the store is
    /// unreachable (the in-process permit still holds).
    fn take_turn(&self, interval: Duration) -> BoxFuture<'_, Option<Turn>>;
    /// Hands the turn back and starts the interval.
    fn end_turn(&self, turn: Turn, interval: Duration) -> BoxFuture<'_, ()>;
    /// The fleet's installation token, if it holds one.
    fn token(&self) -> BoxFuture<'_, Result<Option<SharedToken>, ()>>;
    /// Asks for the fleet's renewal turn, unless the fleet's token is
    /// fresh until after `fresh_until` (checked in the same step, so that a
    /// token stored between this member's read and its request is not
    /// renewed twice).
    fn renewal(&self, fresh_until: chrono::DateTime<chrono::Utc>) -> BoxFuture<'_, Result<Renewal, ()>>;
    /// Stores a new token (with a TTL to its expiry) and ends the renewal
    /// turn `id`; with no token, only ends the turn.
    fn renewed(&self, id: String, token: Option<SharedToken>) -> BoxFuture<'_, ()>;
    /// Forgets the fleet's token if it is `token` (GitHub refused it).
    fn forget(&self, token: &str) -> BoxFuture<'_, ()>;
}

/// The link a client of `inner`'s credential on `base_url` gets from
/// `fleet`, if any.
pub(crate) fn link(fleet: &Fleet, inner: &super::Inner, base_url: &str) -> Option<std::sync::Arc<dyn Link>> {
    match fleet {
        Fleet::InProcess => {
            let _ = (inner, base_url);
            None
        }
        #[cfg(feature = "redis")]
        Fleet::Redis(redis) => Some(redis.member(&fingerprint(inner, base_url), inner.gate.clone())),
    }
}

/// The fingerprint of a client's credential, which names its keys in a
/// shared store: SHA-256 (first 16 bytes, hex) of the API root and the
/// token, or of the API root and the App and installation ids (whose tokens
/// rotate; on two GitHub Enterprise Servers the same ids are different
/// Apps). Never the token itself.
#[cfg_attr(not(feature = "redis"), allow(dead_code))]
pub(crate) fn fingerprint(inner: &super::Inner, base_url: &str) -> String {
    let mut ctx = ring::digest::Context::new(&ring::digest::SHA256);
    ctx.update(b"gha-runners credential\0");
    ctx.update(base_url.as_bytes());
    ctx.update(b"\0");
    match (&inner.app, &inner.authorization) {
        (Some(app), _) => {
            ctx.update(b"app\0");
            ctx.update(app.app_id.as_bytes());
            ctx.update(format!("\0{}", app.installation_id).as_bytes());
        }
        (None, Some(token)) => {
            ctx.update(b"token\0");
            ctx.update(token.as_bytes());
        }
        (None, None) => ctx.update(b"anonymous"),
    }
    ctx.finish().as_ref()[..16].iter().map(|b| format!("{b:02x}")).collect()
}
