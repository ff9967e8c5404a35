//! The table of facade calls, one per runner operation of `spec/`, and the
//! runner that checks one against a loopback server.
#![allow(clippy::type_complexity)]

use super::loopback::{Loopback, Reply};
use futures::future::BoxFuture;
use gha_runners::types::*;
use gha_runners::{Client, CursorRequest, Error, PageRequest};
use serde_json::{Value, json};

const TOKEN: &str = "ghp_facadeTestToken";
const ENT: &str = "octo-ent";
const ORG: &str = "octo-org";
const OWNER: &str = "octo-org";
const REPO: &str = "octo-repo";

pub type Call = Box<dyn Fn(Client) -> BoxFuture<'static, Result<String, Error>>>;

pub struct Case {
    pub op: &'static str,
    pub status: u16,
    pub request: &'static str,
    pub body: Option<Value>,
    pub call: Call,
}

macro_rules! case {
    ($op:expr, $status:literal, $request:expr, $body:expr, |$c:ident| $call:expr) => {
        Case {
            op: $op,
            status: $status,
            request: $request,
            body: $body,
            call: Box::new(|$c: Client| Box::pin(async move { $call.await.map(|v| format!("{v:?}")) })),
        }
    };
}

fn page1() -> PageRequest {
    PageRequest::default()
}

