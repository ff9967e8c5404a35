//! The fault matrix of a hostile server or proxy: secrets in undecodable
//! bodies, server-dictated waits, pagination that does not advance, bodies
//! too large for memory, GitHub App token failures, lost DELETE answers.
//! Every case asserts the outcome, the exact number of requests the server
//! saw, and (through a virtual clock) how long the client waited.
//! Path safety is in `path_safety.rs`; secrets in Display, Debug and TRACE
//! logs in `secret_logs.rs` (alone in its binary, as tracing's per-thread
//! subscribers are).

mod support;

use futures::TryStreamExt;
use gha_runners::testkit::FakeGitHub;
use gha_runners::transport::{Clock, GitHubApp, RateLimitPolicy, RetryPolicy, VirtualClock};
use gha_runners::types::JitConfigRequest;
use gha_runners::{AppAuthFailure, Client, Error, RateLimitKind};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;
use support::loopback::{Loopback, Reply, Step};

const TOKEN: &str = "ghp_hostileSecret";

fn client(server: &Loopback, clock: &VirtualClock) -> Client {
    Client::builder().base_url(&server.base_url).token(TOKEN).clock(clock.clone()).build().unwrap()
}

fn error(status: u16, headers: &[(&str, &str)], message: &str) -> Reply {
    let mut r = Reply::json(status, &json!({"message": message}));
    r.headers.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    r
}

fn doc(id: &str) -> Value {
    support::spec::doc_fixture(id)
}

// ---------------------------------------------------------------- secrets

#[tokio::test]
async fn a_truncated_secret_body_is_withheld_not_shown() {
    let mut r = Reply::json(201, &json!({}));
    r.body = br#"{"token": "SEKRET-truncated", "expires_at": "2026-"#.to_vec();
    let server = Loopback::start(vec![r]).await;
    let err = client(&server, &VirtualClock::new()).org("o").runners().remove_token().await.unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(matches!(err, Error::Decode { .. }) && !text.contains("SEKRET"), "{text}");
    assert!(text.contains("withheld"), "{text}");
}

#[tokio::test]
async fn an_error_body_echoing_a_secret_field_is_redacted() {
    let server = Loopback::start(vec![
        Reply::json(422, &json!({"message": "Validation Failed", "errors": [[{"token": "SEKRET-echo"}]]})),
        Reply { status: 502, headers: vec![], body: br#"<html>{"token":"SEKRET-proxy"#.to_vec() },
    ])
    .await;
    let c =
        Client::builder().base_url(&server.base_url).token(TOKEN).retry_policy(RetryPolicy::none()).build().unwrap();
    let a = c.org("o").runners().registration_token().await.unwrap_err();
    let b = c.org("o").runners().registration_token().await.unwrap_err();
    for e in [a, b] {
        let text = format!("{e} {e:?}");
        assert!(!text.contains("SEKRET"), "{text}");
    }
}

// ------------------------------------------------------------------ waits

#[tokio::test]
async fn a_server_dictated_wait_above_the_ceiling_returns_at_once() {
    for retry_after in ["86400", "301", "18446744073709551615"] {
        let clock = VirtualClock::new();
        let server = Loopback::start(vec![error(403, &[("retry-after", retry_after)], "slow down")]).await;
        let err = client(&server, &clock).org("o").runners().delete(1).await.unwrap_err();
        match &err {
            Error::RateLimited { kind: RateLimitKind::Secondary, retry_after: Some(d), .. } => {
                assert_eq!(d.as_secs().to_string(), retry_after)
            }
            other => panic!("{retry_after}: {other:?}"),
        }
        assert_eq!(server.requests().len(), 1, "{retry_after}");
        assert_eq!(clock.waited(), Duration::ZERO, "{retry_after}: no wait");
    }
}

#[tokio::test]
async fn waits_within_the_ceiling_are_taken_and_the_ceiling_is_configurable() {
    let clock = VirtualClock::new();
    let server = Loopback::start(vec![
        error(429, &[("retry-after", "120")], "slow down"),
        error(429, &[("retry-after", "120")], "slow down"),
    ])
    .await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::default().max_wait(Duration::from_secs(90)))
        .build()
        .unwrap();
    let err = c.org("o").runners().delete(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { .. }), "{err:?}");
    assert_eq!((server.requests().len(), clock.waited()), (1, Duration::ZERO), "120 s > 90 s ceiling");

    let clock = VirtualClock::new();
    let server = Loopback::start(vec![
        error(403, &[], "You have exceeded a secondary rate limit"),
        error(403, &[], "You have exceeded a secondary rate limit"),
        error(403, &[], "You have exceeded a secondary rate limit"),
    ])
    .await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::default().max_wait(Duration::from_secs(150)))
        .build()
        .unwrap();
    let err = c.org("o").runners().delete(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Secondary, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 3, "60 s and 120 s taken, 240 s is over 150 s");
    assert_eq!(clock.sleeps(), [Duration::from_secs(60), Duration::from_secs(120)]);
}

