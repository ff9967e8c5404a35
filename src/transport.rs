//! The transport layer: every request of the generated client, and so of the
//! facade built on it, passes through [`ClientHooks::exec`] here.
//!
//! progenitor lets the generated `Client` carry an inner value ([`Inner`]) and
//! lets that client override `exec`, the call that hands a finished
//! `reqwest::Request` to the network. Keeping the transport concerns in that
//! one function (the approach of oxide.rs) means the typed facade and the raw
//! generated client (the escape hatch) behave the same.
//!
//! What `exec` does to every request:
//! - removes the `api-version` header that progenitor adds from the spec's
//!   `info.version`: GitHub does not know it;
//! - sends `X-GitHub-Api-Version` (default [`DEFAULT_API_VERSION`]) and
//!   `Accept: application/vnd.github+json` instead.

use crate::generated::Client;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, HeaderName, HeaderValue};

/// The REST API version requested by default: the version the vendored spec
/// describes (its `info.version`, set by `cargo xtask refresh-spec`).
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

/// The media type GitHub recommends for every REST request.
pub const GITHUB_MEDIA_TYPE: &str = "application/vnd.github+json";

/// The header progenitor adds to every request; never sent to GitHub.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The header GitHub reads the REST API version from.
pub const X_GITHUB_API_VERSION: HeaderName = HeaderName::from_static("x-github-api-version");

/// Per-client transport state carried inside the generated client.
#[derive(Debug, Clone)]
pub struct Inner {
    api_version: HeaderValue,
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            api_version: HeaderValue::from_static(DEFAULT_API_VERSION),
        }
    }
}

impl Inner {
    /// Transport state requesting `api_version` (`X-GitHub-Api-Version`).
    ///
    /// ```
    /// let inner = gha_runners::transport::Inner::with_api_version("2022-11-28").unwrap();
    /// assert_eq!(inner.api_version(), "2022-11-28");
    /// assert!(gha_runners::transport::Inner::with_api_version("bad\nvalue").is_none());
    /// ```
    pub fn with_api_version(api_version: &str) -> Option<Self> {
        HeaderValue::from_str(api_version)
            .ok()
            .map(|api_version| Self { api_version })
    }

    /// The requested REST API version.
    pub fn api_version(&self) -> &str {
        self.api_version.to_str().unwrap_or(DEFAULT_API_VERSION)
    }

    /// Rewrites the headers of an outgoing request as described in the
    /// module docs.
    fn prepare(&self, request: &mut reqwest::Request) {
        let headers = request.headers_mut();
        headers.remove(PROGENITOR_API_VERSION);
        headers.insert(X_GITHUB_API_VERSION, self.api_version.clone());
        headers.insert(ACCEPT, HeaderValue::from_static(GITHUB_MEDIA_TYPE));
    }
}

impl ClientHooks<Inner> for Client {
    async fn exec(
        &self,
        mut request: reqwest::Request,
        _info: &OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        self.inner().prepare(&mut request);
        self.client().execute(request).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_replaces_progenitor_header_with_github_headers() {
        let mut req =
            reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/x".parse().unwrap());
        req.headers_mut().insert(
            PROGENITOR_API_VERSION,
            HeaderValue::from_static("2022-11-28"),
        );
        req.headers_mut()
            .insert(ACCEPT, HeaderValue::from_static("application/json"));
        Inner::with_api_version("2026-03-10")
            .unwrap()
            .prepare(&mut req);
        assert!(req.headers().get("api-version").is_none());
        assert_eq!(req.headers()[X_GITHUB_API_VERSION], "2026-03-10");
        assert_eq!(req.headers()[ACCEPT], GITHUB_MEDIA_TYPE);
    }

    #[test]
    fn default_api_version_is_the_vendored_spec_version() {
        assert_eq!(Client::api_version(), DEFAULT_API_VERSION);
        assert_eq!(Inner::default().api_version(), DEFAULT_API_VERSION);
    }
}
