//! Recorded exchanges: what the client sent and what GitHub answered, one
//! JSON document per request, with secrets scrubbed. Contract tests replay
//! them (see `gha_runners::testkit::Replayer`).
//!
//! Attach a [`Recorder`] with [`crate::ClientBuilder::recorder`]; every
//! request of that client (facade or [`crate::Client::raw`]) is then
//! recorded by the transport layer.
//!
//! # Format (`format: "gha-runners/exchange/v1"`)
//!
//! ```json
//! {
//!   "format": "gha-runners/exchange/v1",
//!   "operation": "actions/list-self-hosted-runners-for-org",
//!   "recorded": {"deployment": "fake", "date": "2026-11-21", "crate_version": "0.1.0"},
//!   "request": {"method": "GET", "path": "/orgs/octo-org/actions/runners", "query": "page=1&per_page=100",
//!               "headers": {"accept": "application/vnd.github+json", "x-github-api-version": "2022-11-28"},
//!               "body": null},
//!   "response": {"status": 200, "headers": {"etag": "W/\"...\"", "link": "...", "x-ratelimit-remaining": "4999"},
//!                "body": {"total_count": 1, "runners": []}}
//! }
//! ```
//!
//! `path` is relative to the API root (no `/api/v3`), `query` is the raw
//! query string. Only the headers that matter are kept: on requests
//! `accept`, `content-type`, `x-github-api-version`, `if-none-match`,
//! `if-modified-since`; on responses `content-type`, `link`, `etag`,
//! `last-modified`, `retry-after`, `x-github-request-id` and the
//! `x-ratelimit-*` headers. Never `authorization` or cookies. In bodies,
//! the values of every field in [`SECRET_FIELDS`] (`token`,
//! `encoded_jit_config`, `temp_download_token`, `temp_clone_token`), at any
//! depth and of any type, are replaced by `[scrubbed]`.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

/// The format tag of a recorded exchange.
pub const FORMAT: &str = "gha-runners/exchange/v1";

/// What replaces a secret in a recorded body.
pub const SCRUBBED: &str = "[scrubbed]";

/// Body fields whose values are secrets: the crate's one list.
pub use crate::secret::SECRET_FIELDS;

const REQUEST_HEADERS: &[&str] =
    &["accept", "content-type", "x-github-api-version", "if-none-match", "if-modified-since"];
const RESPONSE_HEADERS: &[&str] = &[
    "content-type",
    "link",
    "etag",
    "last-modified",
    "retry-after",
    "x-github-request-id",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-used",
    "x-ratelimit-reset",
    "x-ratelimit-resource",
];

/// One recorded exchange.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Exchange {
    /// Always [`FORMAT`].
    pub format: String,
    /// GitHub's operationId.
    pub operation: String,
    /// Where and when it was recorded.
    pub recorded: Provenance,
    /// The request.
    pub request: RecordedRequest,
    /// The response.
    pub response: RecordedResponse,
}

/// Where and when an exchange was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Provenance {
    /// `fake`, `github.com`, `ghec`, `ghes-3.19`, ...
    pub deployment: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// The version of gha-runners that recorded it.
    pub crate_version: String,
}

/// A recorded request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedRequest {
    /// `GET`, `POST`, ...
    pub method: String,
    /// Path relative to the API root, percent-encoded as sent.
    pub path: String,
    /// The raw query string (empty if none).
    pub query: String,
    /// The headers that matter (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

/// A recorded response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct RecordedResponse {
    /// The status.
    pub status: u16,
    /// The headers that matter (lower-case names).
    pub headers: BTreeMap<String, String>,
    /// The JSON body (scrubbed), if any.
    pub body: Option<Value>,
}

/// Collects the exchanges of the clients it is attached to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Recorder {
    deployment: String,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
}

impl Recorder {
    /// A recorder labelling its exchanges with `deployment` (`fake`,
    /// `github.com`, `ghec`, `ghes-3.19`).
    pub fn new(deployment: impl Into<String>) -> Self {
        Self { deployment: deployment.into(), exchanges: Arc::default() }
    }

    /// The exchanges recorded so far, in order.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Writes the exchanges to `dir` as `NNN-<operation>.json`, replacing
    /// the exchanges an earlier recording left there; returns how many.
    ///
    /// Only files that are recorded exchanges (named `NNN-*.json` and
    /// holding this format) are removed; any other file stays, so pointing
    /// it at the wrong folder cannot delete anything else.
    pub fn write_dir(&self, dir: &Path) -> std::io::Result<usize> {
        if dir.exists() {
            for entry in std::fs::read_dir(dir)? {
                let p = entry?.path();
                if is_recorded_exchange(&p) {
                    std::fs::remove_file(p)?;
                }
            }
        }
        std::fs::create_dir_all(dir)?;
        let exchanges = self.exchanges();
        for (i, e) in exchanges.iter().enumerate() {
            let slug = e.operation.replace('/', "--");
            let mut text = serde_json::to_string_pretty(e).map_err(std::io::Error::other)?;
            text.push('\n');
            // `create_new`: never overwrite a file that is not an earlier
            // recording, nor follow a link planted under an exchange's name.
            let path = dir.join(format!("{:03}-{slug}.json", i + 1));
            let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(&path).map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("{}: {e} (not a recorded exchange; move it away)", path.display()),
                )
            })?;
            std::io::Write::write_all(&mut file, text.as_bytes())?;
        }
        Ok(exchanges.len())
    }

    pub(crate) fn push(&self, exchange: Exchange) {
        self.exchanges.lock().unwrap_or_else(|p| p.into_inner()).push(exchange);
    }

    pub(crate) fn provenance(&self) -> Provenance {
        Provenance {
            deployment: self.deployment.clone(),
            date: chrono::Utc::now().format("%Y-%m-%d").to_string(),
            crate_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }
}