#[tokio::test]
async fn primary_exhaustion_with_retry_after_fails_under_the_fail_policy() {
    let clock = VirtualClock::new();
    let reset = (chrono::Utc::now() + chrono::Duration::seconds(30)).timestamp().to_string();
    let headers = [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset.as_str()), ("retry-after", "30")];
    let server = Loopback::start(vec![error(403, &headers, "API rate limit exceeded")]).await;
    let err = client(&server, &clock).org("o").runners().get(1).await.unwrap_err();
    match err {
        Error::RateLimited { kind: RateLimitKind::Primary, retry_after, reset_at, .. } => {
            assert_eq!(retry_after, Some(Duration::from_secs(30)));
            assert!(reset_at.is_some());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!((server.requests().len(), clock.waited()), (1, Duration::ZERO));
}

#[tokio::test]
async fn a_primary_reset_beyond_the_ceiling_is_not_waited_for_even_under_wait() {
    let clock = VirtualClock::new();
    let reset = (clock.now() + chrono::Duration::minutes(50)).timestamp().to_string();
    let headers = [("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset.as_str())];
    let server = Loopback::start(vec![error(403, &headers, "API rate limit exceeded")]).await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .rate_limit_policy(RateLimitPolicy::Wait { max_wait: Duration::from_secs(3600) })
        .build()
        .unwrap();
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Primary, .. }), "{err:?}");
    assert_eq!((server.requests().len(), clock.waited()), (1, Duration::ZERO), "50 min > the 5 min ceiling");
}

#[tokio::test]
async fn a_rate_limit_message_without_headers_is_still_a_rate_limit() {
    let server = Loopback::start(vec![error(403, &[], "API rate limit exceeded for 10.0.0.1.")]).await;
    let err = client(&server, &VirtualClock::new()).org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Primary, reset_at: None, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 1);
}

/// A clock whose waits last until the test opens a gate.
#[derive(Debug, Clone, Default)]
struct GatedClock {
    gate: Arc<tokio::sync::Notify>,
    waiting: Arc<std::sync::atomic::AtomicUsize>,
}

impl Clock for GatedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::Utc::now()
    }
    fn sleep(&self, _: Duration) -> futures::future::BoxFuture<'static, ()> {
        let (gate, waiting) = (self.gate.clone(), self.waiting.clone());
        Box::pin(async move {
            waiting.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            gate.notified().await;
        })
    }
}

#[tokio::test]
async fn a_waiting_mutation_does_not_hold_the_pacing_permit() {
    let clock = GatedClock::default();
    // A backoff after a 503 (a rate limit would hold every request of the
    // credential: the gate, tested in tests/transport.rs).
    let server = Loopback::start(vec![
        error(503, &[], "unavailable"),
        Reply { status: 204, headers: vec![], body: vec![] },
        Reply { status: 204, headers: vec![], body: vec![] },
    ])
    .await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .mutation_interval(Duration::ZERO)
        .build()
        .unwrap();
    let first = tokio::spawn({
        let c = c.clone();
        async move { c.org("o").runners().delete(1).await }
    });
    while clock.waiting.load(std::sync::atomic::Ordering::SeqCst) == 0 {
        tokio::task::yield_now().await;
    }
    // The first DELETE is waiting out its backoff: another goes through.
    tokio::time::timeout(Duration::from_secs(10), c.org("o").runners().delete(2))
        .await
        .expect("the second mutation was blocked by the waiting one")
        .unwrap();
    clock.gate.notify_one();
    first.await.unwrap().unwrap();
    let lines: Vec<String> = server.requests().into_iter().map(|r| r.request_line).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("/runners/2") && lines[2].contains("/runners/1"), "{lines:?}");
}

