//! The generated client (the escape hatch) against a loopback server: what
//! goes on the wire, and that documented responses decode.

mod support;

use gha_runners::generated::types;
use support::loopback::{Loopback, Reply};

/// The escape hatch: the generated client of a configured facade client.
fn client(base: &str, api_version: &str) -> gha_runners::Client {
    gha_runners::Client::builder().base_url(base).api_version(api_version).token("ghp_raw").build().expect("client")
}

#[tokio::test]
async fn sends_github_headers_and_no_progenitor_api_version_header() {
    let body = support::spec::doc_fixture("actions/list-self-hosted-runners-for-org.200.default");
    let server = Loopback::start(vec![Reply::json(200, &body)]).await;
    let page = client(&server.base_url, "2022-11-28")
        .raw()
        .actions_list_self_hosted_runners_for_org("octo-org", None, None, Some(100))
        .await
        .expect("list runners");
    assert_eq!(page.runners.len(), 2);
    let reqs = server.requests();
    assert_eq!(reqs.len(), 1);
    let r = &reqs[0];
    assert_eq!(r.request_line, "GET /orgs/octo-org/actions/runners?per_page=100 HTTP/1.1");
    assert_eq!(r.header("x-github-api-version"), Some("2022-11-28"));
    assert_eq!(r.header("accept"), Some("application/vnd.github+json"));
    assert_eq!(r.header("api-version"), None, "progenitor's api-version header must not reach GitHub");
}

#[tokio::test]
async fn api_version_is_configurable_and_bodies_are_sent_as_json() {
    let body = support::spec::doc_fixture("actions/generate-runner-jitconfig-for-org.201.default");
    let server = Loopback::start(vec![Reply::json(201, &body)]).await;
    let req = types::ActionsGenerateRunnerJitconfigForOrgBody {
        name: "runner-1".into(),
        runner_group_id: 1,
        labels: vec!["self-hosted".into(), "linux".into()],
        work_folder: Some("_work".into()),
    };
    let jit = client(&server.base_url, "2026-03-10")
        .raw()
        .actions_generate_runner_jitconfig_for_org("octo-org", &req)
        .await
        .expect("jit config");
    assert!(!jit.encoded_jit_config.expose_secret().is_empty());
    assert!(!format!("{jit:?}").contains(jit.encoded_jit_config.expose_secret()), "the escape hatch redacts too");
    let r = &server.requests()[0];
    assert_eq!(r.request_line, "POST /orgs/octo-org/actions/runners/generate-jitconfig HTTP/1.1");
    assert_eq!(r.header("x-github-api-version"), Some("2026-03-10"));
    let sent: serde_json::Value = serde_json::from_slice(&r.body).expect("json body");
    assert_eq!(
        sent,
        serde_json::json!({"name": "runner-1", "runner_group_id": 1, "labels": ["self-hosted", "linux"], "work_folder": "_work"})
    );
}

#[tokio::test]
async fn error_bodies_decode_into_the_merged_error_type() {
    let server = Loopback::start(vec![Reply::json(
        422,
        &serde_json::json!({"message": "Validation Failed", "documentation_url": "https://docs.github.com", "status": "422",
            "errors": ["simple message", {"resource": "Runner", "field": "labels", "code": "invalid"}]}),
    )])
    .await;
    let err = client(&server.base_url, "2022-11-28")
        .raw()
        .actions_set_custom_labels_for_self_hosted_runner_for_org(
            "octo-org",
            42,
            &types::ActionsSetCustomLabelsForSelfHostedRunnerForOrgBody { labels: vec![] },
        )
        .await
        .expect_err("422");
    match err {
        progenitor_client::Error::ErrorResponse(resp) => {
            assert_eq!(resp.status().as_u16(), 422);
            assert_eq!(resp.message.as_deref(), Some("Validation Failed"));
            assert_eq!(resp.errors.len(), 2, "both the simple and the detailed error forms decode");
        }
        other => panic!("expected an error response, got {other:?}"),
    }
}
