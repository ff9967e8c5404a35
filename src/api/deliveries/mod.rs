//! Webhook deliveries, as GitHub logs them, of the App's webhook
//! (`client.app().deliveries()`, sent with the App's JWT) or of an
//! organization webhook (`client.org("o").hook(id).deliveries()`): what a
//! receiver reads after an outage to find the deliveries it missed, and
//! redelivers (GitHub does not retry a failed delivery by itself).

mod scopes;

use crate::Error;
use crate::deployment::operations_doc;
use crate::pagination::{CursorPage, CursorRequest, ItemStream, cursor_pages, stream_cursor_pages};
use crate::scope::{App, OrgHook, Scope};
use crate::types::{DeliveryId, HookDelivery, HookDeliveryDetail};
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use std::collections::BTreeMap;

/// Which deliveries to list, by outcome (GitHub's `status` filter:
/// `success` is a receiver status of 200 to 399, `failure` 400 to 599).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeliveryOutcome {
    /// Answered 200 to 399.
    Success,
    /// Answered 400 to 599.
    Failure,
}

impl DeliveryOutcome {
    /// GitHub's name for it (`success`, `failure`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
        }
    }
}

/// The deliveries of a webhook (`client.app().deliveries()`,
/// `client.org("o").hook(id).deliveries()`).
///
/// GitHub does not retry a failed delivery. After an outage, find the
/// events whose every attempt failed and redeliver them (each keeps its
/// GUID, the `X-GitHub-Delivery` header):
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client, last_check: chrono::DateTime<chrono::Utc>) -> Result<(), gha_runners::Error> {
/// let deliveries = github.org("octo-org").hook(12345678).deliveries();
/// for failed in deliveries.failed_since(last_check).await? {
///     deliveries.redeliver(failed.id).await?;
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct HookDeliveries<S> {
    scope: S,
}

impl App {
    /// The deliveries of the App's webhook.
    pub fn deliveries(&self) -> HookDeliveries<App> {
        HookDeliveries { scope: self.clone() }
    }
}

impl OrgHook {
    /// The deliveries of this webhook.
    pub fn deliveries(&self) -> HookDeliveries<OrgHook> {
        HookDeliveries { scope: self.clone() }
    }
}

/// The scopes with webhook deliveries: [`App`](crate::scope::App) and
/// [`OrgHook`](crate::scope::OrgHook). Sealed.
pub trait DeliveryScope: Scope + scopes::Ops {}

/// The most deliveries [`HookDeliveries::failed_since`] reads: 100 pages.
/// GitHub keeps deliveries for 3 days; a hook busier than this in the
/// window asked for gets [`Error::Pagination`] rather than an unbounded
/// read.
pub const MAX_FAILED_SINCE_SCAN: usize = 10_000;

impl<S: DeliveryScope> HookDeliveries<S> {
    /// Streams every delivery attempt, newest first (GitHub keeps them
    /// for 3 days).
    ///
    #[doc = operations_doc!(app = "apps/list-webhook-deliveries", org = "orgs/list-webhook-deliveries")]
    pub fn list(&self, outcome: Option<DeliveryOutcome>) -> ItemStream<HookDelivery> {
        let this = self.clone();
        stream_cursor_pages(move |req, page| {
            let this = this.clone();
            async move {
                this.scope.check()?;
                this.scope.list(&req, outcome, page).await
            }
        })
    }

    /// One page of delivery attempts, newest first: the first with
    /// [`CursorRequest::default`], the next with the page's
    /// [`CursorPage::next_cursor`].
    ///
    #[doc = operations_doc!(app = "apps/list-webhook-deliveries", org = "orgs/list-webhook-deliveries")]
    pub async fn list_page(
        &self,
        req: &CursorRequest,
        outcome: Option<DeliveryOutcome>,
    ) -> Result<CursorPage<HookDelivery>, Error> {
        self.scope.check()?;
        req.validate()?;
        self.scope.list(req, outcome, 1).await
    }

    /// One delivery attempt, with the request sent and the answer.
    ///
    #[doc = operations_doc!(app = "apps/get-webhook-delivery", org = "orgs/get-webhook-delivery")]
    pub async fn get(&self, id: impl Into<DeliveryId>) -> Result<HookDeliveryDetail, Error> {
        self.scope.check()?;
        self.scope.get(id.into()).await
    }

    /// Asks GitHub to deliver the event of attempt `id` again: a new
    /// attempt, with the same GUID (`X-GitHub-Delivery`) and payload. A
    /// receiver that drops repeats by GUID drops this too.
    ///
    #[doc = operations_doc!(app = "apps/redeliver-webhook-delivery", org = "orgs/redeliver-webhook-delivery")]
    pub async fn redeliver(&self, id: impl Into<DeliveryId>) -> Result<(), Error> {
        self.scope.check()?;
        self.scope.redeliver(id.into()).await
    }

    /// The events delivered at or after `since` none of whose attempts
    /// succeeded (GitHub's guide to redelivering failed deliveries): for
    /// each GUID, its newest attempt, oldest event first.
    ///
    /// GitHub's `delivered_at` is in whole seconds, so `since` counts from
    /// the start of its second (an attempt in the same second as the last
    /// check is read again rather than missed). Pages are read newest first
    /// until one holds nothing at or after that, every item of each page
    /// judged (attempts are not strictly ordered by time), at most
    /// [`MAX_FAILED_SINCE_SCAN`] attempts.
    ///
    #[doc = operations_doc!(app = "apps/list-webhook-deliveries", org = "orgs/list-webhook-deliveries")]
    pub async fn failed_since(&self, since: DateTime<Utc>) -> Result<Vec<HookDelivery>, Error> {
        use chrono::SubsecRound;
        let since = since.trunc_subsecs(0);
        // GUID -> (succeeded, newest attempt).
        let mut events: BTreeMap<String, (bool, HookDelivery)> = BTreeMap::new();
        let this = self.clone();
        let mut pages = cursor_pages(move |req, page| {
            let this = this.clone();
            async move {
                this.scope.check()?;
                this.scope.list(&req, None, page).await
            }
        });
        let mut read = 0usize;
        // Read until a page holds nothing at or after `since` (dropping
        // the stream fetches no further page).
        while let Some(items) = pages.try_next().await? {
            read += items.len();
            if read > MAX_FAILED_SINCE_SCAN {
                let reason = format!("more than {MAX_FAILED_SINCE_SCAN} deliveries since {since}: check more often");
                return Err(Error::Pagination { page: read.div_ceil(100) as u32, reason });
            }
            let mut recent = false;
            for d in items.into_iter().filter(|d| d.delivered_at >= since) {
                recent = true;
                match events.get_mut(&d.guid) {
                    Some((ok, newest)) => {
                        *ok |= d.succeeded();
                        if (d.delivered_at, d.id) > (newest.delivered_at, newest.id) {
                            *newest = d;
                        }
                    }
                    None => {
                        events.insert(d.guid.clone(), (d.succeeded(), d));
                    }
                }
            }
            if !recent {
                break;
            }
        }
        let mut failed: Vec<HookDelivery> = events.into_values().filter(|(ok, _)| !ok).map(|(_, d)| d).collect();
        failed.sort_by_key(|d| (d.delivered_at, d.id));
        Ok(failed)
    }
}