// ------------------------------------------------------------- pagination

fn runners_page(n: usize, total: u64, next: Option<u32>, base: &str) -> Reply {
    let runner = doc("actions/get-self-hosted-runner-for-org.200.default");
    let mut r = Reply::json(200, &json!({"total_count": total, "runners": vec![runner; n]}));
    if let Some(p) = next {
        r.headers.push(("link".into(), format!("<{base}/orgs/o/actions/runners?per_page=100&page={p}>; rel=\"next\"")));
    }
    r
}

#[tokio::test]
async fn pagination_that_does_not_advance_ends_the_stream_with_an_error() {
    // Whatever the bad next page, the stream ends after the page that named it.
    for (bad_next, total) in [(1u32, 1000u64), (2, 1000), (9, 1000), (3, 50)] {
        let server = Loopback::start(vec![]).await;
        let base = server.base_url.clone();
        let server = Loopback::with_fallback(
            vec![Step::Reply(runners_page(100, total, Some(2), &base))],
            runners_page(100, total, Some(bad_next), &base),
        )
        .await;
        let c = client(&server, &VirtualClock::new());
        let mut stream = c.org("o").runners().list(Default::default());
        let mut items = 0;
        let err = loop {
            match tokio::time::timeout(Duration::from_secs(10), stream.try_next()).await.expect("the stream hangs") {
                Ok(Some(_)) => items += 1,
                Ok(None) => panic!("{bad_next}: the stream ended without an error"),
                Err(e) => break e,
            }
        };
        assert!(matches!(err, Error::Pagination { page: 2, .. }), "{bad_next}: {err:?}");
        assert_eq!(items, 100, "{bad_next}: the items of the consistent pages were delivered");
        assert_eq!(server.requests().len(), 2, "{bad_next}");
        assert!(stream.try_next().await.unwrap().is_none(), "{bad_next}: the stream is over");
    }
}

// ----------------------------------------------------------- body limits

#[tokio::test]
async fn a_huge_body_is_refused_without_being_buffered() {
    const HUGE: u64 = 256 << 20;
    for declare in [false, true] {
        let server = Loopback::script(vec![Step::Huge { status: 200, total: HUGE, declare }]).await;
        let err = client(&server, &VirtualClock::new()).org("o").runners().get(1).await.unwrap_err();
        match &err {
            Error::ResponseTooLarge { limit, declared, .. } => {
                assert_eq!(*limit, gha_runners::transport::DEFAULT_MAX_RESPONSE_BYTES);
                assert_eq!(*declared, declare.then_some(HUGE));
            }
            other => panic!("declare {declare}: {other:?}"),
        }
        assert_eq!(server.requests().len(), 1, "not retried");
        // The server could write no more than the limit plus what socket
        // buffers hold before the client hung up: far from 256 MiB.
        tokio::time::sleep(Duration::from_millis(200)).await;
        let written = server.body_bytes_written.load(std::sync::atomic::Ordering::SeqCst);
        assert!(written < 48 << 20, "declare {declare}: {written} bytes written");
        if declare {
            assert!(written < 24 << 20, "announced too large: refused before reading ({written})");
        }
    }
}

#[tokio::test]
async fn the_body_limit_is_configurable_and_applies_to_error_bodies() {
    let server = Loopback::script(vec![
        Step::Reply(Reply::json(200, &doc("actions/get-self-hosted-runner-for-org.200.default"))),
        Step::Huge { status: 502, total: 10_000, declare: false },
    ])
    .await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .max_response_bytes(4_096)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    c.org("o").runners().get(1).await.expect("a real runner fits in 4 KiB");
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { limit: 4_096, declared: None, .. }), "{err:?}");
    assert!(err.to_string().contains("max_response_bytes"), "{err}");
}

// -------------------------------------------------------- App tokens

fn rsa_key() -> String {
    std::fs::read_to_string(support::spec::root().join("tests/fixtures/keys/test-app-rsa.pem")).unwrap()
}

