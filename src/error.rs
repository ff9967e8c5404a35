//! The one error type of the crate, and the decoding of GitHub's error
//! responses into it.

use chrono::{DateTime, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use std::fmt;
use std::time::Duration;

/// What every call of this crate returns on failure.
///
/// Match on the variant to decide what to do: retry later on
/// [`Error::RateLimited`], create on [`Error::NotFound`], pick another name on
/// [`Error::Conflict`], fix the request on [`Error::ValidationFailed`] or
/// [`Error::InvalidInput`]. Messages never contain a credential.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// 404: the resource does not exist, or the credential cannot see it.
    #[error(
        "{0}: not found. Check the names and ids; GitHub also answers 404 when the token lacks access to the resource"
    )]
    NotFound(Box<ApiError>),
    /// 409: the request conflicts with the current state (for example a JIT
    /// runner name that is already taken).
    #[error("{0}: conflict with the current state (a runner with that name may already exist)")]
    Conflict(Box<ApiError>),
    /// 422: GitHub rejected the request's content; see [`ApiError::errors`].
    #[error("{0}: validation failed{summary}", summary = field_summary(&.0.errors))]
    ValidationFailed(Box<ApiError>),
    /// 401: the credential is missing, wrong or expired.
    #[error("{0}: unauthorized. The token is missing, revoked or expired: create a new one")]
    Unauthorized(Box<ApiError>),
    /// 403 that is not a rate limit: the credential lacks a permission or scope.
    #[error(
        "{0}: forbidden. The token lacks the permission this operation needs (runner administration: `admin:org`, `repo` or `manage_runners:enterprise` scope, or the app's `administration`/`organization_self_hosted_runners` permission)"
    )]
    Forbidden(Box<ApiError>),
    /// A primary or secondary rate limit was hit.
    #[error("{error}: {kind} rate limit exceeded; {}", wait_advice(.reset_at, .retry_after))]
    RateLimited {
        /// Primary (hourly quota) or secondary (abuse protection).
        kind: RateLimitKind,
        /// When the primary quota resets (`x-ratelimit-reset`).
        reset_at: Option<DateTime<Utc>>,
        /// How long GitHub asked to wait (`Retry-After`).
        retry_after: Option<Duration>,
        /// The response.
        error: Box<ApiError>,
    },
    /// Any other error response from GitHub.
    #[error("{0}")]
    Api(Box<ApiError>),
    /// The request did not complete: connection, TLS or protocol failure.
    #[error("{operation}: transport error: {source}. Check the base URL and the network")]
    Transport {
        /// The operation.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// The request timed out.
    #[error("{operation}: timed out. GitHub may be slow: retry, or raise the timeout")]
    Timeout {
        /// The operation.
        operation: &'static str,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// A success response whose body does not match the documented schema.
    #[error("{operation}: the response{} does not decode: {source}; body starts with: {body}", status.map(|s| format!(" (status {s})")).unwrap_or_default())]
    Decode {
        /// The operation.
        operation: &'static str,
        /// The status, where known.
        status: Option<u16>,
        /// The first bytes of the body (at most 300).
        body: String,
        /// The decoding error.
        #[source]
        source: serde_json::Error,
    },
    /// A JIT config request lost its answer after it was sent (timeout,
    /// connection lost, gateway error), and the runner it named exists now:
    /// its JIT config cannot be recovered. Delete the runner (or reuse it)
    /// and request a new config.
    #[error(
        "{operation}: the request's answer was lost and runner `{name}` (id {runner_id}) now exists; its JIT config cannot be recovered: delete the runner or reuse it, then request a new config"
    )]
    JitOutcomeUnknown {
        /// The operation.
        operation: &'static str,
        /// The runner that exists.
        runner_id: i64,
        /// Its name.
        name: String,
    },
    /// The configured deployment does not publish this operation (per the
    /// vendored data); nothing was sent.
    #[error("{operation} is not available on {deployment}{}. If the server is newer than this crate's data, turn the check off with ClientBuilder::check_availability(false); on GitHub Enterprise Cloud set ClientBuilder::deployment(Deployment::EnterpriseCloud)", match first_ghes { Some(v) => format!(" (GitHub Enterprise Server has it from {v})"), None => String::new() })]
    Unsupported {
        /// The operation (GitHub's operationId).
        operation: &'static str,
        /// The configured deployment.
        deployment: String,
        /// The first GitHub Enterprise Server release that has it, if any.
        first_ghes: Option<String>,
    },
    /// Input the API's rules refuse, caught before any request was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or field.
        field: &'static str,
        /// What is wrong and what is allowed.
        reason: String,
    },
}

