//! REST API versions: what the client sends by default and when pinned,
//! a deployment that does not serve a version refusing it before anything
//! is sent, the fake answering each version in its own shape (and 400 for
//! one GitHub does not serve), and `rate_limit_status()` under both.

mod support;

use futures::TryStreamExt;
use gha_runners::testkit::{FakeGitHub, FakeScope};
use gha_runners::{ApiVersion, Client, Deployment, Error};
use support::loopback::{Loopback, Reply};

fn fake() -> gha_runners::testkit::FakeGitHubBuilder {
    FakeGitHub::builder().org("octo-org").runner_group(FakeScope::org("octo-org"), 7, "group-7")
}

async fn client(fake: &FakeGitHub, version: ApiVersion) -> Client {
    Client::builder().base_url(fake.base_url()).token(fake.token()).api_version(version).build().unwrap()
}

/// The body the fake logged for the last answer to `operation`.
fn last_body(fake: &FakeGitHub, operation: &str) -> serde_json::Value {
    let responses = fake.responses();
    let r = responses.iter().rev().find(|r| r.operation == operation).expect("the fake answered it");
    r.body.clone().expect("a body")
}

#[tokio::test]
async fn rate_limit_status_decodes_under_both_versions_and_2026_has_no_rate() {
    let fake = fake().start().await;
    for version in ApiVersion::KNOWN {
        let c = client(&fake, version.clone()).await;
        let status = c.rate_limit_status().await.unwrap_or_else(|e| panic!("{version}: {e}"));
        assert_eq!(status.resources.core.limit, 5000, "{version}");
        let body = last_body(&fake, "rate-limit/get");
        let has_rate = body.get("rate").is_some();
        assert_eq!(has_rate, *version == ApiVersion::V2022_11_28, "{version}: {body}");
        assert_eq!(status.rate.is_some(), has_rate, "{version}");
    }
}

#[tokio::test]
async fn repository_lists_lose_what_2026_removed() {
    let fake = fake().start().await;
    for version in ApiVersion::KNOWN {
        let c = client(&fake, version.clone()).await;
        let org = c.org("octo-org");
        org.runner_groups().add_repository(7, 100).await.unwrap();
        org.runner_permissions().enable_repository(100).await.unwrap();
        let in_group: Vec<_> = org.runner_groups().repositories(7).try_collect().await.unwrap();
        let enabled: Vec<_> = org.runner_permissions().repositories().try_collect().await.unwrap();
        assert_eq!((in_group.len(), enabled.len()), (1, 1), "{version}");
        let old = *version == ApiVersion::V2022_11_28;
        assert_eq!(in_group[0].has_downloads.is_some(), old, "{version}: minimal-repository has_downloads");
        // (`repository.has_downloads` decodes with GitHub's documented default when absent.)
        // Anywhere in the answers, nested copies (`template_repository`) included.
        for operation in [
            "actions/list-selected-repositories-self-hosted-runners-organization",
            "actions/list-repo-access-to-self-hosted-runner-group-in-org",
        ] {
            let text = last_body(&fake, operation).to_string();
            assert_eq!(text.contains("\"has_downloads\""), old, "{version} {operation}: {text}");
        }
    }
}

#[tokio::test]
async fn the_fake_serves_2022_11_28_without_a_header_and_refuses_unknown_versions() {
    let fake = fake().start().await;
    // A raw reqwest client needs rustls's provider, which only a
    // gha-runners client installs: alone in its process (nextest), none is.
    gha_runners::install_crypto_provider();
    let http = reqwest::Client::new();
    let get = |version: Option<&str>| {
        let mut req = http.get(format!("{}/rate_limit", fake.base_url())).bearer_auth(fake.token());
        if let Some(v) = version {
            req = req.header("x-github-api-version", v);
        }
        req.send()
    };
    let plain: serde_json::Value = get(None).await.unwrap().json().await.unwrap();
    assert!(plain.get("rate").is_some(), "no header: 2022-11-28");
    for bad in ["2021-01-01", "latest", "2026-03-10 ; x"] {
        let answer = get(Some(bad)).await.unwrap();
        assert_eq!(answer.status(), 400, "{bad}");
        let body: serde_json::Value = answer.json().await.unwrap();
        assert!(body["message"].as_str().unwrap().contains("X-GitHub-Api-Version"), "{body}");
    }
    // Through the client, the 400 is an API error naming the version.
    let c = client(&fake, ApiVersion::from("2030-01-01")).await;
    let err = c.org("octo-org").runners().get(1).await.unwrap_err();
    assert!(err.to_string().contains("2030-01-01"), "{err}");
}