/// Whether `path` is named like an exchange: `NNN-*.json` (3 digits or more).
fn has_exchange_name(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
        let digits = n.bytes().take_while(u8::is_ascii_digit).count();
        n.ends_with(".json") && digits >= 3 && n.as_bytes().get(digits) == Some(&b'-')
    })
}

/// Whether `path` is a file [`Recorder::write_dir`] wrote: `NNN-*.json`
/// whose JSON has `"format": FORMAT`.
fn is_recorded_exchange(path: &Path) -> bool {
    let named = has_exchange_name(path);
    let regular = std::fs::symlink_metadata(path).is_ok_and(|m| m.is_file() && m.len() <= 16 << 20);
    named
        && regular
        && std::fs::read(path)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .is_some_and(|v| v["format"] == FORMAT)
}

/// Reads the exchanges of a directory written by [`Recorder::write_dir`],
/// in order.
pub fn read_dir(dir: &Path) -> std::io::Result<Vec<Exchange>> {
    let mut files: Vec<_> =
        std::fs::read_dir(dir)?.filter_map(Result::ok).map(|e| e.path()).filter(|p| has_exchange_name(p)).collect();
    files.sort();
    files
        .iter()
        .map(|p| {
            let bytes = std::fs::read(p)?;
            serde_json::from_slice(&bytes)
                .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, format!("{}: {e}", p.display())))
        })
        .collect()
}

/// Replaces the values of [`SECRET_FIELDS`] anywhere in `value`, whatever
/// their type, with [`SCRUBBED`].
pub fn scrub(value: &mut Value) {
    crate::secret::redact_json(value, SCRUBBED);
}

pub(crate) fn keep_headers(headers: &reqwest::header::HeaderMap, keep: &[&str]) -> BTreeMap<String, String> {
    keep.iter()
        .filter_map(|k| headers.get(*k).and_then(|v| v.to_str().ok()).map(|v| (k.to_string(), v.to_string())))
        .collect()
}

pub(crate) fn request_headers(headers: &reqwest::header::HeaderMap) -> BTreeMap<String, String> {
    keep_headers(headers, REQUEST_HEADERS)
}

pub(crate) fn response_headers(headers: &reqwest::header::HeaderMap) -> BTreeMap<String, String> {
    keep_headers(headers, RESPONSE_HEADERS)
}

/// A JSON body, scrubbed; `None` for an empty or non-JSON body.
pub(crate) fn json_body(bytes: &[u8]) -> Option<Value> {
    let mut v: Value = serde_json::from_slice(bytes).ok()?;
    scrub(&mut v);
    Some(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn write_dir_removes_only_earlier_recordings() {
        let dir = std::env::temp_dir().join(format!("gha-runners-record-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let keep =
            ["openapi.json", "001-not-an-exchange.json", "001-not-an--exchange.json", "scenario.json", "notes.txt"];
        for k in keep {
            std::fs::write(dir.join(k), "{\"openapi\": \"3.0.3\"}").unwrap();
        }
        let old = serde_json::json!({"format": FORMAT, "operation": "x"});
        std::fs::write(dir.join("007-old.json"), old.to_string()).unwrap();
        assert_eq!(Recorder::new("fake").write_dir(&dir).unwrap(), 0);
        for k in keep {
            assert!(dir.join(k).exists(), "{k} was deleted");
        }
        assert!(!dir.join("007-old.json").exists(), "the earlier recording is replaced");
        let recorder = Recorder::new("fake");
        recorder.push(Exchange {
            format: FORMAT.into(),
            operation: "not-an/exchange".into(),
            recorded: recorder.provenance(),
            request: RecordedRequest {
                method: "GET".into(),
                path: "/".into(),
                query: String::new(),
                headers: BTreeMap::new(),
                body: None,
            },
            response: RecordedResponse { status: 200, headers: BTreeMap::new(), body: None },
        });
        let err = recorder.write_dir(&dir).unwrap_err();
        assert!(err.to_string().contains("001-not-an--exchange.json"), "{err}");
        assert_eq!(std::fs::read_to_string(dir.join("001-not-an--exchange.json")).unwrap(), "{\"openapi\": \"3.0.3\"}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn scrubbing_replaces_every_secret_field_at_any_depth() {
        let mut v = json!({"token": "AABF", "runner": {"id": 1}, "encoded_jit_config": "e30=",
            "apps": [{"temp_download_token": "x", "os": "linux"}], "expires_at": "2026"});
        scrub(&mut v);
        assert_eq!(v["token"], SCRUBBED);
        assert_eq!(v["encoded_jit_config"], SCRUBBED);
        assert_eq!(v["apps"][0]["temp_download_token"], SCRUBBED);
        assert_eq!(v["apps"][0]["os"], "linux");
        assert_eq!(v["expires_at"], "2026");
    }
}
