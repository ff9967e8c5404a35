//! JIT configs whose outcome is unknown.
//!
//! `generate-jitconfig` is a POST that registers a runner and answers with
//! the only copy of its encoded config. When the answer is lost (a timeout,
//! a broken connection after sending, a 5xx from a gateway), the runner may
//! or may not exist: retrying blindly would fail with 409 (the name is
//! taken) or register a second runner, and giving up leaves a registered
//! runner nobody can start. So the transport looks the runner up by its
//! name: absent, the request is retried; present, its config cannot be
//! recovered, and the caller needs the runner's id to delete or reuse it.
//!
//! That last outcome is handed back as a made-up 409 (the status GitHub
//! gives a taken name) carrying the id and name in marker headers, because
//! `ClientHooks::exec` can only return a `reqwest::Response` or a
//! `reqwest::Error`, and a `reqwest::Error` cannot be made outside reqwest.
//! `crate::decode` turns it into [`crate::Error::JitOutcomeUnknown`];
//! callers of `raw()` see a 409 whose message says what happened. The
//! markers are stripped from every response that comes from the network
//! (see `response::strip_markers`), so no server or proxy can forge one.

use super::response::{Read, made_up, read_bounded};
use super::{JIT_OUTCOME_HEADER, JIT_RUNNER_NAME_HEADER};
use crate::generated::Client;
use progenitor_client::ClientInfo;
use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderValue};
use reqwest::{Method, StatusCode};

/// What looking the runner up found.
pub(super) enum JitLookup {
    /// The runner exists: its id and name.
    Exists(i64, String),
    /// No runner has the name.
    Absent,
    /// The lookup itself failed (or the request names no runner).
    Failed,
}

/// After a JIT config request (`operation`) with an unknown outcome: does
/// the runner it named exist now? The lookup goes with the request's own
/// credential.
pub(super) async fn lookup(client: &Client, request: &reqwest::Request, operation: &str) -> JitLookup {
    let inner = client.inner();
    let Some(name) = request
        .body()
        .and_then(|b| b.as_bytes())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
        .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_string))
    else {
        return JitLookup::Failed;
    };
    let mut url = request.url().clone();
    let Some(path) = url.path().strip_suffix("/generate-jitconfig").map(str::to_string) else {
        return JitLookup::Failed;
    };
    url.set_path(&path);
    url.query_pairs_mut().clear().append_pair("name", &name).append_pair("per_page", "100");
    let mut lookup = reqwest::Request::new(Method::GET, url);
    *lookup.headers_mut() = request.headers().clone();
    lookup.headers_mut().remove(reqwest::header::CONTENT_TYPE);
    if let Ok(Some(h)) = super::auth::authorization(client, operation).await {
        lookup.headers_mut().insert(AUTHORIZATION, h);
    }
    let Ok(response) = client.client().execute(lookup).await else { return JitLookup::Failed };
    let Ok(Read::Whole(response)) = read_bounded(response, inner.max_body).await else { return JitLookup::Failed };
    if !response.status.is_success() {
        return JitLookup::Failed;
    }
    let Ok(list) = serde_json::from_slice::<serde_json::Value>(&response.body) else { return JitLookup::Failed };
    let found = list["runners"].as_array().into_iter().flatten().find(|r| r["name"] == name.as_str());
    match found.and_then(|r| r["id"].as_i64()) {
        Some(id) => JitLookup::Exists(id, name),
        None => JitLookup::Absent,
    }
}

/// The answer for a JIT config whose runner exists after an unknown
/// outcome: a 409 (the name is taken) marked with the runner's id and its
/// percent-encoded name (header values are ASCII).
pub(super) fn exists(id: i64, name: &str, url: &reqwest::Url) -> reqwest::Response {
    let message = format!(
        "the JIT config request for runner `{name}` lost its answer after it was sent, and runner {id} with that name now exists: its JIT config cannot be recovered; delete the runner (or reuse it) and request a new config"
    );
    let encoded = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC).to_string();
    let mut headers = HeaderMap::new();
    headers.insert(JIT_OUTCOME_HEADER, HeaderValue::from(id));
    if let Ok(v) = HeaderValue::from_str(&encoded) {
        headers.insert(JIT_RUNNER_NAME_HEADER, v);
    }
    made_up(StatusCode::CONFLICT, headers, &message, url)
}
