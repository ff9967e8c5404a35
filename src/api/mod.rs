//! The areas of the runner API, one handle type each, generic over the
//! scope (kube-rs's `Api<K>` is the model): [`Runners`], [`RunnerGroups`],
//! [`HostedRunners`], [`NetworkConfigurations`], [`RunnerPermissions`].
//!
//! Each method validates its input, calls the generated operation for its
//! scope (GitHub's operationId is named in the method's docs) and returns
//! the friendly type. Methods exist only for the scopes GitHub offers them
//! at.

use crate::Error;
use crate::error::{ErrorBody, from_generated};
use progenitor_client::ResponseValue;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::future::Future;

mod groups;
mod hosted;
mod network;
mod permissions;
mod runners;

pub use groups::{ListRunnerGroups, RunnerGroups};
pub use hosted::HostedRunners;
pub use network::NetworkConfigurations;
pub use permissions::RunnerPermissions;
pub use runners::{ListRunners, Runners};

/// Awaits a generated call, mapping its error into [`Error`].
pub(crate) async fn call<T, E: ErrorBody>(
    operation: &'static str,
    fut: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<E>>>,
) -> Result<ResponseValue<T>, Error> {
    match fut.await {
        Ok(v) => Ok(v),
        Err(e) => Err(from_generated(operation, e).await),
    }
}

/// One page of a list response: the items `split` picks out with their
/// `total_count`, and whether more follow (from the `Link` header);
/// [`Error::Pagination`] when the pages do not add up.
pub(crate) fn page<W, T>(
    rv: ResponseValue<W>,
    req: crate::PageRequest,
    split: impl FnOnce(W) -> (Vec<T>, Option<u64>),
) -> Result<crate::Page<T>, Error> {
    let headers = rv.headers().clone();
    let (items, total) = split(rv.into_inner());
    crate::Page::from_response(items, total, req, &headers)
}

/// Converts a facade request struct into the generated body type of one
/// operation (the two serialize to the same JSON).
pub(crate) fn body<A: Serialize, B: DeserializeOwned>(field: &'static str, value: &A) -> Result<B, Error> {
    serde_json::to_value(value)
        .and_then(serde_json::from_value)
        .map_err(|e| Error::invalid(field, format!("does not fit the request GitHub documents: {e}")))
}

/// A `total_count` as GitHub sends it (an integer, required or not) into `u64`.
pub(crate) fn count(n: impl Into<Option<i64>>) -> Option<u64> {
    n.into().and_then(|n| u64::try_from(n).ok())
}

/// Applies a scope's path parameters to a generated request builder.
macro_rules! scoped {
    ($scope:expr, $builder:expr, enterprise) => {
        $builder.enterprise($scope.enterprise.as_str())
    };
    ($scope:expr, $builder:expr, org) => {
        $builder.org($scope.org.as_str())
    };
    ($scope:expr, $builder:expr, repo) => {
        $builder.owner($scope.owner.as_str()).repo($scope.repo.as_str())
    };
}
pub(crate) use scoped;

/// Streams every item of a paged list, calling `$this.$page($args.., req)`
/// for page after page.
macro_rules! stream_via {
    ($this:expr, $page:ident $(, $arg:expr)*) => {{
        let this = $this.clone();
        crate::pagination::stream_pages(move |req| {
            let this = this.clone();
            async move { this.$page($($arg,)* req).await }
        })
    }};
}
pub(crate) use stream_via;

/// Declares an area handle generic over its scope.
macro_rules! area {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone)]
        pub struct $name<S> {
            pub(crate) scope: S,
        }

        impl<S: crate::scope::Scope> $name<S> {
            pub(crate) fn new(scope: S) -> Self {
                Self { scope }
            }

            /// The generated client this area sends through.
            fn raw(&self) -> &crate::generated::Client {
                self.scope.client().raw()
            }

            /// Checks that the deployment has `operation`, then awaits the
            /// generated call (which sends the request).
            async fn call<T, E: crate::error::ErrorBody>(
                &self,
                operation: &'static str,
                fut: impl std::future::Future<Output = Result<progenitor_client::ResponseValue<T>, progenitor_client::Error<E>>>,
            ) -> Result<progenitor_client::ResponseValue<T>, crate::Error> {
                self.scope.client().check_available(operation)?;
                crate::api::call(operation, fut).await
            }
        }
    };
}
pub(crate) use area;
