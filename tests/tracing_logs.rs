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

/// At WARN (the usual production level) the request span is disabled: the
/// retry warning must still name the operation, and the transport must
/// never record its fields into the caller's own span.
#[tokio::test]
async fn at_warn_retries_name_the_operation_and_the_callers_span_is_left_alone() {
    use tracing_subscriber::layer::SubscriberExt;

    /// Records every value written into a span field named `attempt` or
    /// `rate_remaining` after the span was created.
    #[derive(Clone, Default)]
    struct Writes(std::sync::Arc<std::sync::Mutex<Vec<String>>>);
    impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Writes {
        fn on_record(
            &self,
            _: &tracing::span::Id,
            values: &tracing::span::Record<'_>,
            _: tracing_subscriber::layer::Context<'_, S>,
        ) {
            let mut fields = String::new();
            values.record(&mut |f: &tracing::field::Field, v: &dyn std::fmt::Debug| {
                fields.push_str(&format!("{}={v:?} ", f.name()))
            });
            self.0.lock().unwrap().push(fields);
        }
    }

    let buffer = Buffer::default();
    let writer = buffer.clone();
    let writes = Writes::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .with(writes.clone());
    let _guard = tracing::subscriber::set_default(subscriber);

    let fake = FakeGitHub::builder().org("o").runner(FakeScope::org("o"), FakeRunner::new("r").id(5)).start().await;
    let c = Client::builder().base_url(fake.base_url()).token(fake.token()).clock(VirtualClock::new()).build().unwrap();
    fake.inject([Fault::Status(503)]);
    let outer = tracing::warn_span!("caller", attempt = tracing::field::Empty, rate_remaining = tracing::field::Empty);
    async { c.org("o").runners().get(5).await.unwrap() }.instrument_in(&outer).await;

    let logs = buffer.text();
    assert!(logs.contains("server error; retrying"), "{logs}");
    assert!(logs.contains("actions/get-self-hosted-runner-for-org"), "the warning names the operation: {logs}");
    assert!(!logs.contains("gha_runners.request"), "the debug span is off at WARN: {logs}");
    let writes = writes.0.lock().unwrap();
    assert!(writes.is_empty(), "the transport wrote into the caller's span: {writes:?}");
}

/// `Instrument::instrument` by reference, for the test above.
trait InstrumentIn: std::future::Future + Sized {
    fn instrument_in(self, span: &tracing::Span) -> tracing::instrument::Instrumented<Self> {
        tracing::Instrument::instrument(self, span.clone())
    }
}
impl<F: std::future::Future> InstrumentIn for F {}