fn runner_cases() -> Vec<Case> {
    vec![
        // enterprise
        case!(
            "enterprise-admin/list-self-hosted-runners-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runners?page=1&per_page=100",
            None,
            |c| async move { c.enterprise(ENT).runners().list_page(&Default::default(), page1()).await }
        ),
        case!(
            "enterprise-admin/get-self-hosted-runner-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runners/42",
            None,
            |c| async move { c.enterprise(ENT).runners().get(42).await }
        ),
        case!(
            "enterprise-admin/delete-self-hosted-runner-from-enterprise",
            204,
            "DELETE /enterprises/octo-ent/actions/runners/42",
            None,
            |c| async move { c.enterprise(ENT).runners().delete(42).await }
        ),
        case!(
            "enterprise-admin/list-labels-for-self-hosted-runner-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runners/42/labels",
            None,
            |c| async move { c.enterprise(ENT).runners().labels(42).await }
        ),
        case!(
            "enterprise-admin/add-custom-labels-to-self-hosted-runner-for-enterprise",
            200,
            "POST /enterprises/octo-ent/actions/runners/42/labels",
            Some(json!({"labels": ["gpu", "x64"]})),
            |c| async move { c.enterprise(ENT).runners().add_labels(42, &["gpu", "x64"]).await }
        ),
        case!(
            "enterprise-admin/set-custom-labels-for-self-hosted-runner-for-enterprise",
            200,
            "PUT /enterprises/octo-ent/actions/runners/42/labels",
            Some(json!({"labels": ["gpu"]})),
            |c| async move { c.enterprise(ENT).runners().set_labels(42, &["gpu"]).await }
        ),
        case!(
            "enterprise-admin/remove-all-custom-labels-from-self-hosted-runner-for-enterprise",
            200,
            "DELETE /enterprises/octo-ent/actions/runners/42/labels",
            None,
            |c| async move { c.enterprise(ENT).runners().clear_labels(42).await }
        ),
        case!(
            "enterprise-admin/remove-custom-label-from-self-hosted-runner-for-enterprise",
            200,
            "DELETE /enterprises/octo-ent/actions/runners/42/labels/gpu",
            None,
            |c| async move { c.enterprise(ENT).runners().remove_label(42, "gpu").await }
        ),
        case!(
            "enterprise-admin/create-registration-token-for-enterprise",
            201,
            "POST /enterprises/octo-ent/actions/runners/registration-token",
            None,
            |c| async move { c.enterprise(ENT).runners().registration_token().await }
        ),
        case!(
            "enterprise-admin/create-remove-token-for-enterprise",
            201,
            "POST /enterprises/octo-ent/actions/runners/remove-token",
            None,
            |c| async move { c.enterprise(ENT).runners().remove_token().await }
        ),
        case!(
            "actions/generate-runner-jitconfig-for-enterprise",
            201,
            "POST /enterprises/octo-ent/actions/runners/generate-jitconfig",
            Some(json!({"name": "jit-1", "runner_group_id": 1, "labels": ["self-hosted", "linux"]})),
            |c| async move {
                c.enterprise(ENT).runners().jit_config(&JitConfigRequest::new("jit-1", ["self-hosted", "linux"])).await
            }
        ),
        case!(
            "enterprise-admin/list-runner-applications-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runners/downloads",
            None,
            |c| async move { c.enterprise(ENT).runners().downloads().await }
        ),
        case!(
            "enterprise-admin/get-runner-version-deprecation-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runners/deprecations/2.300.0",
            None,
            |c| async move { c.enterprise(ENT).runners().deprecation("2.300.0").await }
        ),
        // organization
        case!(
            "actions/list-self-hosted-runners-for-org",
            200,
            "GET /orgs/octo-org/actions/runners?name=build-1&page=2&per_page=50",
            None,
            |c| async move { c.org(ORG).runners().list_page(&ListRunners::named("build-1"), PageRequest::new(2, 50)).await }
        ),
        case!(
            "actions/get-self-hosted-runner-for-org",
            200,
            "GET /orgs/octo-org/actions/runners/42",
            None,
            |c| async move { c.org(ORG).runners().get(42).await }
        ),
        case!(
            "actions/delete-self-hosted-runner-from-org",
            204,
            "DELETE /orgs/octo-org/actions/runners/42",
            None,
            |c| async move { c.org(ORG).runners().delete(42).await }
        ),
        case!(
            "actions/list-labels-for-self-hosted-runner-for-org",
            200,
            "GET /orgs/octo-org/actions/runners/42/labels",
            None,
            |c| async move { c.org(ORG).runners().labels(42).await }
        ),
        case!(
            "actions/add-custom-labels-to-self-hosted-runner-for-org",
            200,
            "POST /orgs/octo-org/actions/runners/42/labels",
            Some(json!({"labels": ["gpu"]})),
            |c| async move { c.org(ORG).runners().add_labels(42, &["gpu"]).await }
        ),
        case!(
            "actions/set-custom-labels-for-self-hosted-runner-for-org",
            200,
            "PUT /orgs/octo-org/actions/runners/42/labels",
            Some(json!({"labels": []})),
            |c| async move { c.org(ORG).runners().set_labels::<&str>(42, &[]).await }
        ),
        case!(
            "actions/remove-all-custom-labels-from-self-hosted-runner-for-org",
            200,
            "DELETE /orgs/octo-org/actions/runners/42/labels",
            None,
            |c| async move { c.org(ORG).runners().clear_labels(42).await }
        ),
        case!(
            "actions/remove-custom-label-from-self-hosted-runner-for-org",
            200,
            "DELETE /orgs/octo-org/actions/runners/42/labels/gpu",
            None,
            |c| async move { c.org(ORG).runners().remove_label(42, "gpu").await }
        ),
        case!(
            "actions/create-registration-token-for-org",
            201,
            "POST /orgs/octo-org/actions/runners/registration-token",
            None,
            |c| async move { c.org(ORG).runners().registration_token().await }
        ),
        case!(
            "actions/create-remove-token-for-org",
            201,
            "POST /orgs/octo-org/actions/runners/remove-token",
            None,
            |c| async move { c.org(ORG).runners().remove_token().await }
        ),
        case!(
            "actions/generate-runner-jitconfig-for-org",
            201,
            "POST /orgs/octo-org/actions/runners/generate-jitconfig",
            Some(json!({"name": "jit-2", "runner_group_id": 3, "labels": ["gpu"], "work_folder": "_w"})),
            |c| async move {
                c.org(ORG)
                    .runners()
                    .jit_config(&JitConfigRequest::new("jit-2", ["gpu"]).runner_group_id(3).work_folder("_w"))
                    .await
            }
        ),
        case!(
            "actions/list-runner-applications-for-org",
            200,
            "GET /orgs/octo-org/actions/runners/downloads",
            None,
            |c| async move { c.org(ORG).runners().downloads().await }
        ),
        case!(
            "actions/get-runner-version-deprecation-for-org",
            200,
            "GET /orgs/octo-org/actions/runners/deprecations/2.300.0",
            None,
            |c| async move { c.org(ORG).runners().deprecation("2.300.0").await }
        ),
        // repository
        case!(
            "actions/get-job-for-workflow-run",
            200,
            "GET /repos/octo-org/octo-repo/actions/jobs/399444496",
            None,
            |c| async move { c.repo(OWNER, REPO).jobs().get(399444496).await }
        ),
        case!(
            "actions/list-jobs-for-workflow-run",
            200,
            "GET /repos/octo-org/octo-repo/actions/runs/29679449/jobs?filter=all&page=1&per_page=100",
            None,
            |c| async move {
                c.repo(OWNER, REPO).jobs().list_page(29679449, gha_runners::api::JobFilter::All, page1()).await
            }
        ),
        case!(
            "actions/list-jobs-for-workflow-run-attempt",
            200,
            "GET /repos/octo-org/octo-repo/actions/runs/29679449/attempts/1/jobs?page=1&per_page=100",
            None,
            |c| async move { c.repo(OWNER, REPO).jobs().list_for_attempt_page(29679449, 1, page1()).await }
        ),
        case!(
            "actions/list-self-hosted-runners-for-repo",
            200,
            "GET /repos/octo-org/octo-repo/actions/runners?page=1&per_page=100",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().list_page(&Default::default(), page1()).await }
        ),
        case!(
            "actions/get-self-hosted-runner-for-repo",
            200,
            "GET /repos/octo-org/octo-repo/actions/runners/42",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().get(42).await }
        ),
        case!(
            "actions/delete-self-hosted-runner-from-repo",
            204,
            "DELETE /repos/octo-org/octo-repo/actions/runners/42",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().delete(42).await }
        ),
        case!(
            "actions/list-labels-for-self-hosted-runner-for-repo",
            200,
            "GET /repos/octo-org/octo-repo/actions/runners/42/labels",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().labels(42).await }
        ),
        case!(
            "actions/add-custom-labels-to-self-hosted-runner-for-repo",
            200,
            "POST /repos/octo-org/octo-repo/actions/runners/42/labels",
            Some(json!({"labels": ["gpu"]})),
            |c| async move { c.repo(OWNER, REPO).runners().add_labels(42, &["gpu"]).await }
        ),
        case!(
            "actions/set-custom-labels-for-self-hosted-runner-for-repo",
            200,
            "PUT /repos/octo-org/octo-repo/actions/runners/42/labels",
            Some(json!({"labels": ["a", "b"]})),
            |c| async move { c.repo(OWNER, REPO).runners().set_labels(42, &["a", "b"]).await }
        ),
        case!(
            "actions/remove-all-custom-labels-from-self-hosted-runner-for-repo",
            200,
            "DELETE /repos/octo-org/octo-repo/actions/runners/42/labels",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().clear_labels(42).await }
        ),
        case!(
            "actions/remove-custom-label-from-self-hosted-runner-for-repo",
            200,
            "DELETE /repos/octo-org/octo-repo/actions/runners/42/labels/gpu",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().remove_label(42, "gpu").await }
        ),
        case!(
            "actions/create-registration-token-for-repo",
            201,
            "POST /repos/octo-org/octo-repo/actions/runners/registration-token",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().registration_token().await }
        ),
        case!(
            "actions/create-remove-token-for-repo",
            201,
            "POST /repos/octo-org/octo-repo/actions/runners/remove-token",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().remove_token().await }
        ),
        case!(
            "actions/generate-runner-jitconfig-for-repo",
            201,
            "POST /repos/octo-org/octo-repo/actions/runners/generate-jitconfig",
            Some(json!({"name": "jit-3", "runner_group_id": 1, "labels": ["self-hosted"]})),
            |c| async move {
                c.repo(OWNER, REPO).runners().jit_config(&JitConfigRequest::new("jit-3", ["self-hosted"])).await
            }
        ),
        case!(
            "actions/list-runner-applications-for-repo",
            200,
            "GET /repos/octo-org/octo-repo/actions/runners/downloads",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().downloads().await }
        ),
        case!(
            "actions/get-runner-version-deprecation-for-repo",
            200,
            "GET /repos/octo-org/octo-repo/actions/runners/deprecations/2.300.0",
            None,
            |c| async move { c.repo(OWNER, REPO).runners().deprecation("2.300.0").await }
        ),
    ]
}

