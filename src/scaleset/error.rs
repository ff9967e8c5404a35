//! The errors of the scale-set client: what the Actions service, runner
//! registration and the message queue answer, typed by what a listener
//! does next.

use super::MessageError;

/// What went wrong in a scale-set call.
///
/// Nothing here quotes a credential: error bodies are shown with secret
/// fields redacted, and bodies that cannot be redacted are withheld.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Getting the registration token from GitHub's REST API failed (the
    /// first step of connecting to the Actions service).
    #[error("registration token for the scale-set connection: {0}")]
    GitHub(#[source] Box<crate::Error>),
    /// Runner registration refused the registration token, or answered
    /// something that is not a connection (status 0: no answer).
    #[error(
        "runner registration failed (status {status}): {message}. Check that the token may administer runners of this scope, and that the scope's URL is right"
    )]
    Registration {
        /// The status of the answer, 0 if none came.
        status: u16,
        /// What went wrong.
        message: String,
    },
    /// 409 to opening a session: another listener holds the scale set's
    /// session. Wait and try again: the service ends a session its holder
    /// stops refreshing.
    #[error("scale set {scale_set_id}: another listener holds its session ({message}); try again later")]
    SessionConflict {
        /// The scale set.
        scale_set_id: i64,
        /// The service's message.
        message: String,
    },
    /// The scale set does not exist (404, or no scale set of that name).
    #[error("{operation}: scale set {scale_set} not found: {message}")]
    ScaleSetNotFound {
        /// The operation.
        operation: &'static str,
        /// Its id, or its name.
        scale_set: String,
        /// The service's message.
        message: String,
    },
    /// The session is gone (404 to a session or queue call): deleted, or
    /// ended by the service. Open a new one.
    #[error("{operation}: the session is gone: {message}; open a new session")]
    SessionGone {
        /// The operation.
        operation: &'static str,
        /// The service's message.
        message: String,
    },
    /// 401 that renewing did not cure: the credential named expired or was
    /// revoked.
    #[error("{operation}: the {credential} was refused after renewal: {message}")]
    TokenExpired {
        /// The operation.
        operation: &'static str,
        /// Which credential (`Actions service admin token`, `message queue token`, ...).
        credential: &'static str,
        /// The service's message.
        message: String,
    },
    /// The service did not answer, or answered 429 or 5xx after the
    /// retries: try again later.
    #[error("{operation}: the Actions service is unavailable ({}): {message}", status.map_or("no answer".to_string(), |s| format!("status {s}")))]
    Unavailable {
        /// The operation.
        operation: &'static str,
        /// The status of the last answer, if one came.
        status: Option<u16>,
        /// What happened.
        message: String,
    },
    /// Any other error answer.
    #[error("{operation}: status {status}{}: {message}", type_name.as_ref().map(|t| format!(" ({t})")).unwrap_or_default())]
    Api {
        /// The operation.
        operation: &'static str,
        /// The status.
        status: u16,
        /// The service's exception name (`typeName`), if any.
        type_name: Option<String>,
        /// The service's message.
        message: String,
    },
    /// A success answer that does not decode; `body` is its start, secrets
    /// redacted.
    #[error("{operation}: the answer does not decode: {reason}; body starts with: {body}")]
    Decode {
        /// The operation.
        operation: &'static str,
        /// Why.
        reason: String,
        /// The first bytes of the body, secrets redacted.
        body: String,
    },
    /// A response body larger than the limit
    /// ([`crate::ClientBuilder::max_response_bytes`]); refused unread. No
    /// retry cures it.
    #[error("{operation}: the response body exceeds the limit of {limit} bytes; it was not read")]
    ResponseTooLarge {
        /// The operation.
        operation: &'static str,
        /// The limit in force.
        limit: u64,
    },
    /// A message whose body cannot be read.
    #[error(transparent)]
    Message(#[from] MessageError),
    /// Input refused before anything was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument.
        field: &'static str,
        /// What is wrong.
        reason: String,
    },
}

impl Error {
    /// Whether a later attempt may succeed without changing anything:
    /// the service was unavailable, or another listener holds the session.
    ///
    /// A failure of GitHub's own API while connecting (its outage, its rate
    /// limit) counts too.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Unavailable { .. } | Error::SessionConflict { .. } => true,
            Error::GitHub(e) => github_transient(e),
            _ => false,
        }
    }

    /// The status the transport's made-up answer carries when renewing the
    /// admin token failed: the status of GitHub's or the registration's
    /// answer, 503 for no answer, 0 for a refusal made here (a service URL
    /// refused).
    pub(crate) fn renewal_status(&self) -> u16 {
        match self {
            Error::Registration { status, .. } => *status,
            Error::Unavailable { status, .. } => status.unwrap_or(503),
            Error::GitHub(e) if github_transient(e) => e.status().filter(|s| *s >= 429).unwrap_or(503),
            Error::GitHub(e) => e.status().unwrap_or(0),
            _ => 0,
        }
    }

    /// Converts an error of the generated scale-set client
    /// ([`ScaleSets::raw`](super::ScaleSets::raw)) for `operation` (the
    /// description's operationId) into this [`Error`], redacting secrets
    /// as every error of the facade does.
    pub async fn from_raw<E: serde::Serialize>(operation: &'static str, err: progenitor_client::Error<E>) -> Error {
        from_generated(operation, Subject { scale_set_id: None }, err).await
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput { field, reason: reason.into() }
    }
}

