//! The production transport against a fault-injecting loopback server:
//! retries, JIT outcome resolution, rate limits, GitHub App authentication,
//! conditional requests, pacing, redirects. Every test asserts the outcome
//! and the exact number of requests the server saw; waits go through a
//! virtual clock, so they take no time.

mod support;

use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope, Fault};
use gha_runners::transport::{Clock, GitHubApp, RateLimitPolicy, RetryPolicy, VirtualClock};
use gha_runners::types::{JitConfigRequest, NewRunnerGroup};
use gha_runners::{Client, Error, RateLimitKind};
use serde_json::json;
use std::time::Duration;
use support::loopback::{Loopback, Reply, Step};

const TOKEN: &str = "ghp_transportSecret";

fn runner_body() -> serde_json::Value {
    support::spec::doc_fixture("actions/get-self-hosted-runner-for-org.200.default")
}

fn client(server: &Loopback, clock: &VirtualClock) -> Client {
    Client::builder().base_url(&server.base_url).token(TOKEN).clock(clock.clone()).build().unwrap()
}

fn error(status: u16, headers: &[(&str, &str)], message: &str) -> Reply {
    let mut r = Reply::json(status, &json!({"message": message, "documentation_url": "https://docs.github.com/rest"}));
    r.headers.extend(headers.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    r
}

#[tokio::test]
async fn a_burst_of_server_errors_is_retried_with_backoff() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Reply(error(500, &[], "boom")),
        Step::Reply(error(502, &[], "bad gateway")),
        Step::Reply(Reply::json(200, &runner_body())),
    ])
    .await;
    let r = client(&server, &clock).org("o").runners().get(1).await.unwrap();
    assert_eq!(r.id, 23);
    assert_eq!(server.requests().len(), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "one backoff per retry");
    assert!(sleeps[0] <= Duration::from_millis(500) && sleeps[1] <= Duration::from_secs(1), "{sleeps:?}");
}

#[tokio::test]
async fn retries_stop_after_the_configured_attempts() {
    let clock = VirtualClock::new();
    let server = Loopback::script((0..5).map(|_| Step::Reply(error(503, &[], "unavailable"))).collect()).await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .retry_policy(RetryPolicy::default().max_attempts(4))
        .build()
        .unwrap();
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test]
async fn a_post_is_never_retried_blindly_but_token_creation_is() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Reply(error(502, &[], "bad gateway")),
        Step::Reply(error(503, &[], "unavailable")),
        Step::Reply(Reply::json(
            201,
            &support::spec::doc_fixture("actions/create-registration-token-for-org.201.default"),
        )),
    ])
    .await;
    let c = client(&server, &clock);
    let err = c.org("o").runner_groups().create(&NewRunnerGroup::new("g")).await;
    assert_eq!(err.unwrap_err().status(), Some(502));
    assert_eq!(server.requests().len(), 1, "the group creation was not repeated");
    c.org("o").runners().registration_token().await.unwrap();
    assert_eq!(server.requests().len(), 3, "a new registration token is harmless: retried");
}

#[tokio::test]
async fn connection_resets_and_truncated_bodies_are_retried_for_safe_operations() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Close,
        Step::Truncate(Reply::json(200, &runner_body())),
        Step::Reply(Reply::json(200, &runner_body())),
    ])
    .await;
    client(&server, &clock).org("o").runners().get(1).await.unwrap();
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn a_response_slower_than_the_timeout_is_a_timeout_then_retried() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Delay(Duration::from_secs(3), Reply::json(200, &runner_body())),
        Step::Reply(Reply::json(200, &runner_body())),
    ])
    .await;
    let c = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    c.org("o").runners().get(1).await.unwrap();
    assert_eq!(server.requests().len(), 2);
    let server2 = Loopback::script(vec![Step::Delay(Duration::from_secs(3), Reply::json(200, &runner_body()))]).await;
    let none = Client::builder().base_url(&server2.base_url).token(TOKEN).timeout(Duration::from_millis(300));
    let err = none.retry_policy(RetryPolicy::none()).build().unwrap().org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::Timeout { .. }), "{err:?}");
}

fn jit_request() -> JitConfigRequest {
    JitConfigRequest::new("jit-7", ["self-hosted"])
}