impl Error {
    /// The HTTP status of an error response from GitHub, if this is one.
    pub fn status(&self) -> Option<u16> {
        self.api_error().map(|e| e.status)
    }

    /// The details of an error response from GitHub, if this is one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Error::NotFound(e)
            | Error::Conflict(e)
            | Error::ValidationFailed(e)
            | Error::Unauthorized(e)
            | Error::Forbidden(e)
            | Error::Api(e) => Some(e),
            Error::RateLimited { error, .. } => Some(error),
            _ => None,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field, reason: reason.into() }
    }
}

/// Which rate limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateLimitKind {
    /// The hourly request quota (`x-ratelimit-remaining: 0`).
    Primary,
    /// GitHub's secondary limits on bursts and concurrency.
    Secondary,
}

impl fmt::Display for RateLimitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            RateLimitKind::Primary => "primary",
            RateLimitKind::Secondary => "secondary",
        })
    }
}

fn wait_advice(reset_at: &Option<DateTime<Utc>>, retry_after: &Option<Duration>) -> String {
    match (retry_after, reset_at) {
        (Some(d), _) => format!("retry after {} s", d.as_secs()),
        (None, Some(t)) => format!("the quota resets at {}", t.to_rfc3339()),
        (None, None) => "wait at least a minute before retrying, and slow down".into(),
    }
}

fn field_summary(errors: &[FieldError]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        format!(": {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))
    }
}

/// An error response from GitHub.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The operation (GitHub's operationId).
    pub operation: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// GitHub's message (may be empty).
    pub message: String,
    /// The documentation GitHub points to.
    pub documentation_url: Option<String>,
    /// `x-github-request-id`, for GitHub support.
    pub request_id: Option<String>,
    /// Field errors of a 422.
    pub errors: Vec<FieldError>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} returned {}", self.operation, self.status)?;
        if !self.message.is_empty() {
            write!(f, " \"{}\"", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

/// One field error of a validation failure.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct FieldError {
    /// The resource (e.g. `Runner`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    /// The field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// GitHub's code (`missing`, `missing_field`, `invalid`, `already_exists`, `unprocessable`, `custom`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// A message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> =
            [&self.resource, &self.field, &self.code, &self.message].into_iter().filter_map(|p| p.as_deref()).collect();
        f.write_str(&parts.join(" "))
    }
}

/// GitHub's error body (schema `github-error`, the merge of `basic-error`,
/// `validation-error` and `validation-error-simple`), decoded leniently: every
/// field is optional, `status` may be a string or a number, and `errors` may
/// hold strings or objects. Any JSON object decodes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
pub struct ApiErrorBody {
    /// The message.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Documentation link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation_url: Option<String>,
    /// A URL, on some errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The status, as GitHub repeats it in some bodies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Field errors (GitHub sends strings or objects; strings become a
    /// [`FieldError`] with only a message).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<serde_json::Value>")]
    pub errors: Vec<FieldError>,
}

impl<'de> Deserialize<'de> for ApiErrorBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = serde_json::Value::deserialize(deserializer)?;
        Ok(ApiErrorBody::from_value(&value))
    }
}

impl ApiErrorBody {
    /// Reads what it can from any JSON value.
    pub fn from_value(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        let text = |v: Option<&Value>| match v {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };
        let field_error = |v: &Value| match v {
            Value::String(s) => FieldError { message: Some(s.clone()), ..FieldError::default() },
            Value::Object(_) => FieldError {
                resource: text(v.get("resource")),
                field: text(v.get("field")),
                code: text(v.get("code")),
                message: text(v.get("message")),
            },
            other => FieldError { message: Some(other.to_string()), ..FieldError::default() },
        };
        let errors = match value.get("errors") {
            Some(Value::Array(items)) => items.iter().map(field_error).collect(),
            Some(Value::Null) | None => Vec::new(),
            Some(other) => vec![field_error(other)],
        };
        ApiErrorBody {
            message: text(value.get("message")),
            documentation_url: text(value.get("documentation_url")),
            url: text(value.get("url")),
            status: text(value.get("status")),
            errors,
        }
    }
}

