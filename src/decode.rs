//! Turns what the generated client returns (error responses, transport
//! failures, undecodable bodies) into [`Error`], reading the verdicts the
//! transport left in its marker headers (`x-gha-runners-*`: a JIT outcome,
//! an App token failure, a rate-limit classification).
//!
//! Dependencies run one way: this module uses [`crate::error`] (the type)
//! and [`crate::transport`] (the marker names and the body-size refusal);
//! neither uses it back.

use crate::error::{ApiError, ApiErrorBody, AppAuthFailure, DecodeError, Error, ErrorBody};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

/// Builds the [`Error`] for an error response.
pub(crate) fn from_response(
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    body: ApiErrorBody,
) -> Error {
    let header =
        |name: reqwest::header::HeaderName| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    if let Some(runner_id) = header(crate::transport::JIT_OUTCOME_HEADER).and_then(|v| v.parse().ok()) {
        let name = header(crate::transport::JIT_RUNNER_NAME_HEADER)
            .map(|v| percent_encoding::percent_decode_str(&v).decode_utf8_lossy().into_owned())
            .unwrap_or_default();
        return Error::JitOutcomeUnknown { operation, runner_id, name };
    }
    if let Some(kind) = header(crate::transport::APP_TOKEN_FAILURE_HEADER).and_then(|v| AppAuthFailure::from_name(&v)) {
        let status = header(crate::transport::APP_TOKEN_STATUS_HEADER).and_then(|v| v.parse().ok());
        return Error::AppAuth { operation, kind, status, message: body.message.unwrap_or_default() };
    }
    let api = Box::new(ApiError {
        operation,
        status: status.as_u16(),
        message: body.message.unwrap_or_default(),
        documentation_url: body.documentation_url,
        request_id: header(reqwest::header::HeaderName::from_static("x-github-request-id")),
        errors: body.errors,
    });
    let code = status.as_u16();
    if let Some(limit) = crate::transport::classify_rate_limit(code, headers, api.message.as_bytes()) {
        let (kind, reset_at, retry_after) = (limit.kind, limit.reset_at, limit.retry_after);
        return Error::RateLimited { kind, reset_at, retry_after, error: api };
    }
    match code {
        401 => Error::Unauthorized(api),
        403 => Error::Forbidden(api),
        404 => Error::NotFound(api),
        409 => Error::Conflict(api),
        422 if runner_busy(operation, &api.message) => Error::RunnerBusy(api),
        422 => Error::ValidationFailed(api),
        _ => Error::Api(api),
    }
}

/// Whether a 422 answers the deletion of a runner that is running a job.
fn runner_busy(operation: &str, message: &str) -> bool {
    let deletion = operation.contains("/delete-self-hosted-runner-from-");
    deletion && message.to_ascii_lowercase().contains("still running a job")
}

impl Error {
    /// Converts an error of the generated client ([`crate::Client::raw`])
    /// into this crate's [`Error`], for the operation `operation` (GitHub's
    /// operationId).
    ///
    /// Use it before printing a `raw()` error: progenitor's own `Display`
    /// and `Debug` of `InvalidResponsePayload` print the whole response
    /// body, which for token and JIT config operations holds the secret;
    /// this conversion redacts it like every error of the facade.
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) {
    /// let op = "actions/create-registration-token-for-org";
    /// match github.raw().actions_create_registration_token_for_org("octo-org").await {
    ///     Ok(token) => println!("expires {}", token.expires_at),
    ///     Err(e) => eprintln!("{}", gha_runners::Error::from_raw(op, e).await),
    /// }
    /// # }
    /// ```
    pub async fn from_raw<E: ErrorBody>(operation: &'static str, err: progenitor_client::Error<E>) -> Error {
        from_generated(operation, err).await
    }
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
            let shown = crate::secret::ShownBody::of(&bytes, 300);
            Error::Decode { operation, status: None, source: DecodeError::new(&source, &shown), body: shown.text }
        }
        G::UnexpectedResponse(response) => {
            let status = response.status();
            let headers = response.headers().clone();
            match response.bytes().await {
                Ok(bytes) => {
                    let body = serde_json::from_slice::<serde_json::Value>(&bytes)
                        .map(|v| ApiErrorBody::from_value(&v))
                        .unwrap_or_else(|_| ApiErrorBody {
                            message: Some(crate::secret::ShownBody::of(&bytes, 300).text),
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
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&source);
    while let Some(c) = cause {
        if let Some(too_large) = c.downcast_ref::<crate::transport::BodyTooLarge>() {
            return Error::ResponseTooLarge { operation, limit: too_large.limit, declared: too_large.declared };
        }
        cause = c.source();
    }
    if source.is_timeout() {
        Error::Timeout { operation, source }
    } else {
        Error::Transport { operation, source: source.without_url() }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn only_a_deletions_busy_422_is_runner_busy() {
        let del = "actions/delete-self-hosted-runner-from-org";
        assert!(runner_busy(del, "Bad request - Runner \"r\" is still running a job"));
        assert!(runner_busy("enterprise-admin/delete-self-hosted-runner-from-enterprise", "STILL RUNNING A JOB"));
        assert!(!runner_busy(del, "Validation Failed"), "another 422 of a deletion");
        assert!(!runner_busy("actions/add-custom-labels-to-self-hosted-runner-for-org", "still running a job"));
    }

    use super::*;
    use crate::error::*;
    use serde_json::json;
    use std::time::Duration;

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
