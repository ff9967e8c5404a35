//! The areas of the runner API, one handle type each, generic over the
//! scope (kube-rs's `Api<K>` is the model): [`Runners`], [`RunnerGroups`],
//! [`HostedRunners`], [`NetworkConfigurations`], [`RunnerPermissions`],
//! and the workflow [`Jobs`] an autoscaler looks up.
//!
//! Each area is one folder: `mod.rs` holds the public methods (one generic
//! `impl` over the area's scope trait: validate the input, then call the
//! scope), `scopes.rs` the generated operation each method calls at each
//! scope (a sealed trait, so only the scopes GitHub offers an area at have
//! it), `requests.rs` the request types. The fake's handlers for the area
//! are in `src/testkit/<area>.rs`.

use crate::decode::from_generated;
use crate::error::ErrorBody;
use crate::{Client, Error, PageRequest};
use progenitor_client::ResponseValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

pub(crate) mod deliveries;
pub(crate) mod groups;
pub(crate) mod hosted;
pub(crate) mod installation;
pub(crate) mod jobs;
pub(crate) mod network;
pub(crate) mod permissions;
pub(crate) mod runners;
pub(crate) mod runs;

pub use deliveries::{DeliveryOutcome, DeliveryScope, HookDeliveries, MAX_FAILED_SINCE_SCAN};
pub use groups::{GroupScope, RunnerGroups};
pub use hosted::{HostedRunners, HostedScope};
pub use jobs::{JobFilter, Jobs};
pub use network::{NetworkConfigurations, NetworkScope};
pub use permissions::RunnerPermissions;
pub use runners::{RunnerScope, Runners};
pub use runs::WorkflowRuns;

/// Checks that the client's deployment has `operation`, then awaits the
/// generated call (which sends the request), mapping its error into
/// [`Error`]. Every facade call goes through here.
pub(crate) async fn send<T, E: ErrorBody>(
    client: &Client,
    operation: &'static str,
    fut: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<ResponseValue<T>, Error> {
    client.check_available(operation)?;
    match fut.await {
        Ok(v) => Ok(v),
        Err(e) => Err(from_generated(operation, e).await),
    }
}

/// [`send`] for calls whose answer has no content the caller needs.
pub(crate) async fn send_unit<T, E: ErrorBody>(
    client: &Client,
    operation: &'static str,
    fut: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<(), Error> {
    send(client, operation, fut).await.map(drop)
}

/// [`send`], returning the decoded body.
pub(crate) async fn send_body<T, E: ErrorBody>(
    client: &Client,
    operation: &'static str,
    fut: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<T, Error> {
    send(client, operation, fut).await.map(ResponseValue::into_inner)
}

/// One page of a list response: the items `split` picks out with their
/// `total_count`, and whether more follow (from the `Link` header);
/// [`Error::Pagination`] when the pages do not add up.
pub(crate) fn page<W, T>(
    rv: ResponseValue<W>,
    req: PageRequest,
    split: impl FnOnce(W) -> (Vec<T>, Option<i64>),
) -> Result<crate::Page<T>, Error> {
    // Only `Link` matters for paging: no copy of the other headers.
    let mut headers = reqwest::header::HeaderMap::new();
    if let Some(link) = rv.headers().get(reqwest::header::LINK) {
        headers.insert(reqwest::header::LINK, link.clone());
    }
    let (items, total) = split(rv.into_inner());
    crate::Page::from_response(items, total.and_then(|n| u64::try_from(n).ok()), req, &headers)
}

/// The `page` and `per_page` query values of a page request, in the order
/// the generated list calls take them.
pub(crate) fn page_query(req: PageRequest) -> (Option<i64>, Option<i64>) {
    (Some(i64::from(req.page)), Some(i64::from(req.per_page)))
}

/// Converts a facade request struct into the generated body type of one
/// operation (the two serialize to the same JSON).
pub(crate) fn body<A: Serialize + ?Sized, B: DeserializeOwned>(field: &'static str, value: &A) -> Result<B, Error> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::invalid(field, format!("does not fit the request GitHub documents: {e}")))
}

/// Collects ids given as anything that converts into the id type.
pub(crate) fn ids<I: Copy + Into<i64>>(ids: impl IntoIterator<Item = impl Into<I>>) -> Vec<i64> {
    ids.into_iter().map(|id| id.into().into()).collect()
}