fn group_cases() -> Vec<Case> {
    vec![
        // organization
        case!(
            "actions/list-self-hosted-runner-groups-for-org",
            200,
            "GET /orgs/octo-org/actions/runner-groups?page=1&per_page=100&visible_to_repository=octo-repo",
            None,
            |c| async move { c.org(ORG).runner_groups().list_page(&ListRunnerGroups::visible_to(REPO), page1()).await }
        ),
        case!(
            "actions/create-self-hosted-runner-group-for-org",
            201,
            "POST /orgs/octo-org/actions/runner-groups",
            Some(json!({"name": "gpu", "visibility": "selected", "selected_repository_ids": [1, 2], "runners": [42]})),
            |c| async move {
                c.org(ORG)
                    .runner_groups()
                    .create(
                        &NewRunnerGroup::new("gpu")
                            .visibility(Visibility::Selected)
                            .selected_repository_ids(vec![1, 2])
                            .runners(vec![42]),
                    )
                    .await
            }
        ),
        case!(
            "actions/get-self-hosted-runner-group-for-org",
            200,
            "GET /orgs/octo-org/actions/runner-groups/7",
            None,
            |c| async move { c.org(ORG).runner_groups().get(7).await }
        ),
        case!(
            "actions/update-self-hosted-runner-group-for-org",
            200,
            "PATCH /orgs/octo-org/actions/runner-groups/7",
            Some(
                json!({"name": "gpu", "visibility": "private", "restricted_to_workflows": true, "selected_workflows": ["o/r/.github/workflows/ci.yml@main"]})
            ),
            |c| async move {
                c.org(ORG)
                    .runner_groups()
                    .update(
                        7,
                        &RunnerGroupUpdate::default()
                            .name("gpu")
                            .visibility(Visibility::Private)
                            .restricted_to_workflows(true)
                            .selected_workflows(["o/r/.github/workflows/ci.yml@main"]),
                    )
                    .await
            }
        ),
        case!(
            "actions/delete-self-hosted-runner-group-from-org",
            204,
            "DELETE /orgs/octo-org/actions/runner-groups/7",
            None,
            |c| async move { c.org(ORG).runner_groups().delete(7).await }
        ),
        case!(
            "actions/list-github-hosted-runners-in-group-for-org",
            200,
            "GET /orgs/octo-org/actions/runner-groups/7/hosted-runners?page=1&per_page=100",
            None,
            |c| async move { c.org(ORG).runner_groups().hosted_runners_page(7, page1()).await }
        ),
        case!(
            "actions/list-repo-access-to-self-hosted-runner-group-in-org",
            200,
            "GET /orgs/octo-org/actions/runner-groups/7/repositories?page=1&per_page=100",
            None,
            |c| async move { c.org(ORG).runner_groups().repositories_page(7, page1()).await }
        ),
        case!(
            "actions/set-repo-access-to-self-hosted-runner-group-in-org",
            204,
            "PUT /orgs/octo-org/actions/runner-groups/7/repositories",
            Some(json!({"selected_repository_ids": [1296269]})),
            |c| async move { c.org(ORG).runner_groups().set_repositories(7, &[1296269]).await }
        ),
        case!(
            "actions/add-repo-access-to-self-hosted-runner-group-in-org",
            204,
            "PUT /orgs/octo-org/actions/runner-groups/7/repositories/1296269",
            None,
            |c| async move { c.org(ORG).runner_groups().add_repository(7, 1296269).await }
        ),
        case!(
            "actions/remove-repo-access-to-self-hosted-runner-group-in-org",
            204,
            "DELETE /orgs/octo-org/actions/runner-groups/7/repositories/1296269",
            None,
            |c| async move { c.org(ORG).runner_groups().remove_repository(7, 1296269).await }
        ),
        case!(
            "actions/list-self-hosted-runners-in-group-for-org",
            200,
            "GET /orgs/octo-org/actions/runner-groups/7/runners?page=1&per_page=100",
            None,
            |c| async move { c.org(ORG).runner_groups().runners_page(7, page1()).await }
        ),
        case!(
            "actions/set-self-hosted-runners-in-group-for-org",
            204,
            "PUT /orgs/octo-org/actions/runner-groups/7/runners",
            Some(json!({"runners": [42, 43]})),
            |c| async move { c.org(ORG).runner_groups().set_runners(7, &[42, 43]).await }
        ),
        case!(
            "actions/add-self-hosted-runner-to-group-for-org",
            204,
            "PUT /orgs/octo-org/actions/runner-groups/7/runners/42",
            None,
            |c| async move { c.org(ORG).runner_groups().add_runner(7, 42).await }
        ),
        case!(
            "actions/remove-self-hosted-runner-from-group-for-org",
            204,
            "DELETE /orgs/octo-org/actions/runner-groups/7/runners/42",
            None,
            |c| async move { c.org(ORG).runner_groups().remove_runner(7, 42).await }
        ),
        // enterprise
        case!(
            "enterprise-admin/list-self-hosted-runner-groups-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runner-groups?page=1&per_page=100",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().list_page(&Default::default(), page1()).await }
        ),
        case!(
            "enterprise-admin/create-self-hosted-runner-group-for-enterprise",
            201,
            "POST /enterprises/octo-ent/actions/runner-groups",
            Some(json!({"name": "ent-gpu", "visibility": "all", "allows_public_repositories": false})),
            |c| async move {
                c.enterprise(ENT)
                    .runner_groups()
                    .create(
                        &NewEnterpriseRunnerGroup::new("ent-gpu")
                            .visibility(Visibility::All)
                            .allows_public_repositories(false),
                    )
                    .await
            }
        ),
        case!(
            "enterprise-admin/get-self-hosted-runner-group-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runner-groups/7",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().get(7).await }
        ),
        case!(
            "enterprise-admin/update-self-hosted-runner-group-for-enterprise",
            200,
            "PATCH /enterprises/octo-ent/actions/runner-groups/7",
            Some(json!({"visibility": "selected"})),
            |c| async move {
                c.enterprise(ENT)
                    .runner_groups()
                    .update(7, &RunnerGroupUpdate::default().visibility(Visibility::Selected))
                    .await
            }
        ),
        case!(
            "enterprise-admin/delete-self-hosted-runner-group-from-enterprise",
            204,
            "DELETE /enterprises/octo-ent/actions/runner-groups/7",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().delete(7).await }
        ),
        case!(
            "enterprise-admin/list-org-access-to-self-hosted-runner-group-in-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runner-groups/7/organizations?page=1&per_page=100",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().organizations_page(7, page1()).await }
        ),
        case!(
            "enterprise-admin/set-org-access-to-self-hosted-runner-group-in-enterprise",
            204,
            "PUT /enterprises/octo-ent/actions/runner-groups/7/organizations",
            Some(json!({"selected_organization_ids": [99, 100]})),
            |c| async move { c.enterprise(ENT).runner_groups().set_organizations(7, &[99, 100]).await }
        ),
        case!(
            "enterprise-admin/add-org-access-to-self-hosted-runner-group-in-enterprise",
            204,
            "PUT /enterprises/octo-ent/actions/runner-groups/7/organizations/99",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().add_organization(7, 99).await }
        ),
        case!(
            "enterprise-admin/remove-org-access-to-self-hosted-runner-group-in-enterprise",
            204,
            "DELETE /enterprises/octo-ent/actions/runner-groups/7/organizations/99",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().remove_organization(7, 99).await }
        ),
        case!(
            "enterprise-admin/list-self-hosted-runners-in-group-for-enterprise",
            200,
            "GET /enterprises/octo-ent/actions/runner-groups/7/runners?page=1&per_page=100",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().runners_page(7, page1()).await }
        ),
        case!(
            "enterprise-admin/set-self-hosted-runners-in-group-for-enterprise",
            204,
            "PUT /enterprises/octo-ent/actions/runner-groups/7/runners",
            Some(json!({"runners": [42]})),
            |c| async move { c.enterprise(ENT).runner_groups().set_runners(7, &[42]).await }
        ),
        case!(
            "enterprise-admin/add-self-hosted-runner-to-group-for-enterprise",
            204,
            "PUT /enterprises/octo-ent/actions/runner-groups/7/runners/42",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().add_runner(7, 42).await }
        ),
        case!(
            "enterprise-admin/remove-self-hosted-runner-from-group-for-enterprise",
            204,
            "DELETE /enterprises/octo-ent/actions/runner-groups/7/runners/42",
            None,
            |c| async move { c.enterprise(ENT).runner_groups().remove_runner(7, 42).await }
        ),
    ]
}