#[tokio::test]
async fn a_jit_config_with_an_unknown_outcome_whose_runner_exists_is_a_clear_error() {
    let clock = VirtualClock::new();
    let listing = json!({"total_count": 1, "runners": [{"id": 77, "name": "jit-7", "os": "linux", "status": "offline", "busy": false, "labels": []}]});
    let server = Loopback::script(vec![Step::Close, Step::Reply(Reply::json(200, &listing))]).await;
    let err = client(&server, &clock).org("o").runners().jit_config(&jit_request()).await.unwrap_err();
    match &err {
        Error::JitOutcomeUnknown { runner_id: 77, name, .. } => assert_eq!(name, "jit-7"),
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("delete the runner or reuse it"), "{err}");
    let reqs = server.requests();
    assert_eq!(reqs.len(), 2, "one POST, one lookup, no second POST");
    assert!(reqs[0].request_line.starts_with("POST /orgs/o/actions/runners/generate-jitconfig"));
    assert_eq!(reqs[1].request_line, "GET /orgs/o/actions/runners?name=jit-7&per_page=100 HTTP/1.1");
    assert_eq!(reqs[1].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
}

#[tokio::test]
async fn a_jit_config_with_an_unknown_outcome_and_no_runner_is_retried() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Reply(error(504, &[], "gateway timeout")),
        Step::Reply(Reply::json(200, &json!({"total_count": 0, "runners": []}))),
        Step::Reply(Reply::json(
            201,
            &support::spec::doc_fixture("actions/generate-runner-jitconfig-for-org.201.default"),
        )),
    ])
    .await;
    client(&server, &clock).org("o").runners().jit_config(&jit_request()).await.unwrap();
    let lines: Vec<String> = server.requests().into_iter().map(|r| r.request_line).collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("POST") && lines[1].starts_with("GET") && lines[2].starts_with("POST"), "{lines:?}");
}

#[tokio::test]
async fn secondary_limits_wait_retry_after_or_a_growing_minute() {
    let clock = VirtualClock::new();
    let server = Loopback::script(vec![
        Step::Reply(error(403, &[("retry-after", "30")], "You have exceeded a secondary rate limit.")),
        Step::Reply(error(429, &[], "You have exceeded a secondary rate limit.")),
        Step::Reply(error(403, &[], "You have exceeded a secondary rate limit.")),
        Step::Reply(Reply::json(200, &runner_body())),
    ])
    .await;
    client(&server, &clock).org("o").runners().get(1).await.unwrap();
    assert_eq!(server.requests().len(), 4);
    assert_eq!(clock.sleeps(), [Duration::from_secs(30), Duration::from_secs(60), Duration::from_secs(120)]);
}

#[tokio::test]
async fn secondary_limits_give_up_after_the_budget() {
    let clock = VirtualClock::new();
    let server =
        Loopback::script((0..6).map(|_| Step::Reply(error(429, &[("retry-after", "5")], "slow down"))).collect()).await;
    let err = client(&server, &clock).org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Secondary, .. }), "{err:?}");
    assert_eq!(server.requests().len(), 4, "the first try and 3 retries");
}

