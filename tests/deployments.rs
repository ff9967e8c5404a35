//! Per-deployment behaviour: operations a deployment does not publish are
//! refused before anything is sent, and every deployment's documented
//! examples (where they differ from the vendored GHEC ones, recorded in
//! `spec/deployment-examples.json` by `cargo xtask refresh-spec`) decode
//! through the facade types.

mod support;

use gha_runners::{Client, Deployment, Error};
use support::cases::{all_cases, run};
use support::loopback::{Loopback, Reply};

fn client(server: &Loopback, deployment: Option<Deployment>, check: bool) -> Client {
    let mut b = Client::builder().base_url(&server.base_url).token("t").check_availability(check);
    if let Some(d) = deployment {
        b = b.deployment(d);
    }
    b.build().unwrap()
}

#[tokio::test]
async fn hosted_runners_on_ghes_3_19_are_refused_without_a_request() {
    let server = Loopback::start(vec![]).await;
    let ghes = client(&server, Some(Deployment::enterprise_server("3.19")), true);
    let err = ghes.org("o").hosted_runners().list_page(Default::default()).await.unwrap_err();
    match &err {
        Error::Unsupported { operation, deployment, first_ghes } => {
            assert_eq!(*operation, "actions/list-hosted-runners-for-org");
            assert_eq!(deployment, "GitHub Enterprise Server 3.19");
            assert_eq!(first_ghes, &None);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("check_availability(false)"), "{err}");
    // The escape hatch refuses too.
    let raw = ghes.raw().actions_list_hosted_runners_for_org("o", None, None).await.unwrap_err();
    assert!(raw.to_string().contains("not available on GitHub Enterprise Server 3.19"), "{raw}");
    // An operation GHES 3.18 lacks names the first release that has it.
    let old = client(&server, Some(Deployment::enterprise_server("3.18")), true);
    match old.org("o").runner_permissions().get().await.unwrap_err() {
        Error::Unsupported { first_ghes: Some(v), .. } => assert_eq!(v, "3.19"),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.requests().len(), 0, "nothing was sent");
}

#[tokio::test]
async fn published_operations_and_a_disabled_check_go_through() {
    let body = support::spec::doc_fixture("actions/list-self-hosted-runners-for-org.200.default");
    let hosted = support::spec::example_payload("actions/list-hosted-runners-for-org.200.default");
    let server = Loopback::start(vec![Reply::json(200, &body), Reply::json(200, &hosted)]).await;
    let ghes = client(&server, Some(Deployment::enterprise_server("3.19")), true);
    ghes.org("o").runners().list_page(&Default::default(), Default::default()).await.unwrap();
    let unchecked = client(&server, Some(Deployment::enterprise_server("3.19")), false);
    unchecked.org("o").hosted_runners().list_page(Default::default()).await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn api_github_com_defaults_to_github_com_where_enterprises_do_not_exist() {
    let github = Client::builder().token("t").build().unwrap();
    assert_eq!(github.deployment(), Some(&Deployment::GitHubCom));
    let err = github.enterprise("e").runners().registration_token().await.unwrap_err();
    assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    assert!(err.to_string().contains("Deployment::EnterpriseCloud"), "says how to fix it: {err}");
    let ghec = Client::builder().deployment(Deployment::EnterpriseCloud).build().unwrap();
    assert_eq!(ghec.deployment(), Some(&Deployment::EnterpriseCloud));
    let residency = Client::builder().base_url("https://api.octocorp.ghe.com").build().unwrap();
    assert_eq!(residency.deployment(), Some(&Deployment::EnterpriseCloud));
    let ghes = Client::builder().base_url("https://ghe.example.com").build().unwrap();
    assert_eq!(ghes.deployment(), None, "a GHES host without a version is not checked");
}

#[tokio::test]
async fn every_deployments_documented_examples_decode_through_the_facade() {
    let spec = support::spec::spec();
    let examples = support::spec::read_json(&support::spec::root().join("spec/deployment-examples.json"));
    let cases = all_cases();
    let mut checked = 0;
    let mut failures = Vec::new();
    for (deployment, by_key) in examples.as_object().expect("object") {
        for (key, value) in by_key.as_object().expect("object") {
            let mut parts = key.splitn(3, '.');
            let (op, status) = (parts.next().unwrap_or_default(), parts.next().unwrap_or_default());
            let Some(case) = cases.iter().find(|c| c.op == op && c.status.to_string() == status) else {
                failures.push(format!("{deployment} {key}: no facade case for {op} {status}"));
                continue;
            };
            if let Err(why) = run(case, &spec, Some(value.clone())).await {
                failures.push(format!("{deployment} {key}: {why}"));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 27, "checked {checked} deployment examples");
}