fn app_client(server: &Loopback, clock: &VirtualClock) -> Client {
    let app = GitHubApp::new("12345", rsa_key(), 42);
    Client::builder().base_url(&server.base_url).github_app(app).clock(clock.clone()).cache_capacity(0).build().unwrap()
}

fn installation_token() -> Reply {
    let expires = (chrono::Utc::now() + chrono::Duration::minutes(60)).to_rfc3339();
    Reply::json(201, &json!({"token": "ghs_installation", "expires_at": expires}))
}

#[tokio::test]
async fn a_transient_token_endpoint_failure_is_retried() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Reply(error(503, &[], "unavailable")),
        Step::Close,
        Step::Reply(installation_token()),
        Step::Reply(Reply::json(200, &doc("actions/get-self-hosted-runner-for-org.200.default"))),
    ])
    .await;
    let c = app_client(&server, &clock);
    c.org("o").runners().get(1).await.unwrap();
    let lines: Vec<String> = server.requests().into_iter().map(|r| r.request_line).collect();
    assert_eq!(lines.iter().filter(|l| l.contains("/access_tokens")).count(), 3, "{lines:?}");
    assert_eq!(lines.len(), 4);
    assert_eq!(clock.sleeps().len(), 2, "a backoff before each retry");
}

#[tokio::test]
async fn a_definitive_token_refusal_says_which() {
    for (status, kind, says) in [
        (401, AppAuthFailure::KeyRejected, "private key"),
        (403, AppAuthFailure::Suspended, "suspended"),
        (404, AppAuthFailure::InstallationNotFound, "uninstalled"),
    ] {
        let server = Loopback::start(vec![error(status, &[], "nope")]).await;
        let err = app_client(&server, &VirtualClock::new()).org("o").runners().get(1).await.unwrap_err();
        match &err {
            Error::AppAuth { kind: k, status: s, .. } => assert_eq!((*k, *s), (kind, Some(status))),
            other => panic!("{status}: {other:?}"),
        }
        let text = err.to_string();
        assert!(text.contains(says) && text.contains("12345") && text.contains("42"), "{text}");
        assert!(!text.contains("create a new one"), "{text}");
        assert_eq!(server.requests().len(), 1, "{status}: a refusal is not retried, nothing else is sent");
    }
}

#[tokio::test]
async fn an_outage_of_the_token_endpoint_is_unavailable_and_shared_by_waiting_callers() {
    let clock = VirtualClock::new();
    let server = Loopback::always(error(502, &[], "bad gateway")).await;
    let c = app_client(&server, &clock);
    let calls = (0..8).map(|i| {
        let c = c.clone();
        async move { c.org("o").runners().get(i).await }
    });
    let results = futures::future::join_all(calls).await;
    for r in results {
        match r {
            Err(Error::AppAuth { kind: AppAuthFailure::Unavailable, status: Some(502), .. }) => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(server.requests().len(), 3, "one renewal round of 3 attempts, shared by all 8 callers");
    assert_eq!(c.app_token_requests(), Some(3));
    // Right after, the failure answers for itself; ten seconds on, a new round.
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::AppAuth { kind: AppAuthFailure::Unavailable, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 3, "no new round within the cooldown");
    clock.sleep(Duration::from_secs(10)).await;
    let _ = c.org("o").runners().get(1).await;
    assert_eq!(server.requests().len(), 6);
}

#[tokio::test]
async fn a_token_that_has_not_expired_is_used_when_its_renewal_fails() {
    let clock = VirtualClock::new();
    let expires = (chrono::Utc::now() + chrono::Duration::minutes(3)).to_rfc3339();
    let runner = || Step::Reply(Reply::json(200, &doc("actions/get-self-hosted-runner-for-org.200.default")));
    let server = Loopback::script(vec![
        Step::Reply(Reply::json(201, &json!({"token": "ghs_short", "expires_at": expires}))),
        runner(),
        Step::Reply(error(503, &[], "unavailable")),
        Step::Reply(error(503, &[], "unavailable")),
        Step::Reply(error(503, &[], "unavailable")),
        runner(),
    ])
    .await;
    let c = app_client(&server, &clock);
    c.org("o").runners().get(1).await.unwrap();
    c.org("o").runners().get(1).await.expect("the 3-minute token still works");
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    assert_eq!(requests[5].header("authorization"), Some("Bearer ghs_short"));
}

#[tokio::test]
async fn a_rate_limit_in_a_body_that_is_not_json_is_classified_once() {
    let mut page = vec![b' '; 400];
    page.extend_from_slice(b"<html>API rate limit exceeded</html>");
    let server = Loopback::start(vec![Reply { status: 403, headers: vec![], body: page }]).await;
    let err = client(&server, &VirtualClock::new()).org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Primary, .. }), "{err:?}");
}

