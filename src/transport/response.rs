//! Responses as the transport handles them: read whole within the body
//! limit, stripped of forged markers, and the answers the transport makes up.
//!
//! Outcomes the transport decides itself (a JIT config whose answer was
//! lost, a failed App token renewal, a body over the limit, a DELETE whose
//! first answer was lost) are handed back as responses, because `exec` must
//! return a `reqwest::Response` or a `reqwest::Error`, and a
//! `reqwest::Error` cannot be made outside reqwest. Each such response
//! carries an `x-gha-runners-*` marker header that `crate::decode` turns into
//! its typed error ([`crate::Error::JitOutcomeUnknown`],
//! [`crate::Error::AppAuth`]); callers of `raw()` see the status and a
//! message saying what happened. None of them is ever sent by GitHub.

use super::{
    APP_TOKEN_FAILURE_HEADER, APP_TOKEN_STATUS_HEADER, DELETED_EARLIER_HEADER, HELD_HEADER, JIT_OUTCOME_HEADER,
    JIT_RUNNER_NAME_HEADER, RATE_LIMIT_HEADER,
};
use bytes::{Bytes, BytesMut};
use reqwest::StatusCode;
use reqwest::header::{CONTENT_LENGTH, HeaderMap, HeaderValue};

/// Error bodies longer than this are cut when they are not JSON.
const MAX_ERROR_SNIPPET: usize = 300;

/// A response read whole into memory (at most the body limit).
pub(crate) struct Buffered {
    pub status: StatusCode,
    pub version: reqwest::Version,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// The URL it answered (after redirects), kept for `Response::url`.
    pub url: reqwest::Url,
}

impl Buffered {
    pub fn into_response(self) -> reqwest::Response {
        rebuild(self.status, self.version, self.headers, self.body, self.url)
    }
}

/// What reading a response gave.
pub(crate) enum Read {
    Whole(Buffered),
    /// The body is larger than the limit: refused without being buffered.
    TooLarge(Refused),
}

/// A response whose body was refused for its size: what is known of it.
pub(crate) struct Refused {
    pub status: StatusCode,
    pub version: reqwest::Version,
    pub headers: HeaderMap,
    /// The `Content-Length` the server announced, if any.
    pub declared: Option<u64>,
    pub url: reqwest::Url,
}

/// Reads a response's body chunk by chunk, refusing it as soon as it is
/// larger than `limit` bytes (at once when `Content-Length` says so), so an
/// oversized answer never sits in memory whole. Dropping the unread rest
/// closes the connection.
///
/// The headers are moved, not copied, and a body that arrives in one chunk
/// is kept as that chunk; only a body in several chunks is copied, once,
/// into one buffer (as `reqwest::Response::bytes` would).
pub(crate) async fn read_bounded(mut response: reqwest::Response, limit: u64) -> reqwest::Result<Read> {
    let (status, version, url) = (response.status(), response.version(), response.url().clone());
    let declared = response.content_length();
    let mut headers = std::mem::take(response.headers_mut());
    strip_markers(&mut headers);
    let refused = |headers, url| Read::TooLarge(Refused { status, version, headers, declared, url });
    if declared.is_some_and(|d| d > limit) {
        return Ok(refused(headers, url));
    }
    let (mut first, mut joined): (Option<Bytes>, Option<BytesMut>) = (None, None);
    let mut read: u64 = 0;
    while let Some(chunk) = response.chunk().await? {
        read += chunk.len() as u64;
        if read > limit {
            return Ok(refused(headers, url));
        }
        match (&first, &mut joined) {
            (None, _) => first = Some(chunk),
            (Some(_), Some(buffer)) => buffer.extend_from_slice(&chunk),
            (Some(head), None) => {
                // Never let an announced length choose a large allocation up front.
                let expected = declared.unwrap_or(0).min(limit).min(64 << 10);
                let capacity = usize::try_from(expected.max(read)).unwrap_or(0);
                let mut buffer = BytesMut::with_capacity(capacity);
                buffer.extend_from_slice(head);
                buffer.extend_from_slice(&chunk);
                joined = Some(buffer);
            }
        }
    }
    let body = match (joined, first) {
        (Some(buffer), _) => buffer.freeze(),
        (None, first) => first.unwrap_or_default(),
    };
    Ok(Read::Whole(Buffered { status, version, headers, body, url }))
}