/// Builds the [`Error`] for an error response.
pub(crate) fn from_response(
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    body: ApiErrorBody,
) -> Error {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(runner_id) = header(crate::transport::JIT_OUTCOME_HEADER).and_then(|v| v.parse().ok()) {
        let name = header(crate::transport::JIT_RUNNER_NAME_HEADER).unwrap_or_default();
        return Error::JitOutcomeUnknown { operation, runner_id, name };
    }
    let api = Box::new(ApiError {
        operation,
        status: status.as_u16(),
        message: body.message.unwrap_or_default(),
        documentation_url: body.documentation_url,
        request_id: header("x-github-request-id"),
        errors: body.errors,
    });
    let code = status.as_u16();
    if code == 403 || code == 429 {
        let remaining = header("x-ratelimit-remaining");
        let reset_at = header("x-ratelimit-reset")
            .and_then(|s| s.parse::<i64>().ok())
            .and_then(|t| DateTime::<Utc>::from_timestamp(t, 0));
        let retry_after = header("retry-after").and_then(|s| s.trim().parse::<u64>().ok()).map(Duration::from_secs);
        let secondary_message = api.message.to_ascii_lowercase().contains("secondary rate limit");
        if remaining.as_deref() == Some("0") && retry_after.is_none() {
            return Error::RateLimited { kind: RateLimitKind::Primary, reset_at, retry_after, error: api };
        }
        if retry_after.is_some() || secondary_message || code == 429 {
            return Error::RateLimited { kind: RateLimitKind::Secondary, reset_at: None, retry_after, error: api };
        }
    }
    match code {
        401 => Error::Unauthorized(api),
        403 => Error::Forbidden(api),
        404 => Error::NotFound(api),
        409 => Error::Conflict(api),
        422 => Error::ValidationFailed(api),
        _ => Error::Api(api),
    }
}

/// The first `max` bytes of a body, as text, for error messages.
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let cut = &body[..body.len().min(max)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if body.len() > max {
        s.push('…');
    }
    s
}

/// Maps what the generated client returns into [`Error`].
pub(crate) async fn from_generated<E: ErrorBody>(operation: &'static str, err: progenitor_client::Error<E>) -> Error {
    use progenitor_client::Error as G;
    match err {
        G::InvalidRequest(reason) => Error::InvalidInput { field: "request", reason },
        G::CommunicationError(source) | G::ResponseBodyError(source) | G::InvalidUpgrade(source) => {
            transport(operation, source)
        }
        G::ErrorResponse(rv) => {
            let status = rv.status();
            let headers = rv.headers().clone();
            from_response(operation, status, &headers, rv.into_inner().into_body())
        }
        G::InvalidResponsePayload(bytes, source) => {
            Error::Decode { operation, status: None, body: snippet(&bytes, 300), source }
        }
        G::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(bytes) => {
                    let body = serde_json::from_slice::<serde_json::Value>(&bytes)
                        .map(|v| ApiErrorBody::from_value(&v))
                        .unwrap_or_else(|_| ApiErrorBody {
                            message: Some(snippet(&bytes, 300)),
                            ..ApiErrorBody::default()
                        });
                    let mut body = body;
                    if status.is_success() || status.is_redirection() {
                        let what = format!("unexpected status {status} for this operation");
                        body.message = Some(match body.message {
                            Some(m) if !m.is_empty() => format!("{what}: {m}"),
                            _ => what,
                        });
                    }
                    from_response(operation, status, &headers, body)
                }
                Err(source) => transport(operation, source),
            }
        }
        G::Custom(reason) => Error::Api(Box::new(ApiError {
            operation,
            status: 0,
            message: reason,
            documentation_url: None,
            request_id: None,
            errors: Vec::new(),
        })),
    }
}

fn transport(operation: &'static str, source: reqwest::Error) -> Error {
    if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Transport { operation, source: source.without_url() }
    }
}

