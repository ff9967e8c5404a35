//! The transport layer: every request of the generated client, and so of the
//! facade built on it, passes through [`ClientHooks::exec`] here.
//!
//! progenitor lets the generated `Client` carry an inner value ([`Inner`]) and
//! lets that client override `exec`, the call that hands a finished
//! `reqwest::Request` to the network. Keeping the transport concerns in that
//! one function (the approach of oxide.rs) means the typed facade and the raw
//! generated client (the escape hatch, [`crate::Client::raw`]) behave the
//! same. A `reqwest` middleware stack would have worked as well, but would
//! have put a second client type between users and the generated code.
//!
//! What `exec` does to every request:
//! - removes the `api-version` header that progenitor adds from the spec's
//!   `info.version`: GitHub does not know it;
//! - sends `Accept: application/vnd.github+json`, `X-GitHub-Api-Version`
//!   (default [`DEFAULT_API_VERSION`]), the user agent and the credential
//!   (`Authorization: Bearer ...`, marked sensitive so it is never logged).
//!
//! And to every error response (status 400 and above): a body that is not a
//! JSON object (an HTML page from a proxy, an empty 502) is replaced by
//! `{"message": "<the first bytes of the body>"}`, so that it decodes as
//! GitHub's error type and the caller gets the right error variant for its
//! status instead of a decoding error.

use crate::Secret;
use crate::error::snippet;
use crate::generated::Client;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo};
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_LENGTH, HeaderName, HeaderValue, USER_AGENT};
use std::fmt;

/// The REST API version requested by default: the version the vendored spec
/// describes (its `info.version`, set by `cargo xtask refresh-spec`).
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

/// The media type GitHub recommends for every REST request.
pub const GITHUB_MEDIA_TYPE: &str = "application/vnd.github+json";

/// The user agent sent unless another is configured.
pub const DEFAULT_USER_AGENT: &str = concat!("gha-runners/", env!("CARGO_PKG_VERSION"));

/// The header progenitor adds to every request; never sent to GitHub.
const PROGENITOR_API_VERSION: HeaderName = HeaderName::from_static("api-version");

/// The header GitHub reads the REST API version from.
pub const X_GITHUB_API_VERSION: HeaderName = HeaderName::from_static("x-github-api-version");

/// Error bodies longer than this are cut when they are not JSON.
const MAX_ERROR_SNIPPET: usize = 300;

/// Per-client transport state carried inside the generated client.
#[derive(Clone)]
pub struct Inner {
    api_version: HeaderValue,
    user_agent: HeaderValue,
    authorization: Option<HeaderValue>,
    /// The deployment operations are checked against; `None`: no check.
    pub(crate) deployment: Option<crate::Deployment>,
    /// Where exchanges are recorded, if anywhere.
    pub(crate) recorder: Option<crate::record::Recorder>,
}

impl fmt::Debug for Inner {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Inner")
            .field("api_version", &self.api_version)
            .field("user_agent", &self.user_agent)
            .field("authorization", &self.authorization.as_ref().map(|_| crate::secret::REDACTED))
            .field("deployment", &self.deployment)
            .field("recording", &self.recorder.is_some())
            .finish()
    }
}

impl Default for Inner {
    fn default() -> Self {
        Self {
            api_version: HeaderValue::from_static(DEFAULT_API_VERSION),
            user_agent: HeaderValue::from_static(DEFAULT_USER_AGENT),
            authorization: None,
            deployment: None,
            recorder: None,
        }
    }
}

impl Inner {
    /// Transport state requesting `api_version` (`X-GitHub-Api-Version`);
    /// `None` if it cannot be a header value.
    ///
    /// ```
    /// let inner = gha_runners::transport::Inner::with_api_version("2022-11-28").unwrap();
    /// assert_eq!(inner.api_version(), "2022-11-28");
    /// assert!(gha_runners::transport::Inner::with_api_version("bad\nvalue").is_none());
    /// ```
    pub fn with_api_version(api_version: &str) -> Option<Self> {
        Self::default().api_version_header(api_version)
    }

    fn api_version_header(mut self, api_version: &str) -> Option<Self> {
        self.api_version = HeaderValue::from_str(api_version).ok()?;
        Some(self)
    }

    /// Builds the transport state; `Err` names the value that cannot be a header.
    pub(crate) fn new(api_version: &str, user_agent: &str, token: Option<&Secret>) -> Result<Self, &'static str> {
        let mut inner = Self::default().api_version_header(api_version).ok_or("api_version")?;
        inner.user_agent = HeaderValue::from_str(user_agent).map_err(|_| "user_agent")?;
        inner.authorization = match token {
            Some(t) => {
                let mut v = HeaderValue::from_str(&format!("Bearer {}", t.expose_secret())).map_err(|_| "token")?;
                v.set_sensitive(true);
                Some(v)
            }
            None => None,
        };
        Ok(inner)
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
        headers.insert(USER_AGENT, self.user_agent.clone());
        if let Some(auth) = &self.authorization {
            headers.insert(AUTHORIZATION, auth.clone());
        }
    }
}

