//! The one error type of the crate, and the decoding of GitHub's error
//! responses into it.

use chrono::{DateTime, Utc};
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
    /// 422 to a runner deletion: the runner is running a job ("... is still
    /// running a job"). Retry after the job ends, or take the runner out of
    /// rotation first; nothing was deleted.
    #[error("{0}: the runner is running a job and cannot be deleted now; delete it once the job has finished")]
    RunnerBusy(Box<ApiError>),
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
    ///
    /// Neither the body nor the reason shows a secret: the values of every
    /// field in [`crate::SECRET_FIELDS`] are replaced, and a body that is
    /// not JSON but could hold one is withheld.
    #[error("{operation}: the response{} does not decode: {source}; body starts with: {body}", status.map(|s| format!(" (status {s})")).unwrap_or_default())]
    Decode {
        /// The operation.
        operation: &'static str,
        /// The status, where known.
        status: Option<u16>,
        /// The first bytes of the body (at most 300), secrets redacted.
        body: String,
        /// Why it does not decode.
        #[source]
        source: DecodeError,
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
    /// Authentication as a GitHub App failed: GitHub refused the App's JWT,
    /// the App or installation is suspended or gone, or GitHub did not
    /// issue a token after the retries (see [`AppAuthFailure`]). Nothing
    /// else was sent.
    #[error("{operation}: {message}")]
    AppAuth {
        /// The operation that needed the token.
        operation: &'static str,
        /// What went wrong, and so what to do.
        kind: AppAuthFailure,
        /// The status of the token request's answer, if one came.
        status: Option<u16>,
        /// The App, the installation, what happened and what to do.
        message: String,
    },
    /// A response body was larger than the configured limit
    /// ([`crate::ClientBuilder::max_response_bytes`]); it was refused
    /// without being read into memory.
    #[error("{operation}: the response body{} exceeds the limit of {limit} bytes; it was not read. If the server is GitHub, raise ClientBuilder::max_response_bytes; otherwise check the base URL and any proxy", declared.map(|d| format!(" ({d} bytes announced)")).unwrap_or_default())]
    ResponseTooLarge {
        /// The operation.
        operation: &'static str,
        /// The limit in force.
        limit: u64,
        /// The `Content-Length` the server announced, if any.
        declared: Option<u64>,
    },
    /// A list's pages did not add up (a `next` page that does not advance,
    /// or runs past what `total_count` allows): the stream ended here
    /// instead of fetching forever.
    #[error(
        "page {page}: {reason}. The server's pagination is inconsistent; the items of the pages before it were delivered"
    )]
    Pagination {
        /// The page whose answer was inconsistent.
        page: u32,
        /// What was wrong.
        reason: String,
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
    /// The client was configured for a REST API version its deployment does
    /// not serve; nothing was sent.
    #[error("REST API version {version} is not served by {deployment}, which serves {}. Pick one of those with ClientBuilder::api_version, or leave it unset for the newest", supported.join(", "))]
    UnsupportedApiVersion {
        /// The version configured.
        version: String,
        /// The configured deployment.
        deployment: String,
        /// The versions it serves.
        supported: Vec<String>,
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
            | Error::RunnerBusy(e)
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

/// Why a body did not decode ([`Error::Decode`]): serde's reason and
/// position, with any secret value it quoted replaced.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct DecodeError {
    /// The reason, e.g. ``invalid type: string "x", expected i64 at line 1 column 9``.
    pub message: String,
    /// The line of the body where decoding stopped.
    pub line: usize,
    /// The column.
    pub column: usize,
}

impl DecodeError {
    /// The reason for `source`, cleaned of the secrets `shown` found; only
    /// the kind and position when the body was withheld.
    pub(crate) fn new(source: &serde_json::Error, shown: &crate::secret::ShownBody) -> Self {
        let message = if shown.withheld {
            format!(
                "{:?} error at line {} column {} (reason withheld with the body)",
                source.classify(),
                source.line(),
                source.column()
            )
        } else {
            shown.clean(&source.to_string())
        };
        Self { message, line: source.line(), column: source.column() }
    }
}

/// Why GitHub App authentication failed ([`Error::AppAuth`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum AppAuthFailure {
    /// 401 from the token endpoint: GitHub refused the JWT. The app id or
    /// the private key is wrong, or the key was deleted.
    KeyRejected,
    /// 403 from the token endpoint (not a rate limit): the App or the
    /// installation is suspended, or the App may not act for it.
    Suspended,
    /// 404 from the token endpoint: the installation does not exist (the
    /// App was uninstalled, or the id belongs to another App).
    InstallationNotFound,
    /// GitHub did not issue a token after the retries (5xx, timeouts,
    /// connection failures): transient, try again later.
    Unavailable,
    /// Any other answer (an unexpected status, a token that does not
    /// decode), or a JWT that could not be signed.
    Unexpected,
}

impl AppAuthFailure {
    /// The name carried in the transport's marker header.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            AppAuthFailure::KeyRejected => "key-rejected",
            AppAuthFailure::Suspended => "suspended",
            AppAuthFailure::InstallationNotFound => "installation-not-found",
            AppAuthFailure::Unavailable => "unavailable",
            AppAuthFailure::Unexpected => "unexpected",
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Self> {
        [Self::KeyRejected, Self::Suspended, Self::InstallationNotFound, Self::Unavailable, Self::Unexpected]
            .into_iter()
            .find(|k| k.as_str() == name)
    }
}

/// Which rate limit was hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
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

pub(crate) fn wait_advice(reset_at: &Option<DateTime<Utc>>, retry_after: &Option<Duration>) -> String {
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
#[non_exhaustive]
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

impl ApiError {
    /// An error answer of `operation` with `status` and GitHub's `message`
    /// (no documentation link, request id or field errors; set them on the
    /// value): for code that stands in for GitHub, such as a mock of the
    /// client in a downstream test.
    ///
    /// ```
    /// let missing = gha_runners::ApiError::new("actions/get-self-hosted-runner-for-org", 404, "Not Found");
    /// let err = gha_runners::Error::NotFound(Box::new(missing));
    /// assert_eq!(err.status(), Some(404));
    /// ```
    pub fn new(operation: &'static str, status: u16, message: impl Into<String>) -> Self {
        ApiError {
            operation,
            status,
            message: message.into(),
            documentation_url: None,
            request_id: None,
            errors: Vec::new(),
        }
    }
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
#[non_exhaustive]
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
#[non_exhaustive]
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
    /// Reads what it can from any JSON value (secret fields, should an
    /// error body echo a request that had one, are redacted first).
    pub fn from_value(value: &serde_json::Value) -> Self {
        use serde_json::Value;
        let mut redacted = value.clone();
        crate::secret::redact_for_errors(&mut redacted);
        let value = &redacted;
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

/// `": <message>"` of a JSON error body, or nothing.
pub(crate) fn message_of(body: &[u8]) -> String {
    serde_json::from_slice::<serde_json::Value>(body)
        .ok()
        .and_then(|v| ApiErrorBody::from_value(&v).message)
        .filter(|m| !m.is_empty())
        .map(|m| format!(": {}", crate::secret::snippet(m.as_bytes(), 200)))
        .unwrap_or_default()
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
