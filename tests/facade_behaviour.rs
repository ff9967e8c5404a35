//! Behaviour of the facade against loopback servers: pagination, forward
//! compatibility, error mapping, input refused before sending, and hostile
//! path segments.

mod support;

use futures::TryStreamExt;
use gha_runners::types::*;
use gha_runners::{Client, Error, PageRequest, RateLimitKind};
use serde_json::{Value, json};
use support::loopback::{Loopback, Reply};

const TOKEN: &str = "ghp_behaviourSecret123";

/// A client without retries: these tests are about what one exchange
/// becomes (retries are tested in `transport.rs`).
fn client(server: &Loopback) -> Client {
    Client::builder()
        .base_url(&server.base_url)
        .token(TOKEN)
        .retry_policy(gha_runners::transport::RetryPolicy::none())
        .build()
        .expect("client")
}

fn runner(i: usize) -> Value {
    json!({"id": i, "name": format!("runner-{i}"), "os": "linux", "status": "online", "busy": false,
        "labels": [{"id": 1, "name": "self-hosted", "type": "read-only"}]})
}

/// GitHub's pages of `n` runners, 100 a page, with `Link` headers.
fn runner_pages(n: usize, base: &str) -> Vec<Reply> {
    let pages = n.div_ceil(100).max(1);
    (1..=pages)
        .map(|p| {
            let items: Vec<Value> = ((p - 1) * 100..(p * 100).min(n)).map(runner).collect();
            let mut reply = Reply::json(200, &json!({"total_count": n, "runners": items}));
            if p < pages {
                reply.headers.push((
                    "link".into(),
                    format!(
                        "<{base}/orgs/o/actions/runners?per_page=100&page={}>; rel=\"next\", <{base}/orgs/o/actions/runners?per_page=100&page={pages}>; rel=\"last\"",
                        p + 1
                    ),
                ));
            }
            reply
        })
        .collect()
}

#[tokio::test]
async fn streams_follow_pages_with_one_request_per_hundred_items() {
    for (n, expected_requests) in [(0usize, 1usize), (1, 1), (100, 1), (101, 2), (1050, 11)] {
        // The server needs its own address for the Link headers: start it
        // with the script, which refers to the base URL only as text.
        let probe = Loopback::start(vec![]).await;
        let server = Loopback::start(runner_pages(n, &probe.base_url)).await;
        let runners: Vec<Runner> =
            client(&server).org("o").runners().list(ListRunners::default()).try_collect().await.unwrap();
        assert_eq!(runners.len(), n, "{n} items");
        assert!(runners.iter().enumerate().all(|(i, r)| r.id == i as i64), "order kept for {n}");
        let reqs = server.requests();
        assert_eq!(reqs.len(), expected_requests, "requests for {n} items");
        for (i, r) in reqs.iter().enumerate() {
            assert_eq!(r.request_line, format!("GET /orgs/o/actions/runners?page={}&per_page=100 HTTP/1.1", i + 1));
        }
    }
}