macro_rules! hosted_cases {
    ($scope:ident, $arg:expr, $prefix:literal, $suffix:literal) => {
        vec![
            case!(concat!("actions/list-hosted-runners-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners?page=1&per_page=100"), None,
                |c| async move { c.$scope($arg).hosted_runners().list_page(page1()).await }),
            case!(concat!("actions/create-hosted-runner-for-", $suffix), 201, concat!("POST ", $prefix, "/actions/hosted-runners"),
                Some(json!({"name": "ubuntu-4core", "image": {"id": "ubuntu-latest", "source": "github"}, "size": "4-core", "runner_group_id": 1, "maximum_runners": 10})),
                |c| async move { c.$scope($arg).hosted_runners().create(&NewHostedRunner::new("ubuntu-4core", ImageSelection::new("ubuntu-latest").source(ImageSource::Github), "4-core", 1i64).maximum_runners(10)).await }),
            case!(concat!("actions/get-hosted-runner-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/5"), None,
                |c| async move { c.$scope($arg).hosted_runners().get(5).await }),
            case!(concat!("actions/update-hosted-runner-for-", $suffix), 200, concat!("PATCH ", $prefix, "/actions/hosted-runners/5"), Some(json!({"maximum_runners": 20, "image_version": "1.0.0"})),
                |c| async move { c.$scope($arg).hosted_runners().update(5, &HostedRunnerUpdate::default().maximum_runners(20).image_version("1.0.0")).await }),
            case!(concat!("actions/delete-hosted-runner-for-", $suffix), 202, concat!("DELETE ", $prefix, "/actions/hosted-runners/5"), None,
                |c| async move { c.$scope($arg).hosted_runners().delete(5).await }),
            case!(concat!("actions/get-hosted-runners-github-owned-images-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/images/github-owned"), None,
                |c| async move { c.$scope($arg).hosted_runners().github_owned_images().await }),
            case!(concat!("actions/get-hosted-runners-partner-images-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/images/partner"), None,
                |c| async move { c.$scope($arg).hosted_runners().partner_images().await }),
            case!(concat!("actions/list-custom-images-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/images/custom"), None,
                |c| async move { c.$scope($arg).hosted_runners().custom_images().await }),
            case!(concat!("actions/get-custom-image-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/images/custom/1"), None,
                |c| async move { c.$scope($arg).hosted_runners().custom_image(1).await }),
            case!(concat!("actions/delete-custom-image-from-", $suffix), 204, concat!("DELETE ", $prefix, "/actions/hosted-runners/images/custom/1"), None,
                |c| async move { c.$scope($arg).hosted_runners().delete_custom_image(1).await }),
            case!(concat!("actions/list-custom-image-versions-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/images/custom/1/versions"), None,
                |c| async move { c.$scope($arg).hosted_runners().custom_image_versions(1).await }),
            case!(concat!("actions/get-custom-image-version-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/images/custom/1/versions/1.0.0"), None,
                |c| async move { c.$scope($arg).hosted_runners().custom_image_version(1, "1.0.0").await }),
            case!(concat!("actions/delete-custom-image-version-from-", $suffix), 204, concat!("DELETE ", $prefix, "/actions/hosted-runners/images/custom/1/versions/1.0.0"), None,
                |c| async move { c.$scope($arg).hosted_runners().delete_custom_image_version(1, "1.0.0").await }),
            case!(concat!("actions/get-hosted-runners-limits-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/limits"), None,
                |c| async move { c.$scope($arg).hosted_runners().limits().await }),
            case!(concat!("actions/get-hosted-runners-machine-specs-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/machine-sizes"), None,
                |c| async move { c.$scope($arg).hosted_runners().machine_sizes().await }),
            case!(concat!("actions/get-hosted-runners-platforms-for-", $suffix), 200, concat!("GET ", $prefix, "/actions/hosted-runners/platforms"), None,
                |c| async move { c.$scope($arg).hosted_runners().platforms().await }),
        ]
    };
}