/// Whether an error of GitHub's REST API may pass by itself: no answer, a
/// rate limit, a 5xx.
fn github_transient(e: &crate::Error) -> bool {
    matches!(e, crate::Error::Transport { .. } | crate::Error::Timeout { .. } | crate::Error::RateLimited { .. })
        || e.status().is_some_and(|s| s >= 500)
}

impl From<crate::Error> for Error {
    fn from(e: crate::Error) -> Self {
        match e {
            crate::Error::InvalidInput { field, reason } => Error::InvalidInput { field, reason },
            other => Error::GitHub(Box::new(other)),
        }
    }
}

/// The body of an error answer: `{typeName, message}` (or the transport's
/// `{message}` for a body that was not JSON).
#[derive(Debug, Default, serde::Deserialize)]
struct ErrorBody {
    #[serde(rename = "typeName")]
    type_name: Option<String>,
    message: Option<String>,
}

/// What the operation's subject is, for [`Error::ScaleSetNotFound`].
pub(crate) struct Subject {
    pub scale_set_id: Option<i64>,
}

/// Maps what the generated scale-set client returns into [`Error`].
pub(crate) async fn from_generated<E: serde::Serialize>(
    operation: &'static str,
    subject: Subject,
    err: progenitor_client::Error<E>,
) -> Error {
    use progenitor_client::Error as G;
    let (status, headers, bytes) = match err {
        G::InvalidRequest(reason) => return Error::invalid("request", reason),
        G::CommunicationError(e) | G::ResponseBodyError(e) | G::InvalidUpgrade(e) => {
            let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&e);
            while let Some(c) = cause {
                if let Some(too_large) = c.downcast_ref::<crate::transport::BodyTooLarge>() {
                    return Error::ResponseTooLarge { operation, limit: too_large.limit };
                }
                cause = c.source();
            }
            let message = if e.is_timeout() { "timed out".to_string() } else { transport_message(e) };
            return Error::Unavailable { operation, status: None, message };
        }
        G::InvalidResponsePayload(bytes, source) => {
            let shown = crate::secret::ShownBody::of(&bytes, 300);
            let reason = shown.clean(&source.to_string());
            return Error::Decode { operation, reason, body: shown.text };
        }
        G::Custom(reason) => return Error::Api { operation, status: 0, type_name: None, message: reason },
        G::ErrorResponse(rv) => {
            let status = rv.status();
            let headers = rv.headers().clone();
            let bytes = serde_json::to_vec(&rv.into_inner()).unwrap_or_default();
            (status, headers, bytes)
        }
        G::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(bytes) => (status, headers, bytes.to_vec()),
                Err(e) => {
                    return Error::Unavailable {
                        operation,
                        status: Some(status.as_u16()),
                        message: transport_message(e),
                    };
                }
            }
        }
    };
    let body: ErrorBody = serde_json::from_slice(&bytes).unwrap_or_default();
    let mut message = body.message.unwrap_or_default();
    if crate::secret::may_hold_credential(&message) {
        message = crate::secret::WITHHELD_TEXT.to_string();
    }
    let code = status.as_u16();
    if let Some(refused) = headers.get(super::transport::RENEWAL_FAILED_HEADER) {
        let status: u16 = refused.to_str().ok().and_then(|s| s.parse().ok()).unwrap_or(0);
        // GitHub's outage or rate limit while renewing passes by itself.
        if status == 429 || status >= 500 {
            return Error::Unavailable { operation: "runner-registration/create", status: Some(status), message };
        }
        return Error::Registration { status, message };
    }
    let scale_set = || subject.scale_set_id.map(|id| id.to_string()).unwrap_or_default();
    match (code, operation) {
        (409, "sessions/create") => Error::SessionConflict { scale_set_id: subject.scale_set_id.unwrap_or(0), message },
        (404, "sessions/refresh" | "sessions/delete" | "messages/get" | "messages/delete") => {
            Error::SessionGone { operation, message }
        }
        (404, op) if op.starts_with("scale-sets/") || op == "sessions/create" || op == "jobs/acquire" => {
            Error::ScaleSetNotFound { operation, scale_set: scale_set(), message }
        }
        (401, "runner-registration/create") | (403, "runner-registration/create") => {
            Error::Registration { status: code, message }
        }
        (401, op) => {
            let credential = super::transport::operation_credential(op).map(|k| k.describe()).unwrap_or("credential");
            Error::TokenExpired { operation, credential, message }
        }
        (429 | 500..=599, _) => Error::Unavailable { operation, status: Some(code), message },
        _ => Error::Api { operation, status: code, type_name: body.type_name, message },
    }
}

/// A transport failure's chain of causes, without the URL (a queue URL may
/// carry a query the service reads as a credential).
fn transport_message(e: reqwest::Error) -> String {
    let e = e.without_url();
    let mut text = e.to_string();
    let mut cause = std::error::Error::source(&e);
    while let Some(c) = cause {
        text.push_str(": ");
        text.push_str(&c.to_string());
        cause = c.source();
    }
    text
}