#[tokio::test]
async fn primary_exhaustion_fails_by_default_or_waits_for_the_reset() {
    let clock = VirtualClock::new();
    let reset = (clock.now() + chrono::Duration::seconds(600)).timestamp().to_string();
    let exhausted = || {
        Step::Reply(error(
            403,
            &[("x-ratelimit-remaining", "0"), ("x-ratelimit-limit", "5000"), ("x-ratelimit-reset", &reset)],
            "API rate limit exceeded",
        ))
    };
    let server = Loopback::script(vec![exhausted(), exhausted(), Step::Reply(Reply::json(200, &runner_body()))]).await;
    match client(&server, &clock).org("o").runners().get(1).await {
        Err(Error::RateLimited { kind: RateLimitKind::Primary, reset_at: Some(t), .. }) => {
            assert_eq!(t.timestamp().to_string(), reset)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
    assert_eq!(client(&server, &clock).rate_limit(), None, "another client has its own snapshot");
    let waiting = Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .clock(clock.clone())
        .rate_limit_policy(RateLimitPolicy::Wait { max_wait: Duration::from_secs(3600) })
        // The reset is 10 minutes out: above the default 5-minute ceiling.
        .retry_policy(RetryPolicy::default().max_wait(Duration::from_secs(3600)))
        .build()
        .unwrap();
    waiting.org("o").runners().get(1).await.unwrap();
    assert_eq!(server.requests().len(), 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 1);
    assert!((Duration::from_secs(599)..=Duration::from_secs(602)).contains(&sleeps[0]), "until the reset: {sleeps:?}");
}

#[tokio::test]
async fn every_response_updates_the_rate_limit_snapshot() {
    let fake = FakeGitHub::builder().org("o").runner(FakeScope::org("o"), FakeRunner::new("r").id(1)).start().await;
    let c = fake.client().unwrap();
    assert_eq!(c.rate_limit(), None);
    c.org("o").runners().get(1).await.unwrap();
    let snap = c.rate_limit().unwrap();
    assert_eq!((snap.limit, snap.remaining, snap.used, snap.resource.as_str()), (5000, 4999, 1, "core"));
    let status = c.rate_limit_status().await.unwrap();
    assert_eq!(status.resources.core.limit, 5000);
    assert_eq!(c.rate_limit().unwrap().remaining, 4999, "rate-limit/get costs nothing");
}

#[tokio::test]
async fn conditional_requests_are_answered_from_the_cache_on_304() {
    let fake = FakeGitHub::builder().org("o").runner(FakeScope::org("o"), FakeRunner::new("r").id(1)).start().await;
    let c = fake.client().unwrap();
    let first = c.org("o").runners().get(1).await.unwrap();
    let second = c.org("o").runners().get(1).await.unwrap();
    assert_eq!(first, second);
    let log = fake.requests();
    assert_eq!(log.len(), 2);
    assert!(log[1].headers.iter().any(|(k, v)| k == "if-none-match" && v.starts_with("W/")), "revalidated");
    assert_eq!(c.rate_limit().unwrap().used, 1, "the 304 cost no quota");
    let uncached = Client::builder().base_url(fake.base_url()).token(fake.token()).cache_capacity(0).build().unwrap();
    uncached.org("o").runners().get(1).await.unwrap();
    assert!(!fake.requests()[2].headers.iter().any(|(k, _)| k == "if-none-match"));
}

#[tokio::test]
async fn mutations_are_paced_one_at_a_time() {
    let created =
        Reply::json(201, &support::spec::doc_fixture("actions/get-self-hosted-runner-group-for-org.200.default"));
    let steps = (0..4).map(|_| Step::Delay(Duration::from_millis(50), created.clone())).collect();
    let server = Loopback::script(steps).await;
    let c =
        Client::builder().base_url(&server.base_url).token(TOKEN).mutation_interval(Duration::ZERO).build().unwrap();
    let groups = c.org("o").runner_groups();
    let new = |n: &str| NewRunnerGroup::new(n);
    let (na, nb, nc, nd) = (new("a"), new("b"), new("c"), new("d"));
    let (a, b, d, e) = tokio::join!(groups.create(&na), groups.create(&nb), groups.create(&nc), groups.create(&nd));
    assert!(a.is_ok() && b.is_ok() && d.is_ok() && e.is_ok());
    assert_eq!(server.max_in_flight.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// The mutations of a fake's log in the order they arrived: never two in
/// flight, and each received at least `interval` after the previous one
/// was answered.
fn assert_paced(log: &[gha_runners::testkit::LoggedRequest], interval: Duration) {
    let mut mutations: Vec<_> = log.iter().filter(|r| r.is_mutation()).collect();
    mutations.sort_by_key(|r| r.received);
    for pair in mutations.windows(2) {
        let answered = pair[0].answered.expect("answered");
        assert!(pair[1].received >= answered, "two mutations in flight at once");
        let gap = pair[1].received - answered;
        assert!(gap >= interval, "mutations {gap:?} apart, less than {interval:?}");
    }
}

#[tokio::test]
async fn mutations_are_spaced_by_the_interval_from_the_end_of_the_last() {
    let fake = FakeGitHub::builder().org("o").start().await;
    let interval = Duration::from_millis(60);
    let c =
        Client::builder().base_url(fake.base_url()).token(fake.token()).mutation_interval(interval).build().unwrap();
    let calls = (0..6).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.org("o").runners().registration_token().await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    // Reads are never paced: they go while mutations wait.
    c.org("o").runners().list_page(&Default::default(), Default::default()).await.unwrap();
    let log = fake.requests();
    assert_eq!(log.iter().filter(|r| r.is_mutation()).count(), 6);
    assert_paced(&log, interval);
}

#[tokio::test]
async fn the_default_interval_is_githubs_second() {
    let clock = VirtualClock::new();
    let fake = FakeGitHub::builder().org("o").start().await;
    let c = Client::builder().base_url(fake.base_url()).token(fake.token()).clock(clock.clone()).build().unwrap();
    for _ in 0..3 {
        c.org("o").runners().registration_token().await.unwrap();
    }
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "the first mutation goes at once: {sleeps:?}");
    assert!(sleeps.iter().all(|d| (Duration::from_millis(900)..=Duration::from_secs(1)).contains(d)), "{sleeps:?}");
}

#[tokio::test]
async fn after_a_secondary_limit_no_request_goes_inside_its_window() {
    let fake = FakeGitHub::builder().org("o").runner(FakeScope::org("o"), FakeRunner::new("r").id(1)).start().await;
    fake.inject([Fault::StatusWithHeaders(403, vec![("retry-after".into(), "2".into())])]);
    let c = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .cache_capacity(0)
        .mutation_interval(Duration::ZERO)
        .retry_policy(RetryPolicy::default().secondary_retries(0))
        .build()
        .unwrap();
    let err = c.org("o").runners().get(1).await.unwrap_err();
    assert!(matches!(err, Error::RateLimited { kind: RateLimitKind::Secondary, .. }), "{err:?}");
    tokio::time::sleep(Duration::from_millis(300)).await;
    // Six calls, reads and writes, 300 ms into the 2 s window: they wait it out.
    let reads = (0..4).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.org("o").runners().get(1).await.map(|_| ()) })
    });
    let writes = (0..2).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.org("o").runners().registration_token().await.map(|_| ()) })
    });
    for call in futures::future::join_all(reads.chain(writes)).await {
        call.unwrap().unwrap();
    }
    let log = fake.requests();
    assert_eq!(log.len(), 7, "each call sent once, after the window");
    let window_end = log[0].received + Duration::from_secs(2);
    let inside: Vec<_> = log[1..].iter().filter(|r| r.received < window_end).map(|r| &r.path_and_query).collect();
    assert!(inside.is_empty(), "sent inside the window: {inside:?}");
}