fn network_and_permission_cases() -> Vec<Case> {
    vec![
        case!(
            "hosted-compute/list-network-configurations-for-org",
            200,
            "GET /orgs/octo-org/settings/network-configurations?page=1&per_page=100",
            None,
            |c| async move { c.org(ORG).network_configurations().list_page(page1()).await }
        ),
        case!(
            "hosted-compute/create-network-configuration-for-org",
            201,
            "POST /orgs/octo-org/settings/network-configurations",
            Some(json!({"name": "net", "network_settings_ids": ["ns-1"], "compute_service": "actions"})),
            |c| async move {
                c.org(ORG)
                    .network_configurations()
                    .create(&NewNetworkConfiguration::new("net", ["ns-1"]).compute_service(ComputeService::Actions))
                    .await
            }
        ),
        case!(
            "hosted-compute/get-network-configuration-for-org",
            200,
            "GET /orgs/octo-org/settings/network-configurations/net-1",
            None,
            |c| async move { c.org(ORG).network_configurations().get("net-1").await }
        ),
        case!(
            "hosted-compute/update-network-configuration-for-org",
            200,
            "PATCH /orgs/octo-org/settings/network-configurations/net-1",
            Some(json!({"name": "renamed"})),
            |c| async move {
                c.org(ORG)
                    .network_configurations()
                    .update("net-1", &NetworkConfigurationUpdate::default().name("renamed"))
                    .await
            }
        ),
        case!(
            "hosted-compute/delete-network-configuration-from-org",
            204,
            "DELETE /orgs/octo-org/settings/network-configurations/net-1",
            None,
            |c| async move { c.org(ORG).network_configurations().delete("net-1").await }
        ),
        case!(
            "hosted-compute/list-network-configurations-for-enterprise",
            200,
            "GET /enterprises/octo-ent/network-configurations?page=1&per_page=100",
            None,
            |c| async move { c.enterprise(ENT).network_configurations().list_page(page1()).await }
        ),
        case!(
            "hosted-compute/create-network-configuration-for-enterprise",
            201,
            "POST /enterprises/octo-ent/network-configurations",
            Some(
                json!({"name": "net", "network_settings_ids": ["ns-1"], "failover_network_enabled": true, "failover_network_settings_ids": ["ns-2"]})
            ),
            |c| async move {
                c.enterprise(ENT)
                    .network_configurations()
                    .create(
                        &NewNetworkConfiguration::new("net", ["ns-1"])
                            .failover_network_enabled(true)
                            .failover_network_settings_ids(["ns-2"]),
                    )
                    .await
            }
        ),
        case!(
            "hosted-compute/get-network-configuration-for-enterprise",
            200,
            "GET /enterprises/octo-ent/network-configurations/net-1",
            None,
            |c| async move { c.enterprise(ENT).network_configurations().get("net-1").await }
        ),
        case!(
            "hosted-compute/update-network-configuration-for-enterprise",
            200,
            "PATCH /enterprises/octo-ent/network-configurations/net-1",
            Some(json!({"compute_service": "none"})),
            |c| async move {
                c.enterprise(ENT)
                    .network_configurations()
                    .update("net-1", &NetworkConfigurationUpdate::default().compute_service(ComputeService::None))
                    .await
            }
        ),
        case!(
            "hosted-compute/delete-network-configuration-from-enterprise",
            204,
            "DELETE /enterprises/octo-ent/network-configurations/net-1",
            None,
            |c| async move { c.enterprise(ENT).network_configurations().delete("net-1").await }
        ),
        case!(
            "actions/get-self-hosted-runners-permissions-organization",
            200,
            "GET /orgs/octo-org/actions/permissions/self-hosted-runners",
            None,
            |c| async move { c.org(ORG).runner_permissions().get().await }
        ),
        case!(
            "actions/set-self-hosted-runners-permissions-organization",
            204,
            "PUT /orgs/octo-org/actions/permissions/self-hosted-runners",
            Some(json!({"enabled_repositories": "selected"})),
            |c| async move { c.org(ORG).runner_permissions().set(EnabledRepositories::Selected).await }
        ),
        case!(
            "actions/list-selected-repositories-self-hosted-runners-organization",
            200,
            "GET /orgs/octo-org/actions/permissions/self-hosted-runners/repositories?page=1&per_page=100",
            None,
            |c| async move { c.org(ORG).runner_permissions().repositories_page(page1()).await }
        ),
        case!(
            "actions/set-selected-repositories-self-hosted-runners-organization",
            204,
            "PUT /orgs/octo-org/actions/permissions/self-hosted-runners/repositories",
            Some(json!({"selected_repository_ids": [1, 2]})),
            |c| async move { c.org(ORG).runner_permissions().set_repositories(&[1, 2]).await }
        ),
        case!(
            "actions/enable-selected-repository-self-hosted-runners-organization",
            204,
            "PUT /orgs/octo-org/actions/permissions/self-hosted-runners/repositories/1296269",
            None,
            |c| async move { c.org(ORG).runner_permissions().enable_repository(1296269).await }
        ),
        case!(
            "actions/disable-selected-repository-self-hosted-runners-organization",
            204,
            "DELETE /orgs/octo-org/actions/permissions/self-hosted-runners/repositories/1296269",
            None,
            |c| async move { c.org(ORG).runner_permissions().disable_repository(1296269).await }
        ),
        case!(
            "enterprise-admin/get-self-hosted-runners-permissions",
            200,
            "GET /enterprises/octo-ent/actions/permissions/self-hosted-runners",
            None,
            |c| async move { c.enterprise(ENT).runner_permissions().get().await }
        ),
        case!(
            "enterprise-admin/set-self-hosted-runners-permissions",
            204,
            "PUT /enterprises/octo-ent/actions/permissions/self-hosted-runners",
            Some(json!({"disable_self_hosted_runners_for_all_orgs": true})),
            |c| async move { c.enterprise(ENT).runner_permissions().set(true).await }
        ),
    ]
}