/// The typed error body of a generated operation: [`ApiErrorBody`] where the
/// spec documents error responses, `()` where it documents none.
pub trait ErrorBody {
    /// The body as an [`ApiErrorBody`].
    fn into_body(self) -> ApiErrorBody;
}

impl ErrorBody for ApiErrorBody {
    fn into_body(self) -> ApiErrorBody {
        self
    }
}

impl ErrorBody for () {
    fn into_body(self) -> ApiErrorBody {
        ApiErrorBody::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (reqwest::header::HeaderName::from_static(k), v.parse().unwrap())).collect()
    }

    #[test]
    fn lenient_body_accepts_every_shape_github_sends() {
        let b: ApiErrorBody = serde_json::from_value(json!({"message": "Not Found", "status": "404"})).unwrap();
        assert_eq!(b.status.as_deref(), Some("404"));
        let b: ApiErrorBody = serde_json::from_value(json!({"message": "x", "status": 404})).unwrap();
        assert_eq!(b.status.as_deref(), Some("404"));
        let b: ApiErrorBody = serde_json::from_value(json!({"message": "Validation Failed"})).unwrap();
        assert!(b.errors.is_empty());
        let b: ApiErrorBody = serde_json::from_value(
            json!({"errors": ["plain", {"resource": "Label", "field": "name", "code": "invalid"}]}),
        )
        .unwrap();
        assert_eq!(b.errors[0].message.as_deref(), Some("plain"));
        assert_eq!(b.errors[1].code.as_deref(), Some("invalid"));
        let b: ApiErrorBody = serde_json::from_value(json!([1, 2])).unwrap();
        assert_eq!(b, ApiErrorBody::default());
    }

    #[test]
    fn statuses_map_to_variants() {
        let e = |code: u16, h: &[(&'static str, &str)], msg: &str| {
            from_response(
                "op",
                StatusCode::from_u16(code).unwrap(),
                &headers(h),
                ApiErrorBody { message: Some(msg.into()), ..Default::default() },
            )
        };
        assert!(matches!(e(404, &[], ""), Error::NotFound(_)));
        assert!(matches!(e(409, &[], ""), Error::Conflict(_)));
        assert!(matches!(e(422, &[], ""), Error::ValidationFailed(_)));
        assert!(matches!(e(401, &[], ""), Error::Unauthorized(_)));
        assert!(matches!(e(403, &[], ""), Error::Forbidden(_)));
        assert!(matches!(e(503, &[], ""), Error::Api(_)));
        match e(403, &[("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", "1700000000")], "API rate limit exceeded")
        {
            Error::RateLimited { kind: RateLimitKind::Primary, reset_at: Some(t), .. } => {
                assert_eq!(t.timestamp(), 1_700_000_000)
            }
            other => panic!("{other:?}"),
        }
        match e(403, &[("retry-after", "30")], "") {
            Error::RateLimited { kind: RateLimitKind::Secondary, retry_after: Some(d), .. } => {
                assert_eq!(d, Duration::from_secs(30))
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            e(403, &[], "You have exceeded a secondary rate limit"),
            Error::RateLimited { kind: RateLimitKind::Secondary, retry_after: None, .. }
        ));
        let err = e(403, &[], "");
        assert!(err.to_string().contains("forbidden"), "{err}");
    }

    #[test]
    fn messages_name_the_operation_request_id_and_field_errors() {
        let mut h = headers(&[("x-github-request-id", "ABCD:1234")]);
        h.insert("content-type", "application/json".parse().unwrap());
        let err = from_response(
            "actions/generate-runner-jitconfig-for-org",
            StatusCode::UNPROCESSABLE_ENTITY,
            &h,
            ApiErrorBody {
                message: Some("Validation Failed".into()),
                errors: vec![FieldError {
                    field: Some("labels".into()),
                    code: Some("invalid".into()),
                    ..Default::default()
                }],
                ..Default::default()
            },
        );
        let text = err.to_string();
        assert!(text.contains("actions/generate-runner-jitconfig-for-org returned 422"), "{text}");
        assert!(text.contains("request id ABCD:1234"), "{text}");
        assert!(text.contains("labels invalid"), "{text}");
    }
}