#[tokio::test]
async fn a_spent_quota_holds_every_request_until_the_reset_without_sending_it() {
    let clock = VirtualClock::new();
    let fake = FakeGitHub::builder()
        .org("o")
        .runner(FakeScope::org("o"), FakeRunner::new("r").id(1))
        .rate_limit(1)
        .start()
        .await;
    let c = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .clock(clock.clone())
        .mutation_interval(Duration::ZERO)
        .build()
        .unwrap();
    // A 200 that spends the last unit of the quota.
    c.org("o").runners().get(1).await.unwrap();
    assert_eq!(c.rate_limit().unwrap().remaining, 0);
    let reset = c.rate_limit().unwrap().reset;
    for attempt in 0..3 {
        let err = if attempt == 2 {
            c.org("o").runners().registration_token().await.map(|_| ()).unwrap_err()
        } else {
            c.org("o").runners().get(1).await.map(|_| ()).unwrap_err()
        };
        match &err {
            Error::RateLimited { kind: RateLimitKind::Primary, reset_at: Some(t), error, .. } => {
                assert_eq!(*t, reset);
                assert!(error.message.starts_with("not sent"), "{}", error.message);
            }
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(fake.requests().len(), 1, "nothing sent after the quota was spent");
    // GitHub does not count GET /rate_limit: it is never held.
    c.rate_limit_status().await.unwrap();
    assert_eq!(fake.requests().len(), 2);
    // Waiting is the caller's choice: within the policy's ceiling, held calls wait for the reset.
    let waiting = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .clock(clock.clone())
        .rate_limit_policy(RateLimitPolicy::Wait { max_wait: Duration::from_secs(7200) })
        .retry_policy(RetryPolicy::default().max_wait(Duration::from_secs(7200)))
        .build()
        .unwrap();
    fake.set_rate_limit_remaining(1);
    waiting.org("o").runners().get(1).await.unwrap();
    assert_eq!(fake.requests().len(), 3, "a new client learns the limit from its first answer");
    fake.set_rate_limit_remaining(100);
    let before = clock.now();
    waiting.org("o").runners().get(1).await.unwrap();
    assert!(clock.now() >= reset, "waited for the reset: {} -> {}", before, clock.now());
    assert_eq!(fake.requests().len(), 4, "sent once, after the wait");
    // After the reset the first client sends again.
    c.org("o").runners().get(1).await.unwrap();
    assert_eq!(fake.requests().len(), 5);
}

fn app(installation: i64, key: &str) -> GitHubApp {
    GitHubApp::new("12345", key, installation)
}

fn rsa_key() -> String {
    std::fs::read_to_string(support::spec::root().join("tests/fixtures/keys/test-app-rsa.pem")).unwrap()
}

fn installation_token(token: &str, minutes: i64) -> Reply {
    let expires = (chrono::Utc::now() + chrono::Duration::minutes(minutes)).to_rfc3339();
    Reply::json(201, &json!({"token": token, "expires_at": expires}))
}

#[tokio::test]
async fn fifty_concurrent_requests_share_one_installation_token() {
    let mut steps = vec![Step::Reply(installation_token("ghs_one", 60))];
    steps.extend((0..50).map(|_| Step::Reply(Reply::json(200, &runner_body()))));
    let server = Loopback::script(steps).await;
    let c =
        Client::builder().base_url(&server.base_url).github_app(app(42, &rsa_key())).cache_capacity(0).build().unwrap();
    let calls = (0..50).map(|_| {
        let c = c.clone();
        tokio::spawn(async move { c.org("o").runners().get(1).await })
    });
    for call in futures::future::join_all(calls).await {
        call.unwrap().unwrap();
    }
    let reqs = server.requests();
    assert_eq!(reqs.len(), 51);
    assert_eq!(reqs.iter().filter(|r| r.request_line.contains("/access_tokens")).count(), 1);
    assert_eq!(c.app_token_requests(), Some(1));
    let token_req = &reqs[0];
    assert_eq!(token_req.request_line, "POST /app/installations/42/access_tokens HTTP/1.1");
    let jwt = token_req.header("authorization").unwrap().strip_prefix("Bearer ").unwrap();
    let claims: serde_json::Value = {
        use base64_like::decode;
        serde_json::from_slice(&decode(jwt.split('.').nth(1).unwrap())).unwrap()
    };
    let (iat, exp) = (claims["iat"].as_i64().unwrap(), claims["exp"].as_i64().unwrap());
    let now = chrono::Utc::now().timestamp();
    assert!((now - 70..=now - 50).contains(&iat), "issued 60 s in the past");
    assert!(exp - iat <= 600, "at most 10 minutes");
    assert_eq!(claims["iss"], "12345");
    assert!(reqs[1..].iter().all(|r| r.header("authorization") == Some("Bearer ghs_one")));
}

#[tokio::test]
async fn a_401_renews_the_installation_token_once_and_retries_once() {
    let server = Loopback::script(vec![
        Step::Reply(installation_token("ghs_old", 60)),
        Step::Reply(error(401, &[], "Bad credentials")),
        Step::Reply(installation_token("ghs_new", 60)),
        Step::Reply(Reply::json(200, &runner_body())),
        // A second 401 after the renewal is final: no loop.
        Step::Reply(error(401, &[], "Bad credentials")),
        Step::Reply(installation_token("ghs_newer", 60)),
        Step::Reply(error(401, &[], "Bad credentials")),
    ])
    .await;
    let c =
        Client::builder().base_url(&server.base_url).github_app(app(7, &rsa_key())).cache_capacity(0).build().unwrap();
    c.org("o").runners().get(1).await.unwrap();
    let reqs = server.requests();
    assert_eq!(reqs.len(), 4);
    assert_eq!(reqs[3].header("authorization"), Some("Bearer ghs_new"));
    assert!(matches!(c.org("o").runners().get(1).await, Err(Error::Unauthorized(_))));
    assert_eq!(server.requests().len(), 7);
}

#[tokio::test]
async fn a_token_close_to_expiry_is_renewed_before_use() {
    let server = Loopback::script(vec![
        Step::Reply(installation_token("ghs_short", 3)),
        Step::Reply(Reply::json(200, &runner_body())),
        Step::Reply(installation_token("ghs_long", 60)),
        Step::Reply(Reply::json(200, &runner_body())),
    ])
    .await;
    let c =
        Client::builder().base_url(&server.base_url).github_app(app(7, &rsa_key())).cache_capacity(0).build().unwrap();
    c.org("o").runners().get(1).await.unwrap();
    c.org("o").runners().get(1).await.unwrap();
    assert_eq!(c.app_token_requests(), Some(2), "3 minutes left is inside the 5-minute margin");
}

#[test]
fn a_bad_private_key_fails_when_the_client_is_built() {
    let ec = std::fs::read_to_string(support::spec::root().join("tests/fixtures/keys/test-ec.pem")).unwrap();
    for key in ["not a key", ec.as_str()] {
        match Client::builder().github_app(app(1, key)).build() {
            Err(Error::InvalidInput { field: "private_key", reason }) => assert!(reason.contains("RSA"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
    let text = format!("{:?}", Client::builder().github_app(app(1, &rsa_key())));
    assert!(!text.contains("PRIVATE KEY") && !text.contains(&rsa_key()[40..80]), "{text}");
}

#[tokio::test]
async fn redirects_to_another_host_drop_the_authorization_header() {
    let target = Loopback::start(vec![Reply::json(200, &runner_body())]).await;
    // The same loopback server under another name: a different host.
    let other_host = target.base_url.replace("127.0.0.1", "localhost");
    let mut moved = Reply::json(301, &json!({"message": "Moved Permanently"}));
    moved.headers.push(("location".into(), format!("{other_host}/repositories/1/actions/runners/1")));
    let origin = Loopback::start(vec![moved]).await;
    let c = Client::builder().base_url(&origin.base_url).token(TOKEN).build().unwrap();
    c.repo("old", "name").runners().get(1).await.unwrap();
    assert_eq!(origin.requests()[0].header("authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let followed = target.requests();
    assert_eq!(followed.len(), 1);
    assert_eq!(followed[0].header("authorization"), None, "no credential to another host");
}

/// A small base64url decoder for the JWT test (no padding).
mod base64_like {
    pub fn decode(s: &str) -> Vec<u8> {
        let val = |c: u8| match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' | b'+' => 62,
            _ => 63,
        };
        let bytes: Vec<u8> = s.bytes().filter(|c| *c != b'=').map(val).collect();
        let mut out = Vec::new();
        for chunk in bytes.chunks(4) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (u32::from(*v) << (18 - 6 * i)));
            let take = chunk.len().saturating_sub(1);
            out.extend(n.to_be_bytes()[1..=take].iter());
        }
        out
    }
}

#[tokio::test]
async fn a_spent_resource_holds_only_the_operations_counted_against_it() {
    let reset = (chrono::Utc::now() + chrono::Duration::hours(1)).timestamp().to_string();
    let spent = error(
        403,
        &[
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-limit", "100"),
            ("x-ratelimit-reset", &reset),
            ("x-ratelimit-resource", "actions_runner_registration"),
        ],
        "API rate limit exceeded",
    );
    let server = Loopback::with_fallback(vec![Step::Reply(spent)], Reply::json(200, &runner_body())).await;
    let c =
        Client::builder().base_url(&server.base_url).token(TOKEN).mutation_interval(Duration::ZERO).build().unwrap();
    let first = c.org("o").runners().registration_token().await.map(|_| ()).unwrap_err();
    assert!(matches!(first, Error::RateLimited { kind: RateLimitKind::Primary, .. }), "{first:?}");
    // Reads count against core: they go.
    c.org("o").runners().get(1).await.unwrap();
    assert_eq!(server.request_count(), 2);
    // Registration tokens count against the spent resource: held, not sent.
    match c.org("o").runners().registration_token().await.map(|_| ()) {
        Err(Error::RateLimited { kind: RateLimitKind::Primary, error, .. }) => {
            assert!(error.message.contains("`actions_runner_registration`"), "{}", error.message)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(server.request_count(), 2);
}
