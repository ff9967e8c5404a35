//! Pacing: at most one mutating request (POST, PATCH, PUT, DELETE) in
//! flight per client, as GitHub's best practices ask.

use super::Inner;
use reqwest::Method;
use std::sync::Arc;
use std::time::Duration;

/// The permit that keeps mutations one at a time; released during every
/// wait so a wait never blocks the client's other mutations.
pub(super) struct Pacing<'a> {
    pacer: Option<&'a Arc<tokio::sync::Semaphore>>,
    permit: Option<tokio::sync::OwnedSemaphorePermit>,
}

impl<'a> Pacing<'a> {
    /// Pacing for a request with `method` (GET and HEAD are not paced).
    pub fn new(inner: &'a Inner, method: &Method) -> Self {
        let mutation = !matches!(*method, Method::GET | Method::HEAD);
        Self { pacer: inner.pacer.as_ref().filter(|_| mutation), permit: None }
    }

    /// Waits for the permit, unless this request holds it already.
    pub async fn acquire(&mut self) {
        if let (Some(pacer), None) = (self.pacer, &self.permit) {
            self.permit = pacer.clone().acquire_owned().await.ok();
        }
    }

    /// Releases the permit (it is taken again before the next attempt).
    pub fn release(&mut self) {
        self.permit = None;
    }

    /// Releases the permit, then waits `d` on the client's clock.
    pub async fn wait(&mut self, inner: &Inner, d: Duration) {
        self.release();
        inner.clock.sleep(d).await;
    }
}