fn delivery_and_reconcile_cases() -> Vec<Case> {
    vec![
        case!("apps/list-webhook-deliveries", 200, "GET /app/hook/deliveries?per_page=100", None, |c| async move {
            c.app().deliveries().list_page(&CursorRequest::default(), None).await
        }),
        case!("apps/get-webhook-delivery", 200, "GET /app/hook/deliveries/1", None, |c| async move {
            c.app().deliveries().get(1).await
        }),
        case!("apps/redeliver-webhook-delivery", 202, "POST /app/hook/deliveries/1/attempts", None, |c| async move {
            c.app().deliveries().redeliver(1).await
        }),
        case!(
            "orgs/list-webhook-deliveries",
            200,
            "GET /orgs/octo-org/hooks/1/deliveries?cursor=v1_16&per_page=100&status=failure",
            None,
            |c| async move {
                c.org(ORG)
                    .hook(1)
                    .deliveries()
                    .list_page(&CursorRequest::after("v1_16"), Some(gha_runners::api::DeliveryOutcome::Failure))
                    .await
            }
        ),
        case!("orgs/get-webhook-delivery", 200, "GET /orgs/octo-org/hooks/1/deliveries/1", None, |c| async move {
            c.org(ORG).hook(1).deliveries().get(1).await
        }),
        case!(
            "orgs/redeliver-webhook-delivery",
            202,
            "POST /orgs/octo-org/hooks/1/deliveries/1/attempts",
            None,
            |c| async move { c.org(ORG).hook(1).deliveries().redeliver(1).await }
        ),
        case!(
            "actions/list-workflow-runs-for-repo",
            200,
            "GET /repos/octo-org/octo-repo/actions/runs?page=1&per_page=100&status=queued",
            None,
            |c| async move { c.repo(OWNER, REPO).workflow_runs().list_page(Some(RunStatus::Queued), page1()).await }
        ),
        case!(
            "apps/list-repos-accessible-to-installation",
            200,
            "GET /installation/repositories?page=1&per_page=100",
            None,
            |c| async move { c.installation().repositories_page(page1()).await }
        ),
    ]
}

