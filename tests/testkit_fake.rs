//! The fake GitHub (`testkit` feature): every operation answers with a body
//! that validates against the vendored spec, and it behaves like GitHub where
//! clients notice (pagination, ETags, rate limits, errors, faults, state).

mod support;

use futures::TryStreamExt;
use gha_runners::testkit::{FakeGitHub, FakeGitHubBuilder, FakeRunner, FakeScope, Fault};
use gha_runners::types::JitConfigRequest;
use gha_runners::{Client, Error, PageRequest, RateLimitKind};
use support::cases::all_cases;
use support::openapi_schema::validate;

/// The test App's key (`.pem` private, `.pub.pem` public).
fn app_key(suffix: &str) -> String {
    std::fs::read_to_string(support::spec::root().join(format!("tests/fixtures/keys/test-app-rsa{suffix}"))).unwrap()
}

/// The fake seeded with everything the facade cases address.
fn seeded() -> FakeGitHubBuilder {
    // A label no seeded runner has: the job stays queued, its runner free.
    let labels = ["self-hosted", "no-such-runner"];
    let mut b = FakeGitHub::builder().job(FakeScope::repo("octo-org", "octo-repo"), 399444496, 29679449, labels);
    for scope in
        [FakeScope::enterprise("octo-ent"), FakeScope::org("octo-org"), FakeScope::repo("octo-org", "octo-repo")]
    {
        b = b
            .runner(scope.clone(), FakeRunner::new("runner-42").id(42).online().labels(["gpu"]))
            .runner(scope.clone(), FakeRunner::new("runner-43").id(43));
        if !matches!(scope, FakeScope::Repo(..)) {
            b = b
                .runner_group(scope.clone(), 7, "group-7")
                .runner_group(scope.clone(), 3, "group-3")
                .hosted_runner(scope.clone(), 5, "hosted-5")
                .network_configuration(scope.clone(), "net-1", "net");
        }
    }
    b
}