impl ClientHooks<Inner> for Client {
    /// Refuses, before anything is sent, an operation the configured
    /// deployment does not publish (the facade checks the same earlier, with
    /// a typed error; this covers calls through [`crate::Client::raw`]).
    async fn pre<E>(
        &self,
        _request: &mut reqwest::Request,
        info: &OperationInfo,
    ) -> Result<(), progenitor_client::Error<E>> {
        if let (Some(deployment), Some(id)) =
            (&self.inner().deployment, crate::deployment::github_id(info.operation_id))
            && let Err(e) = crate::deployment::check(id, deployment)
        {
            return Err(progenitor_client::Error::Custom(e.to_string()));
        }
        Ok(())
    }

    async fn exec(&self, mut request: reqwest::Request, info: &OperationInfo) -> reqwest::Result<reqwest::Response> {
        self.inner().prepare(&mut request);
        let Some(recorder) = &self.inner().recorder else {
            let response = self.client().execute(request).await?;
            return if response.status().as_u16() >= 400 { json_error_body(response).await } else { Ok(response) };
        };
        let base_path = reqwest::Url::parse(self.baseurl()).map(|u| u.path().trim_end_matches('/').to_string());
        let url = request.url().clone();
        let recorded_request = crate::record::RecordedRequest {
            method: request.method().to_string(),
            path: url.path().strip_prefix(base_path.as_deref().unwrap_or("")).unwrap_or(url.path()).to_string(),
            query: url.query().unwrap_or_default().to_string(),
            headers: crate::record::request_headers(request.headers()),
            body: request.body().and_then(|b| b.as_bytes()).and_then(crate::record::json_body),
        };
        let response = self.client().execute(request).await?;
        let response = if response.status().as_u16() >= 400 { json_error_body(response).await? } else { response };
        let (status, version, headers) = (response.status(), response.version(), response.headers().clone());
        let bytes = response.bytes().await?;
        recorder.push(crate::record::Exchange {
            format: crate::record::FORMAT.into(),
            operation: crate::deployment::github_id(info.operation_id).unwrap_or(info.operation_id).to_string(),
            recorded: recorder.provenance(),
            request: recorded_request,
            response: crate::record::RecordedResponse {
                status: status.as_u16(),
                headers: crate::record::response_headers(&headers),
                body: crate::record::json_body(&bytes),
            },
        });
        Ok(rebuild(status, version, headers, bytes.to_vec()))
    }
}

/// A response with the same status, version and headers and this body.
fn rebuild(
    status: reqwest::StatusCode,
    version: reqwest::Version,
    headers: reqwest::header::HeaderMap,
    body: Vec<u8>,
) -> reqwest::Response {
    let mut rebuilt = http::Response::new(body);
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// Makes sure an error response's body is a JSON object (see the module docs).
async fn json_error_body(response: reqwest::Response) -> reqwest::Result<reqwest::Response> {
    let status = response.status();
    let version = response.version();
    let mut headers = response.headers().clone();
    let bytes = response.bytes().await?;
    let body = if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&bytes).is_ok() {
        bytes.to_vec()
    } else {
        let message =
            if bytes.iter().all(u8::is_ascii_whitespace) { String::new() } else { snippet(&bytes, MAX_ERROR_SNIPPET) };
        headers.remove(CONTENT_LENGTH);
        headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
        serde_json::json!({ "message": message }).to_string().into_bytes()
    };
    Ok(rebuild(status, version, headers, body))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prepare_replaces_progenitor_header_with_github_headers() {
        let mut req = reqwest::Request::new(reqwest::Method::GET, "http://127.0.0.1/x".parse().unwrap());
        req.headers_mut().insert(PROGENITOR_API_VERSION, HeaderValue::from_static("2022-11-28"));
        req.headers_mut().insert(ACCEPT, HeaderValue::from_static("application/json"));
        let token = Secret::new("ghp_example");
        Inner::new("2026-03-10", "my-agent", Some(&token)).unwrap().prepare(&mut req);
        assert!(req.headers().get("api-version").is_none());
        assert_eq!(req.headers()[X_GITHUB_API_VERSION], "2026-03-10");
        assert_eq!(req.headers()[ACCEPT], GITHUB_MEDIA_TYPE);
        assert_eq!(req.headers()[USER_AGENT], "my-agent");
        assert_eq!(req.headers()[AUTHORIZATION], "Bearer ghp_example");
        assert!(req.headers()[AUTHORIZATION].is_sensitive());
    }

    #[test]
    fn debug_never_shows_the_credential() {
        let token = Secret::new("ghp_supersecret");
        let inner = Inner::new(DEFAULT_API_VERSION, DEFAULT_USER_AGENT, Some(&token)).unwrap();
        let text = format!("{inner:?}");
        assert!(!text.contains("supersecret"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");
    }

    #[test]
    fn bad_header_values_are_named() {
        assert_eq!(Inner::new("2022-11-28", "a\nb", None).unwrap_err(), "user_agent");
        assert_eq!(Inner::new("x\r", "a", None).unwrap_err(), "api_version");
        assert_eq!(Inner::new("x", "a", Some(&Secret::new("t\n"))).unwrap_err(), "token");
    }

    #[test]
    fn default_api_version_is_the_vendored_spec_version() {
        assert_eq!(Client::api_version(), DEFAULT_API_VERSION);
        assert_eq!(Inner::default().api_version(), DEFAULT_API_VERSION);
    }
}