#[tokio::test]
async fn a_proxy_cannot_fake_the_transports_own_outcomes() {
    let server = Loopback::start(vec![
        error(409, &[("x-gha-runners-jit-outcome", "5"), ("x-gha-runners-jit-runner-name", "victim")], "taken"),
        error(403, &[("x-gha-runners-app-token-failure", "suspended")], "no"),
    ])
    .await;
    let c = client(&server, &VirtualClock::new());
    let err = c.org("o").runners().jit_config(&JitConfigRequest::new("r", ["self-hosted"])).await.unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "{err:?}");
    let server = Loopback::start(vec![
        error(403, &[("x-gha-runners-rate-limit", "primary")], "Resource not accessible"),
        error(404, &[("x-gha-runners-deleted-earlier", "404-after-lost-answer")], "Not Found"),
    ])
    .await;
    let c = client(&server, &VirtualClock::new());
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Forbidden(_)), "a faked rate-limit verdict: {err:?}");
    let err = c.org("o").runners().delete(1).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "a faked deletion: {err:?}");
}

#[tokio::test]
async fn only_a_no_content_delete_turns_a_404_after_a_lost_answer_into_success() {
    // Removing a label answers 200 with the remaining labels: a 404 after a
    // lost answer cannot be read as success there.
    let server = Loopback::script(vec![Step::Close, Step::Reply(error(404, &[], "Not Found"))]).await;
    let err = client(&server, &VirtualClock::new()).org("o").runners().remove_label(1, "gpu").await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
    assert_eq!(server.requests().len(), 2);
    // A 503 is an answer, not a lost one.
    let server =
        Loopback::script(vec![Step::Reply(error(503, &[], "down")), Step::Reply(error(404, &[], "Not Found"))]).await;
    let err = client(&server, &VirtualClock::new()).org("o").runners().delete(1).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn the_fake_checks_jwts_and_accepts_the_tokens_it_issues() {
    let public =
        std::fs::read_to_string(support::spec::root().join("tests/fixtures/keys/test-app-rsa.pub.pem")).unwrap();
    let fake = FakeGitHub::builder().org("o").github_app("12345", &public).start().await;
    let app = |id: &str| GitHubApp::new(id, rsa_key(), 42);
    let c = Client::builder().base_url(fake.base_url()).github_app(app("12345")).build().unwrap();
    c.org("o")
        .runners()
        .list_page(&Default::default(), Default::default())
        .await
        .expect("the issued token is accepted");
    let wrong_issuer = Client::builder().base_url(fake.base_url()).github_app(app("999")).build().unwrap();
    let err = wrong_issuer.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::AppAuth { kind: AppAuthFailure::KeyRejected, .. }), "{err:?}");
    // A well-formed JWT for the right App, signed by no key the fake knows.
    let b64 = |v: Value| {
        use std::fmt::Write;
        let bytes = v.to_string().into_bytes();
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                let _ = out.write_char(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    };
    let now = chrono::Utc::now().timestamp();
    let forged = format!(
        "{}.{}.{}",
        b64(json!({"alg": "RS256", "typ": "JWT"})),
        b64(json!({"iat": now - 60, "exp": now + 500, "iss": "12345"})),
        b64(json!("not a signature"))
    );
    gha_runners::install_crypto_provider();
    let status = reqwest::Client::new()
        .post(format!("{}/app/installations/42/access_tokens", fake.base_url()))
        .bearer_auth(forged)
        .header("user-agent", "test")
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, 401, "a JWT whose signature does not verify is refused");
    let fake_jwt = Client::builder().base_url(fake.base_url()).token("a.b.c").build().unwrap();
    let err = fake_jwt.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Unauthorized(_)), "a three-part bearer is no credential: {err:?}");
}

// ------------------------------------------------------ lost answers