/// The properties a REST API version removed, by name: those of a
/// component schema of the oldest version that the schema of `version`
/// lacks, both derived by the xtask (not by the fake's own reading of the
/// annotations).
fn removed_by(version: &str) -> std::collections::BTreeSet<String> {
    let (base, derived) = (support::spec::spec_as_of("2022-11-28"), support::spec::spec_as_of(version));
    let props = |doc: &serde_json::Value, name: &str| -> std::collections::BTreeSet<String> {
        doc["components"]["schemas"][name]["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k.clone())
            .collect()
    };
    let names = base["components"]["schemas"].as_object().unwrap().keys();
    names.flat_map(|name| props(&base, name).difference(&props(&derived, name)).cloned().collect::<Vec<_>>()).collect()
}

/// Every key of `value`, at any depth.
fn keys(value: &serde_json::Value, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(m) => m.iter().for_each(|(k, v)| {
            out.push(k.clone());
            keys(v, out)
        }),
        serde_json::Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

#[tokio::test]
async fn every_operation_answers_with_a_body_that_validates_against_the_spec() {
    let mut problems = Vec::new();
    let versions = support::spec::api_versions();
    assert!(removed_by("2026-03-10").contains("has_downloads") && removed_by("2022-11-28").is_empty());
    for version in &versions {
        // Each version's answers validate against that version's schema and
        // carry nothing the version removed.
        let spec = support::spec::spec_as_of(version);
        let removed = removed_by(version);
        for case in all_cases() {
            let fake = seeded().github_app("12345", &app_key(".pub.pem")).start().await;
            // One delivery in the log (attempt 1), failed: the receiver is down.
            fake.set_webhook("http://127.0.0.1:9/hook", gha_runners::Secret::new("s"));
            fake.webhook_down(std::time::Duration::from_secs(3600));
            fake.queue_job(FakeScope::repo("octo-org", "octo-repo"), ["self-hosted", "no-such-runner"]);
            fake.deliveries_settled().await;
            let client = match case.op.starts_with("apps/") && !case.op.ends_with("-installation") {
                // App-level operations: the App's JWT, which the fake insists on.
                true => {
                    Client::builder().github_app(gha_runners::transport::GitHubApp::new("12345", app_key(".pem"), 42))
                }
                false => Client::builder().token(fake.token()),
            };
            let client = client.base_url(fake.base_url()).api_version(version.as_str());
            if let Err(e) = (case.call)(client.build().unwrap()).await {
                problems.push(format!("{version} {}: the facade call failed against the fake: {e}", case.op));
                continue;
            }
            let responses = fake.responses();
            let Some(resp) = responses.iter().find(|r| r.operation == case.op) else {
                problems.push(format!("{version} {}: the fake logged no response", case.op));
                continue;
            };
            if resp.status != case.status {
                problems
                    .push(format!("{version} {}: status {}, the spec documents {}", case.op, resp.status, case.status));
            }
            match (&resp.body, support::spec::body_schema(&spec, case.op, &resp.status.to_string())) {
                (Some(body), Some(schema)) => {
                    if let Err(errors) = validate(&spec, &schema, body) {
                        problems.push(format!("{version} {}: body does not validate: {}", case.op, errors.join("; ")));
                    }
                    let mut found = Vec::new();
                    // A delivery's payload is the webhook's, which REST API
                    // versions do not shape.
                    let mut shaped = body.clone();
                    if let Some(request) = shaped.get_mut("request").and_then(|r| r.as_object_mut()) {
                        request.remove("payload");
                    }
                    keys(&shaped, &mut found);
                    if let Some(gone) = found.iter().find(|k| removed.contains(*k)) {
                        problems
                            .push(format!("{version} {}: the answer has `{gone}`, which {version} removed", case.op));
                    }
                }
                (None, None) => {}
                (Some(_), None) => {
                    problems.push(format!("{version} {}: a body where the spec documents none", case.op))
                }
                (None, Some(_)) => {
                    problems.push(format!("{version} {}: no body where the spec documents one", case.op))
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[tokio::test]
async fn error_bodies_validate_too() {
    let spec = support::spec::spec();
    let fake = seeded().start().await;
    let c = fake.client().unwrap();
    let runners = c.org("octo-org").runners();
    assert!(matches!(runners.get(999).await, Err(Error::NotFound(_))));
    assert!(matches!(runners.remove_label(42, "absent").await, Err(Error::NotFound(_))));
    runners.jit_config(&JitConfigRequest::new("dup", ["self-hosted"])).await.unwrap();
    assert!(matches!(
        runners.jit_config(&JitConfigRequest::new("dup", ["self-hosted"])).await,
        Err(Error::Conflict(_))
    ));
    let err_schema = serde_json::json!({"$ref": "#/components/schemas/github-error"});
    for r in fake.responses().iter().filter(|r| r.status >= 400) {
        validate(&spec, &err_schema, r.body.as_ref().unwrap()).unwrap_or_else(|e| panic!("{}: {e:?}", r.operation));
    }
}

#[tokio::test]
async fn pagination_uses_link_headers_and_total_count() {
    let mut b = FakeGitHub::builder().org("big");
    for i in 0..1050 {
        b = b.runner(FakeScope::org("big"), FakeRunner::new(format!("r-{i:04}")));
    }
    let fake = b.start().await;
    let all: Vec<_> = fake.client().unwrap().org("big").runners().list(Default::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 1050);
    assert_eq!(fake.requests().len(), 11, "ceil(1050 / 100) requests");
    let page = fake
        .client()
        .unwrap()
        .org("big")
        .runners()
        .list_page(&Default::default(), PageRequest::new(11, 100))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total_count, page.next_page), (50, Some(1050), None));
}

#[tokio::test]
async fn etags_answer_304_without_spending_quota() {
    let fake = seeded().start().await;
    // A raw reqwest client needs rustls's provider, which only a
    // gha-runners client installs: alone in its process (nextest), none is.
    gha_runners::install_crypto_provider();
    let http = reqwest::Client::new();
    let url = format!("{}/orgs/octo-org/actions/runners/42", fake.base_url());
    let auth = format!("Bearer {}", fake.token());
    let first = http.get(&url).header("authorization", &auth).send().await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let remaining: u64 = first.headers()["x-ratelimit-remaining"].to_str().unwrap().parse().unwrap();
    let second = http.get(&url).header("authorization", &auth).header("if-none-match", &etag).send().await.unwrap();
    assert_eq!(second.status(), 304);
    assert_eq!(
        second.headers()["x-ratelimit-remaining"].to_str().unwrap(),
        remaining.to_string(),
        "a 304 costs nothing"
    );
    let _ = http.get(&url).header("authorization", &auth).header("if-none-match", "W/\"other\"").send().await.unwrap();
    assert!(fake.requests()[2].headers.iter().any(|(k, _)| k == "if-none-match"));
}

#[tokio::test]
async fn rate_limit_budget_and_exhaustion() {
    let fake = seeded().rate_limit(2).start().await;
    // Without conditional requests: a revalidated GET (304) would cost nothing.
    let c = Client::builder().base_url(fake.base_url()).token(fake.token()).cache_capacity(0).build().unwrap();
    c.org("octo-org").runners().get(42).await.unwrap();
    c.org("octo-org").runners().get(42).await.unwrap();
    // The second answer said the budget is spent: the client holds the
    // third call itself, nothing is sent.
    match c.org("octo-org").runners().get(42).await {
        Err(Error::RateLimited { kind: RateLimitKind::Primary, reset_at: Some(_), .. }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.requests().len(), 2);
    // A client that has not seen it meets the fake's 403.
    let other = Client::builder().base_url(fake.base_url()).token(fake.token()).cache_capacity(0).build().unwrap();
    match other.org("octo-org").runners().get(42).await {
        Err(Error::RateLimited { kind: RateLimitKind::Primary, reset_at: Some(_), error, .. }) => {
            assert!(error.message.starts_with("API rate limit exceeded"), "{}", error.message)
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(fake.requests().len(), 3);
    fake.set_rate_limit_remaining(10);
    Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .build()
        .unwrap()
        .org("octo-org")
        .runners()
        .get(42)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_token_is_required() {
    let fake = seeded().start().await;
    let anonymous = Client::builder().base_url(fake.base_url()).build().unwrap();
    assert!(matches!(anonymous.org("octo-org").runners().get(42).await, Err(Error::Unauthorized(_))));
    let wrong = Client::builder().base_url(fake.base_url()).token("nope").build().unwrap();
    assert!(matches!(wrong.org("octo-org").runners().get(42).await, Err(Error::Unauthorized(_))));
    assert!(matches!(fake.client().unwrap().org("nobody").runners().get(1).await, Err(Error::NotFound(_))));
}

#[tokio::test]
async fn injected_faults_and_the_request_log() {
    let fake = seeded().start().await;
    let c = Client::builder()
        .base_url(fake.base_url())
        .token(fake.token())
        .retry_policy(gha_runners::transport::RetryPolicy::none())
        .build()
        .unwrap();
    fake.inject([
        Fault::Status(502),
        Fault::StatusWithHeaders(429, vec![("retry-after".into(), "7".into())]),
        Fault::Reset,
        Fault::Delay(std::time::Duration::from_millis(20)),
    ]);
    let r = c.org("octo-org").runners();
    assert_eq!(r.get(42).await.unwrap_err().status(), Some(502));
    assert!(matches!(r.get(42).await, Err(Error::RateLimited { retry_after: Some(d), .. }) if d.as_secs() == 7));
    assert!(matches!(r.list_page(&Default::default(), PageRequest::default()).await, Err(Error::Transport { .. })));
    r.get(42).await.unwrap();
    r.get(42).await.unwrap();
    let log = fake.requests();
    assert_eq!(log.len(), 5);
    assert_eq!(log[0].path_and_query, "/orgs/octo-org/actions/runners/42");
    assert!(log.iter().all(|l| l.headers.iter().all(|(k, _)| k != "authorization")), "the log keeps no credential");
}

#[tokio::test]
async fn runners_come_and_go() {
    let fake = seeded().start().await;
    let c = fake.client().unwrap();
    let scope = FakeScope::org("octo-org");
    assert!(fake.set_runner_state(&scope, 43, "online", true));
    let r = c.org("octo-org").runners().get(43).await.unwrap();
    assert!(r.busy);
    let jit = c
        .org("octo-org")
        .runners()
        .jit_config(&JitConfigRequest::new("ephemeral-1", ["self-hosted", "gpu"]))
        .await
        .unwrap();
    assert_eq!(jit.runner.status, gha_runners::types::RunnerStatus::Offline);
    assert!(fake.runners(&scope).iter().any(|(id, name, _, _)| *id == jit.runner.id && name == "ephemeral-1"));
    c.org("octo-org").runners().delete(jit.runner.id).await.unwrap();
    assert!(!fake.runners(&scope).iter().any(|(id, ..)| *id == jit.runner.id));
    let labels = c.org("octo-org").runners().set_labels(42, &["a", "b"]).await.unwrap();
    assert_eq!(labels.iter().filter(|l| l.label_type == Some(gha_runners::types::LabelType::Custom)).count(), 2);
}

#[tokio::test]
async fn queued_jobs_can_be_looked_up_while_they_wait() {
    let fake = FakeGitHub::builder().repo("octo-org", "app").start().await;
    let (job, run) = fake.queue_job(FakeScope::repo("octo-org", "app"), ["self-hosted", "gpu"]);
    let jobs = fake.client().unwrap().repo("octo-org", "app").jobs();
    let found = jobs.get(job).await.unwrap();
    assert_eq!(found.status, gha_runners::types::JobStatus::Queued);
    assert_eq!(found.labels, ["self-hosted", "gpu"]);
    assert_eq!((found.run_id, found.runner_id), (run.into(), None));
    let listed: Vec<_> = jobs.list(run, gha_runners::api::JobFilter::Latest).try_collect().await.unwrap();
    assert_eq!(listed.iter().map(|j| j.id).collect::<Vec<_>>(), [found.id]);
    let attempt: Vec<_> = jobs.list_for_attempt(run, 1).try_collect().await.unwrap();
    assert_eq!(attempt.len(), 1);
    assert!(jobs.list_for_attempt(run, 2).try_collect::<Vec<_>>().await.unwrap().is_empty());
    assert!(matches!(jobs.get(job + 1000).await, Err(Error::NotFound(_))));
    assert!(matches!(
        jobs.list_for_attempt_page(run, 0, PageRequest::default()).await,
        Err(Error::InvalidInput { .. })
    ));
}