#[tokio::test]
async fn the_default_is_the_newest_version_the_deployment_serves() {
    for (deployment, expected) in [
        (Some(Deployment::GitHubCom), "2026-03-10"),
        (Some(Deployment::EnterpriseCloud), "2026-03-10"),
        (Some(Deployment::enterprise_server("3.19")), "2022-11-28"),
        (Some(Deployment::enterprise_server("3.17")), "2022-11-28"),
        (None, "2022-11-28"),
    ] {
        let server = Loopback::always(Reply::json(
            200,
            &support::spec::doc_fixture("actions/get-self-hosted-runner-for-org.200.default"),
        ))
        .await;
        let mut b = Client::builder().base_url(&server.base_url).token("t");
        if let Some(d) = deployment.clone() {
            b = b.deployment(d);
        }
        let c = b.build().unwrap();
        assert_eq!(c.api_version().as_str(), expected, "{deployment:?}");
        c.org("o").runners().get(1).await.unwrap();
        assert_eq!(server.requests()[0].header("x-github-api-version"), Some(expected), "{deployment:?}");
    }
}

#[test]
fn hosts_imply_their_deployment_s_newest_version() {
    for (base, expected) in [
        ("https://api.github.com", "2026-03-10"),
        ("https://api.acme.ghe.com", "2026-03-10"),
        ("https://ghe.example.com", "2022-11-28"),
        ("https://ghe.example.com/api/v3", "2022-11-28"),
    ] {
        let c = Client::builder().base_url(base).token("t").build().unwrap();
        assert_eq!(c.api_version().as_str(), expected, "{base}");
    }
}

#[tokio::test]
async fn a_ghes_3_19_client_refuses_2026_03_10_before_sending() {
    let server = Loopback::always(Reply::json(200, &serde_json::json!({}))).await;
    let builder = Client::builder()
        .base_url(&server.base_url)
        .token("t")
        .deployment(Deployment::enterprise_server("3.19"))
        .api_version(ApiVersion::V2026_03_10);
    let err = builder.clone().build().unwrap_err();
    match &err {
        Error::UnsupportedApiVersion { version, deployment, supported } => {
            assert_eq!(version, "2026-03-10");
            assert_eq!(deployment, "GitHub Enterprise Server 3.19");
            assert_eq!(supported, &["2022-11-28"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("GitHub Enterprise Server 3.19") && err.to_string().contains("2026-03-10"));
    // Spelled as a custom version, it is still the known one, and refused.
    let custom = builder.clone().api_version(ApiVersion::Custom("2026-03-10".into())).build();
    assert!(matches!(custom, Err(Error::UnsupportedApiVersion { .. })), "{custom:?}");
    // With the availability check off, the caller takes the risk: it is sent.
    let unchecked = builder.check_availability(false).build().unwrap();
    let _ = unchecked.org("o").runners().get(1).await;
    assert_eq!(server.requests()[0].header("x-github-api-version"), Some("2026-03-10"));
    // A malformed custom version fails too, whatever the deployment.
    let typo = Client::builder().base_url(&server.base_url).token("t").api_version("2026-3-10").build();
    assert!(matches!(typo, Err(Error::InvalidInput { field: "api_version", .. })), "{typo:?}");
}