#[tokio::test]
async fn a_delete_whose_answer_was_lost_and_then_404s_succeeds() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![Step::Close, Step::Reply(error(404, &[], "Not Found"))]).await;
    client(&server, &clock).org("o").runners().delete(5).await.expect("deleted by the first attempt");
    assert_eq!(server.requests().len(), 2);
    // Without a lost answer a 404 is a 404.
    let server = Loopback::start(vec![error(404, &[], "Not Found")]).await;
    let err = client(&server, &clock).org("o").runners().delete(5).await.unwrap_err();
    assert!(matches!(err, Error::NotFound(_)), "{err:?}");
}

#[tokio::test]
async fn a_jit_outcome_keeps_a_non_ascii_runner_name() {
    let name = "büild-ランナー-1";
    let runner = json!({"id": 77, "name": name, "os": "linux", "status": "offline", "busy": false, "labels": []});
    let server = Loopback::script(vec![
        Step::Close,
        Step::Reply(Reply::json(200, &json!({"total_count": 1, "runners": [runner]}))),
    ])
    .await;
    let err = client(&server, &VirtualClock::new())
        .org("o")
        .runners()
        .jit_config(&JitConfigRequest::new(name, ["self-hosted"]))
        .await
        .unwrap_err();
    match err {
        Error::JitOutcomeUnknown { runner_id: 77, name: n, .. } => assert_eq!(n, name),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn repository_clone_tokens_in_generated_types_never_print() {
    let body = doc("apps/create-installation-access-token.201.default");
    let clone = body["repositories"][0]["temp_clone_token"].as_str().unwrap().to_string();
    let token: gha_runners::types::InstallationToken = serde_json::from_value(body).unwrap();
    let repo = &token.repositories[0];
    let shown = format!("{token:?} {}", serde_json::to_string(&token).unwrap());
    assert!(!shown.contains(&clone), "{shown}");
    assert_eq!(repo.temp_clone_token.as_ref().map(|s| s.expose_secret()), Some(clone.as_str()));
}

// -------------------------------------------------------- bodies in pieces

/// A body that arrives in many small chunks is read whole, byte for byte,
/// up to exactly the limit; one byte more is refused; and what the cache
/// kept from a chunked answer is served intact after a 304.
#[tokio::test]
async fn bodies_in_many_chunks_are_read_whole_up_to_exactly_the_limit() {
    let runners: Vec<Value> = (1..=40)
        .map(|i| json!({"id": i, "name": format!("r-{i}"), "os": "linux", "status": "online", "busy": false, "labels": []}))
        .collect();
    let page = json!({"total_count": 40, "runners": runners});
    let body = serde_json::to_vec(&page).unwrap();
    let mut reply = Reply::json(200, &page);
    reply.headers.push(("etag".into(), "W/\"pieces\"".into()));
    let limit = body.len() as u64;
    let not_modified = Reply { status: 304, headers: vec![("etag".into(), "W/\"pieces\"".into())], body: vec![] };
    let server = Loopback::script(vec![
        Step::Chunked(reply.clone(), 7),
        Step::Reply(not_modified),
        Step::Chunked(Reply { body: [body.clone(), b" ".to_vec()].concat(), ..reply }, 13),
    ])
    .await;
    let c = Client::builder().base_url(&server.base_url).token("t").max_response_bytes(limit).build().unwrap();
    let runners = c.org("o").runners();
    let decode =
        |p: gha_runners::Page<gha_runners::types::Runner>| p.items.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
    let first =
        runners.list_page(&Default::default(), Default::default()).await.expect("exactly the limit, in 7-byte chunks");
    let names = decode(first);
    assert_eq!(names, (1..=40).map(|i| format!("r-{i}")).collect::<Vec<_>>());
    let cached = runners.list_page(&Default::default(), Default::default()).await.expect("served from the cache");
    assert_eq!(decode(cached), names, "the cached copy of a chunked body is whole");
    // The same page with a trailing space: one byte over the limit.
    let c = Client::builder()
        .base_url(&server.base_url)
        .token("t")
        .max_response_bytes(limit)
        .cache_capacity(0)
        .build()
        .unwrap();
    let err = c.org("o").runners().list_page(&Default::default(), Default::default()).await.unwrap_err();
    assert!(matches!(err, Error::ResponseTooLarge { declared: None, .. }), "{err:?}");
}