#[tokio::test]
async fn without_link_headers_total_count_ends_the_stream() {
    let replies = vec![
        Reply::json(200, &json!({"total_count": 150, "runners": (0..100).map(runner).collect::<Vec<_>>()})),
        Reply::json(200, &json!({"total_count": 150, "runners": (100..150).map(runner).collect::<Vec<_>>()})),
    ];
    let server = Loopback::start(replies).await;
    let all: Vec<Runner> = client(&server).org("o").runners().list(Default::default()).try_collect().await.unwrap();
    assert_eq!(all.len(), 150);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn one_page_reports_total_count_and_whether_more_follow() {
    let probe = Loopback::start(vec![]).await;
    let server = Loopback::start(runner_pages(250, &probe.base_url)).await;
    let page = client(&server).org("o").runners().list_page(&Default::default(), PageRequest::default()).await.unwrap();
    assert_eq!(page.items.len(), 100);
    assert_eq!(page.total_count, Some(250));
    assert!(page.has_more());
    assert_eq!(page.next_page, Some(2));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_failing_page_ends_the_stream_with_the_error() {
    let probe = Loopback::start(vec![]).await;
    let mut replies = runner_pages(150, &probe.base_url);
    replies[1] = Reply::json(502, &json!({"message": "Server Error"}));
    let server = Loopback::start(replies).await;
    let mut stream = client(&server).org("o").runners().list(Default::default());
    let mut ok = 0;
    let err = loop {
        match stream.try_next().await {
            Ok(Some(_)) => ok += 1,
            Ok(None) => panic!("stream ended without the error"),
            Err(e) => break e,
        }
    };
    assert_eq!(ok, 100);
    assert_eq!(err.status(), Some(502));
}

#[test]
fn unknown_values_extra_fields_missing_optionals_and_nulls_decode() {
    let r: Runner = serde_json::from_value(json!({
        "id": 1, "name": "r", "os": "linux", "status": "draining", "busy": false,
        "labels": [{"name": "x", "type": "ephemeral"}, {"name": "y"}],
        "version": null, "brand_new_field": {"nested": [1, 2]}
    }))
    .unwrap();
    assert_eq!(r.status, RunnerStatus::Unknown("draining".into()));
    assert_eq!(r.status.to_string(), "draining");
    assert_eq!(r.labels[0].label_type, Some(LabelType::Unknown("ephemeral".into())));
    assert_eq!(r.labels[1].label_type, None);
    assert_eq!((r.runner_group_id, r.ephemeral, r.version.as_deref()), (None, None, None));
    assert_eq!(serde_json::to_value(&r.status).unwrap(), json!("draining"), "kept verbatim");

    let h: HostedRunner = serde_json::from_value(json!({
        "id": 5, "name": "h", "image_details": null, "status": "Hibernating", "platform": "riscv-x99",
        "public_ip_enabled": false, "machine_size_details": {"id": "2-core", "cpu_cores": 2, "memory_gb": 8, "storage_gb": 75},
        "last_active_on": null
    }))
    .unwrap();
    assert_eq!(h.status, HostedRunnerStatus::Unknown("Hibernating".into()));
    assert_eq!(h.platform, Platform::Unknown("riscv-x99".into()));
    assert!(h.image_details.is_none() && h.last_active_on.is_none());

    let g: RunnerGroup = serde_json::from_value(json!({
        "id": 2, "name": "g", "visibility": "everyone", "default": false, "runners_url": "u", "inherited": false,
        "allows_public_repositories": true
    }))
    .unwrap();
    assert_eq!(g.visibility, Visibility::Unknown("everyone".into()));
    let i: CuratedImage = serde_json::from_value(
        json!({"id": "x", "platform": "linux-x64", "size_gb": 1, "display_name": "x", "source": "marketplace"}),
    )
    .unwrap();
    assert_eq!(i.source, ImageSource::Unknown("marketplace".into()));
    let n: NetworkConfiguration =
        serde_json::from_value(json!({"id": "n", "name": "n", "created_on": null, "compute_service": "quantum"}))
            .unwrap();
    assert_eq!(n.compute_service, Some(ComputeService::Unknown("quantum".into())));
}

#[tokio::test]
async fn unknown_values_decode_over_the_wire_too() {
    let body = json!({"total_count": 1, "runners": [{"id": 9, "name": "r", "os": "plan9", "status": "hibernating",
        "busy": true, "labels": [], "future": true}]});
    let server = Loopback::start(vec![Reply::json(200, &body)]).await;
    let page =
        client(&server).repo("o", "r").runners().list_page(&Default::default(), PageRequest::default()).await.unwrap();
    assert_eq!(page.items[0].status, RunnerStatus::Unknown("hibernating".into()));
}

/// Sends one request answered by `reply` and returns the error.
async fn error_for(reply: Reply) -> Error {
    let server = Loopback::start(vec![reply]).await;
    let err = client(&server).org("octo-org").runners().get(1).await.expect_err("an error");
    assert!(!err.to_string().contains(TOKEN) && !format!("{err:?}").contains(TOKEN), "no credential in {err:?}");
    err
}

#[tokio::test]
async fn github_error_bodies_become_the_right_variant() {
    let err = error_for(Reply::json(
        404,
        &json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
    ))
    .await;
    match &err {
        Error::NotFound(e) => {
            assert_eq!((e.status, e.message.as_str()), (404, "Not Found"));
            assert_eq!(e.operation, "actions/get-self-hosted-runner-for-org");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("lacks access"), "says what to do: {err}");

    let mut reply = Reply::json(422, &json!({"message": "Validation Failed", "documentation_url": "d"}));
    reply.headers.push(("x-github-request-id".into(), "CAFE:1234".into()));
    match error_for(reply).await {
        Error::ValidationFailed(e) => {
            assert!(e.errors.is_empty());
            assert_eq!(e.request_id.as_deref(), Some("CAFE:1234"));
        }
        other => panic!("{other:?}"),
    }
    assert!(
        matches!(error_for(Reply::json(403, &json!({"message": ""}))).await, Error::Forbidden(e) if e.message.is_empty())
    );
    assert!(matches!(
        error_for(Reply::json(401, &json!({"message": "Bad credentials"}))).await,
        Error::Unauthorized(_)
    ));

    let html = Reply {
        status: 503,
        headers: vec![("content-type".into(), "text/html".into())],
        body: b"<html><body>Unicorn!</body></html>".to_vec(),
    };
    match error_for(html).await {
        Error::Api(e) => {
            assert_eq!(e.status, 503);
            assert!(e.message.contains("Unicorn!"), "{}", e.message);
        }
        other => panic!("{other:?}"),
    }
    let empty = Reply { status: 502, headers: vec![], body: vec![] };
    assert!(matches!(error_for(empty).await, Error::Api(e) if e.status == 502));
    let not_json_404 = Reply { status: 404, headers: vec![], body: b"no such thing".to_vec() };
    assert!(matches!(error_for(not_json_404).await, Error::NotFound(_)));

    let mut primary = Reply::json(403, &json!({"message": "API rate limit exceeded for user ID 1."}));
    primary
        .headers
        .extend([("x-ratelimit-remaining".into(), "0".into()), ("x-ratelimit-reset".into(), "1893456000".into())]);
    match error_for(primary).await {
        Error::RateLimited { kind: RateLimitKind::Primary, reset_at: Some(t), .. } => {
            assert_eq!(t.timestamp(), 1_893_456_000)
        }
        other => panic!("{other:?}"),
    }
    let mut secondary = Reply::json(429, &json!({"message": "You have exceeded a secondary rate limit."}));
    secondary.headers.push(("retry-after".into(), "60".into()));
    assert!(matches!(
        error_for(secondary).await,
        Error::RateLimited { kind: RateLimitKind::Secondary, retry_after: Some(d), .. } if d.as_secs() == 60
    ));
}

#[tokio::test]
async fn a_taken_jit_runner_name_is_a_conflict() {
    let server = Loopback::start(vec![Reply::json(
        409,
        &json!({"message": "Already exists - A runner with the name jit-1 already exists."}),
    )])
    .await;
    let err = client(&server)
        .org("o")
        .runners()
        .jit_config(&JitConfigRequest::new("jit-1", ["self-hosted"]))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Conflict(_)), "{err:?}");
}

#[tokio::test]
async fn an_undecodable_success_is_a_decode_error_naming_the_operation_and_body() {
    let server = Loopback::start(vec![Reply::json(200, &json!({"id": "not-a-number"}))]).await;
    let err = client(&server).org("o").runners().get(1).await.unwrap_err();
    match &err {
        Error::Decode { operation, body, .. } => {
            assert_eq!(*operation, "actions/get-self-hosted-runner-for-org");
            assert!(body.contains("not-a-number"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn jit_configs_and_tokens_never_print_their_secret() {
    let jit = support::spec::doc_fixture("actions/generate-runner-jitconfig-for-org.201.default");
    let secret = jit["encoded_jit_config"].as_str().unwrap().to_string();
    let tok = support::spec::doc_fixture("actions/create-registration-token-for-org.201.default");
    let token = tok["token"].as_str().unwrap().to_string();
    let server = Loopback::start(vec![Reply::json(201, &jit), Reply::json(201, &tok)]).await;
    let c = client(&server);
    let config = c.org("o").runners().jit_config(&JitConfigRequest::new("r", ["self-hosted"])).await.unwrap();
    let reg = c.org("o").runners().registration_token().await.unwrap();
    for shown in [
        format!("{config:?}"),
        format!("{reg:?}"),
        serde_json::to_string(&config).unwrap(),
        serde_json::to_string(&reg).unwrap(),
    ] {
        assert!(!shown.contains(&secret) && !shown.contains(&token), "{shown}");
        assert!(shown.contains("[redacted]"), "{shown}");
    }
    assert_eq!(config.encoded_jit_config.expose_secret(), secret);
    assert_eq!(reg.token.expose_secret(), token);
    assert!(!format!("{c:?}").contains(TOKEN));
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    let server = Loopback::start(vec![]).await;
    let c = client(&server);
    let too_many: Vec<String> = (0..101).map(|i| format!("l{i}")).collect();
    let checks: Vec<(&str, Result<(), Error>)> = vec![
        ("empty org", c.org("").runners().get(1).await.map(drop)),
        ("whitespace org", c.org("  ").runners().delete(1).await),
        ("dot-dot org", c.org("..").runners().get(1).await.map(drop)),
        ("empty enterprise", c.enterprise("").hosted_runners().limits().await.map(drop)),
        ("empty owner", c.repo("", "r").runners().registration_token().await.map(drop)),
        ("empty repo", c.repo("o", " ").runners().downloads().await.map(drop)),
        ("empty label", c.org("o").runners().remove_label(1, "").await.map(drop)),
        ("no labels to add", c.org("o").runners().add_labels::<&str>(1, &[]).await.map(drop)),
        ("101 labels", c.org("o").runners().set_labels(1, &too_many).await.map(drop)),
        (
            "jit without labels",
            c.org("o").runners().jit_config(&JitConfigRequest::new("r", Vec::<String>::new())).await.map(drop),
        ),
        (
            "jit with 101 labels",
            c.org("o").runners().jit_config(&JitConfigRequest::new("r", too_many.clone())).await.map(drop),
        ),
        ("jit without name", c.org("o").runners().jit_config(&JitConfigRequest::new(" ", ["x"])).await.map(drop)),
        (
            "hosted name too long",
            c.org("o")
                .hosted_runners()
                .create(&NewHostedRunner::new("a".repeat(65), ImageSelection::new("i"), "s", 0i64))
                .await
                .map(drop),
        ),
        (
            "hosted name with space",
            c.org("o").hosted_runners().update(1, &HostedRunnerUpdate::default().name("my runner")).await.map(drop),
        ),
        ("per_page 0", c.org("o").runners().list_page(&Default::default(), PageRequest::new(1, 0)).await.map(drop)),
        (
            "per_page 101",
            c.org("o").runner_groups().list_page(&Default::default(), PageRequest::new(1, 101)).await.map(drop),
        ),
        ("page 0", c.org("o").hosted_runners().list_page(PageRequest::new(0, 10)).await.map(drop)),
        (
            "org group update without name",
            c.org("o").runner_groups().update(1, &RunnerGroupUpdate::default()).await.map(drop),
        ),
        (
            "private enterprise group",
            c.enterprise("e")
                .runner_groups()
                .create(&NewEnterpriseRunnerGroup::new("g").visibility(Visibility::Private))
                .await
                .map(drop),
        ),
        (
            "unknown permission value",
            c.org("o").runner_permissions().set(EnabledRepositories::Unknown("some".into())).await,
        ),
        ("empty network configuration id", c.org("o").network_configurations().get("").await.map(drop)),
    ];
    for (what, result) in checks {
        match result {
            Err(Error::InvalidInput { field, reason }) => {
                assert!(!reason.is_empty(), "{what}: {field}")
            }
            other => panic!("{what}: expected InvalidInput, got {other:?}"),
        }
    }
    assert_eq!(server.requests().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn hostile_names_cannot_change_the_path_or_query() {
    let runner_body = support::spec::doc_fixture("actions/get-self-hosted-runner-for-org.200.default");
    let labels = support::spec::doc_fixture("actions/remove-custom-label-from-self-hosted-runner-for-org.200.default");
    let server = Loopback::start(vec![
        Reply::json(200, &runner_body),
        Reply::json(200, &labels),
        Reply::json(200, &runner_body),
    ])
    .await;
    let c = client(&server);
    // Names hold only GitHub's name characters: the rest is refused unsent.
    for org in ["evil/../admin?x=1#frag", "evil..admin?x=1", "o%2F..", "a b"] {
        let err = c.org(org).runners().get(1).await.unwrap_err();
        assert!(matches!(err, gha_runners::Error::InvalidInput { field: "org", .. }), "{org}: {err:?}");
    }
    let err = c.repo("o", "r/x").runners().get(2).await.unwrap_err();
    assert!(matches!(err, gha_runners::Error::InvalidInput { field: "repo", .. }), "{err:?}");
    c.org("evil..admin").runners().get(1).await.unwrap();
    // A label keeps `/`, `?`, `#` and spaces inside its one segment.
    c.org("octo-org").runners().remove_label(1, "a/b?c=d#e f").await.unwrap();
    c.repo("o.-_", "r_x.git").runners().get(2).await.unwrap();
    let lines: Vec<String> = server.requests().into_iter().map(|r| r.request_line).collect();
    assert_eq!(
        lines,
        [
            "GET /orgs/evil..admin/actions/runners/1 HTTP/1.1",
            "DELETE /orgs/octo-org/actions/runners/1/labels/a%2Fb%3Fc%3Dd%23e%20f HTTP/1.1",
            "GET /repos/o.-_/r_x.git/actions/runners/2 HTTP/1.1",
        ]
    );
}

#[tokio::test]
async fn enterprise_server_urls_get_the_api_prefix() {
    let c = Client::builder().base_url("https://ghe.example.com").build().unwrap();
    assert_eq!(c.base_url(), "https://ghe.example.com/api/v3");
    let c = Client::builder().base_url("https://ghe.example.com/api/v3/").build().unwrap();
    assert_eq!(c.base_url(), "https://ghe.example.com/api/v3");
    assert_eq!(Client::builder().build().unwrap().base_url(), "https://api.github.com");
}