pub fn all_cases() -> Vec<Case> {
    let mut cases = runner_cases();
    cases.extend(group_cases());
    cases.extend(hosted_cases!(org, ORG, "/orgs/octo-org", "org"));
    cases.extend(hosted_cases!(enterprise, ENT, "/enterprises/octo-ent", "enterprise"));
    cases.extend(network_and_permission_cases());
    cases.extend(delivery_and_reconcile_cases());
    cases
}

/// Runs one case; returns what it checked or why it failed.
pub async fn run(case: &Case, spec: &Value, payload: Option<Value>) -> Result<(), String> {
    run_as(case, spec, payload, None).await
}

/// [`run`] with the client pinned to a REST API version (`None`: the
/// client's default for a loopback host, 2022-11-28).
pub async fn run_as(case: &Case, spec: &Value, payload: Option<Value>, version: Option<&str>) -> Result<(), String> {
    let reply = match payload.or_else(|| super::spec::response_payload(case.op, case.status)) {
        Some(body) => Reply::json(case.status, &body),
        None if case.status == 204 => Reply { status: 204, headers: vec![], body: vec![] },
        None => {
            return Err(format!("no documented example for {} {}", case.op, case.status));
        }
    };
    let server = Loopback::start(vec![reply]).await;
    let mut builder = Client::builder().base_url(&server.base_url).token(TOKEN);
    if let Some(version) = version {
        builder = builder.api_version(version);
    }
    let client = builder.build().map_err(|e| e.to_string())?;
    let outcome = (case.call)(client).await;
    let reqs = server.requests();
    let decoded = outcome.map_err(|e| format!("call failed: {e}"))?;
    let [req] = reqs.as_slice() else {
        return Err(format!("{} requests sent, expected 1", reqs.len()));
    };
    let line = req.request_line.strip_suffix(" HTTP/1.1").unwrap_or(&req.request_line);
    if line != case.request {
        return Err(format!("sent `{line}`, expected `{}`", case.request));
    }
    let (method, target) = line.split_once(' ').ok_or("bad request line")?;
    let path = target.split('?').next().unwrap_or(target);
    let matched = super::spec::operation_for(spec, method, path);
    if matched.as_deref() != Some(case.op) {
        return Err(format!("`{line}` is operation {matched:?} in spec/, not {}", case.op));
    }
    let expect = [
        ("authorization", format!("Bearer {TOKEN}")),
        ("accept", "application/vnd.github+json".to_string()),
        ("x-github-api-version", version.unwrap_or("2022-11-28").to_string()),
        ("user-agent", concat!("gha-runners/", env!("CARGO_PKG_VERSION")).to_string()),
    ];
    for (name, value) in expect {
        if req.header(name) != Some(value.as_str()) {
            return Err(format!("header {name}: {:?}, expected {value:?}", req.header(name)));
        }
    }
    if req.header("api-version").is_some() {
        return Err("sent progenitor's api-version header".into());
    }
    match &case.body {
        Some(expected) => {
            let sent: Value = serde_json::from_slice(&req.body).map_err(|e| format!("body is not JSON: {e}"))?;
            if &sent != expected {
                return Err(format!("body {sent}, expected {expected}"));
            }
            if req.header("content-type") != Some("application/json") {
                return Err(format!("content-type {:?}", req.header("content-type")));
            }
        }
        None if !req.body.is_empty() => {
            return Err(format!("unexpected body {}", String::from_utf8_lossy(&req.body)));
        }
        None => {}
    }
    if decoded.contains(TOKEN) {
        return Err("the decoded value shows the credential".into());
    }
    Ok(())
}