/// Removes the transport's own marker headers from a response that came
/// from the network: a proxy could otherwise fake a JIT outcome naming a
/// runner to delete, an App failure, a deletion or a rate-limit verdict.
pub(crate) fn strip_markers(headers: &mut HeaderMap) {
    for marker in [
        JIT_OUTCOME_HEADER,
        JIT_RUNNER_NAME_HEADER,
        APP_TOKEN_FAILURE_HEADER,
        APP_TOKEN_STATUS_HEADER,
        DELETED_EARLIER_HEADER,
        RATE_LIMIT_HEADER,
        HELD_HEADER,
    ] {
        headers.remove(marker);
    }
}

/// A response the transport makes up (it never came from GitHub).
pub(crate) fn made_up(
    status: StatusCode,
    mut headers: HeaderMap,
    message: &str,
    url: &reqwest::Url,
) -> reqwest::Response {
    let body = serde_json::json!({ "message": message });
    headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    rebuild(status, reqwest::Version::HTTP_11, headers, Bytes::from(body.to_string()), url.clone())
}

/// The answer for a refused body: the real status and headers, and a body
/// that fails to read with [`BodyTooLarge`] (which `crate::decode` turns
/// into [`crate::Error::ResponseTooLarge`]).
pub(crate) fn too_large(refused: Refused, limit: u64) -> reqwest::Response {
    let Refused { status, version, mut headers, declared, url } = refused;
    headers.remove(CONTENT_LENGTH);
    let error = BodyTooLarge { limit, declared };
    rebuild(status, version, headers, reqwest::Body::wrap(RefusedBody(Some(error))), url)
}

/// The error a refused response body reads as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the response body exceeds the limit of {limit} bytes and was not read")]
#[non_exhaustive]
pub struct BodyTooLarge {
    /// The limit in force.
    pub limit: u64,
    /// The `Content-Length` the server announced, if any.
    pub declared: Option<u64>,
}

/// A body whose first read fails with [`BodyTooLarge`].
struct RefusedBody(Option<BodyTooLarge>);

impl http_body::Body for RefusedBody {
    type Data = Bytes;
    type Error = BodyTooLarge;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Bytes>, BodyTooLarge>>> {
        std::task::Poll::Ready(self.get_mut().0.take().map(Err))
    }
}

/// A response with this status, version, headers, body and URL (the URL
/// also spares reqwest parsing a placeholder for every response).
pub(crate) fn rebuild(
    status: StatusCode,
    version: reqwest::Version,
    headers: HeaderMap,
    body: impl Into<reqwest::Body>,
    url: reqwest::Url,
) -> reqwest::Response {
    use reqwest::ResponseBuilderExt;
    // Setting an extension cannot fail; without it reqwest shows a placeholder URL.
    let head = http::Response::builder().url(url).body(()).unwrap_or_else(|_| http::Response::new(()));
    let mut rebuilt = head.map(|()| body.into());
    *rebuilt.status_mut() = status;
    *rebuilt.version_mut() = version;
    *rebuilt.headers_mut() = headers;
    reqwest::Response::from(rebuilt)
}

/// Makes sure an error response's body is a JSON object (see the module docs).
pub(crate) fn json_error_body(mut r: Buffered) -> Buffered {
    if serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(&r.body).is_ok() {
        return r;
    }
    let message = if r.body.iter().all(u8::is_ascii_whitespace) {
        String::new()
    } else {
        crate::secret::ShownBody::of(&r.body, MAX_ERROR_SNIPPET).text
    };
    r.headers.remove(CONTENT_LENGTH);
    r.headers.insert(reqwest::header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    r.body = Bytes::from(serde_json::json!({ "message": message }).to_string());
    r
}
