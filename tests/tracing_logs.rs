//! Tracing: one span per request with the operation, method, path
//! template, status, attempt and rate-limit remaining; retries logged; no
//! credential, token or JIT config in any log line.

mod support;

use support::logs::Buffer;

use gha_runners::Client;
use gha_runners::testkit::{FakeGitHub, FakeRunner, FakeScope, Fault};
use gha_runners::transport::VirtualClock;
use gha_runners::types::JitConfigRequest;

#[tokio::test]
async fn spans_carry_the_request_facts_and_never_a_secret() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeGitHub::builder().org("o").runner(FakeScope::org("o"), FakeRunner::new("r").id(5)).start().await;
    let c = Client::builder().base_url(fake.base_url()).token(fake.token()).clock(VirtualClock::new()).build().unwrap();
    fake.inject([Fault::Status(502)]);
    c.org("o").runners().get(5).await.unwrap();
    let jit = c.org("o").runners().jit_config(&JitConfigRequest::new("traced", ["self-hosted"])).await.unwrap();
    let token = c.org("o").runners().registration_token().await.unwrap();

    let logs = buffer.text();
    assert!(logs.contains("gha_runners.request"), "{logs}");
    assert!(logs.contains("operation=\"actions/get-self-hosted-runner-for-org\""), "{logs}");
    assert!(logs.contains("path=\"/orgs/{org}/actions/runners/{runner_id}\""), "{logs}");
    assert!(logs.contains("method=GET") && logs.contains("status=200") && logs.contains("attempt=2"), "{logs}");
    assert!(logs.contains("rate_remaining="), "{logs}");
    assert!(logs.contains("server error; retrying"), "the retry is logged: {logs}");
    for secret in
        [fake.token(), jit.encoded_jit_config.expose_secret().to_string(), token.token.expose_secret().to_string()]
    {
        assert!(!logs.contains(&secret), "a secret reached the logs");
    }
}
