//! Retry decisions: what a failed attempt or a server error means for the
//! next attempt, by the operation's [`Retry`] class, and what a DELETE's
//! 404 means after an attempt whose answer was lost.

use super::DELETED_EARLIER_HEADER;
use super::attempts::Attempts;
use super::jit::{self, JitLookup};
use super::policy::{Retry, transient_status};
use super::response::{Buffered, rebuild};
use crate::generated::Client;
use bytes::Bytes;
use progenitor_client::ClientInfo;
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue};
use reqwest::{Method, StatusCode};
use std::time::Duration;

/// What a retry decision says.
pub(super) enum Decision {
    /// Try again after this backoff.
    Retry(Duration),
    /// Hand back this answer, made up by the transport (the JIT runner the
    /// lost request named exists).
    Answer(reqwest::Response),
    /// Hand back what was received (the error or the server's answer).
    GiveUp,
}

/// After an attempt that got no answer (a connection failure, a timeout,
/// a body cut off). A connection that was never made sent nothing, so any
/// operation may be retried; otherwise the request may have been applied:
/// safe operations are retried, a JIT config is first looked up by name,
/// anything else is handed back.
pub(super) async fn after_error(
    client: &Client,
    request: &reqwest::Request,
    kind: Retry,
    tries: &mut Attempts,
    error: &reqwest::Error,
    operation: &str,
) -> Decision {
    let inner = client.inner();
    let nothing_sent = error.is_connect();
    let may_retry = tries.may_retry(&inner.retry);
    match kind {
        _ if nothing_sent && may_retry => {}
        Retry::Safe if may_retry => {}
        Retry::Jit => match jit::lookup(client, request, operation).await {
            JitLookup::Exists(id, name) => return Decision::Answer(jit::exists(id, &name, request.url())),
            JitLookup::Absent if may_retry => {
                tracing::warn!(operation, "JIT config outcome unknown ({error}); the runner does not exist: retrying");
            }
            _ => return Decision::GiveUp,
        },
        _ => return Decision::GiveUp,
    }
    tries.outcome_unknown |= !nothing_sent;
    let wait = tries.backoff(&inner.retry);
    tracing::warn!(operation, attempt = tries.number, %error, wait_ms = wait.as_millis() as u64, "request failed; retrying");
    Decision::Retry(wait)
}

/// After a 500/502/503/504: safe operations are retried, a JIT config is
/// first looked up by name, anything else (and any status that is not one
/// of those) is handed back.
pub(super) async fn after_status(
    client: &Client,
    request: &reqwest::Request,
    kind: Retry,
    tries: &mut Attempts,
    status: StatusCode,
    operation: &str,
) -> Decision {
    let inner = client.inner();
    if !transient_status(status.as_u16()) || !tries.may_retry(&inner.retry) {
        return Decision::GiveUp;
    }
    let retry = match kind {
        Retry::Safe => true,
        Retry::Jit => match jit::lookup(client, request, operation).await {
            JitLookup::Exists(id, name) => return Decision::Answer(jit::exists(id, &name, request.url())),
            JitLookup::Absent => true,
            JitLookup::Failed => false,
        },
        Retry::Never => false,
    };
    if !retry {
        return Decision::GiveUp;
    }
    // A gateway timeout may have been applied; other 5xx were answers.
    tries.outcome_unknown |= status == StatusCode::GATEWAY_TIMEOUT;
    let wait = tries.backoff(&inner.retry);
    tracing::warn!(
        operation,
        attempt = tries.number,
        status = status.as_u16(),
        wait_ms = wait.as_millis() as u64,
        "server error; retrying"
    );
    Decision::Retry(wait)
}

/// Whether a DELETE's 404 means the resource was deleted by an earlier
/// attempt whose answer was lost: only for DELETEs GitHub answers with 204
/// (a 404 elsewhere is a real "not found").
pub(super) fn deleted_earlier(method: &Method, status: StatusCode, tries: &Attempts, operation: &str) -> bool {
    *method == Method::DELETE
        && status == StatusCode::NOT_FOUND
        && tries.outcome_unknown
        && crate::deployment::deletes_with_no_content(operation)
}

/// The answer then: the resource is gone, which is what was asked, so the
/// caller gets the 204 of a deletion, marked.
pub(super) fn deletion(response: &Buffered) -> reqwest::Response {
    let mut headers = response.headers.clone();
    headers.remove(CONTENT_LENGTH);
    headers.remove(CONTENT_TYPE);
    headers.insert(DELETED_EARLIER_HEADER, HeaderValue::from_static("404-after-lost-answer"));
    rebuild(StatusCode::NO_CONTENT, reqwest::Version::HTTP_11, headers, Bytes::new(), response.url.clone())
}
