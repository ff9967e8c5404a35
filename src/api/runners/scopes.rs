//! The generated operation each runner call uses at each scope.

use crate::Error;
use crate::api::{body, page, page_query, send_body, send_unit};
use crate::generated::types as wire;
use crate::pagination::{Page, PageRequest};
use crate::scope::{Enterprise, Org, Repo};
use crate::types::{
    JitConfig, JitConfigRequest, Runner, RunnerApplication, RunnerId, RunnerLabel, RunnerToken,
    RunnerVersionDeprecation,
};
use serde_json::Value;
use std::future::Future;

/// One method per runner call, answered by the scope's generated
/// operation. Private to the crate: see [`RunnerScope`](super::RunnerScope).
pub trait Ops {
    fn list(&self, name: Option<&str>, req: PageRequest) -> impl Future<Output = Result<Page<Runner>, Error>> + Send;
    fn get(&self, id: RunnerId) -> impl Future<Output = Result<Runner, Error>> + Send;
    fn delete(&self, id: RunnerId) -> impl Future<Output = Result<(), Error>> + Send;
    fn labels(&self, id: RunnerId) -> impl Future<Output = Result<Vec<RunnerLabel>, Error>> + Send;
    fn add_labels(&self, id: RunnerId, labels: &Value) -> impl Future<Output = Result<Vec<RunnerLabel>, Error>> + Send;
    fn set_labels(&self, id: RunnerId, labels: &Value) -> impl Future<Output = Result<Vec<RunnerLabel>, Error>> + Send;
    fn clear_labels(&self, id: RunnerId) -> impl Future<Output = Result<Vec<RunnerLabel>, Error>> + Send;
    fn remove_label(&self, id: RunnerId, name: &str) -> impl Future<Output = Result<Vec<RunnerLabel>, Error>> + Send;
    fn registration_token(&self) -> impl Future<Output = Result<RunnerToken, Error>> + Send;
    fn remove_token(&self) -> impl Future<Output = Result<RunnerToken, Error>> + Send;
    fn jit_config(&self, request: &JitConfigRequest) -> impl Future<Output = Result<JitConfig, Error>> + Send;
    fn downloads(&self) -> impl Future<Output = Result<Vec<RunnerApplication>, Error>> + Send;
    fn deprecation(&self, version: &str) -> impl Future<Output = Result<RunnerVersionDeprecation, Error>> + Send;
}

impl super::RunnerScope for Enterprise {}
impl super::RunnerScope for Org {}
impl super::RunnerScope for Repo {}

impl Ops for Enterprise {
    async fn list(&self, name: Option<&str>, req: PageRequest) -> Result<Page<Runner>, Error> {
        const OP: &str = "enterprise-admin/list-self-hosted-runners-for-enterprise";
        let (p, n) = page_query(req);
        let f = self.raw().enterprise_admin_list_self_hosted_runners_for_enterprise(&self.enterprise, name, p, n);
        page(crate::api::send(&self.client, OP, f).await?, req, |l| (l.runners, l.total_count))
    }
    async fn get(&self, id: RunnerId) -> Result<Runner, Error> {
        const OP: &str = "enterprise-admin/get-self-hosted-runner-for-enterprise";
        send_body(
            &self.client,
            OP,
            self.raw().enterprise_admin_get_self_hosted_runner_for_enterprise(&self.enterprise, id.0),
        )
        .await
    }
    async fn delete(&self, id: RunnerId) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/delete-self-hosted-runner-from-enterprise";
        send_unit(
            &self.client,
            OP,
            self.raw().enterprise_admin_delete_self_hosted_runner_from_enterprise(&self.enterprise, id.0),
        )
        .await
    }
    async fn labels(&self, id: RunnerId) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "enterprise-admin/list-labels-for-self-hosted-runner-for-enterprise";
        let f = self.raw().enterprise_admin_list_labels_for_self_hosted_runner_for_enterprise(&self.enterprise, id.0);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn add_labels(&self, id: RunnerId, labels: &Value) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "enterprise-admin/add-custom-labels-to-self-hosted-runner-for-enterprise";
        let b: wire::EnterpriseAdminAddCustomLabelsToSelfHostedRunnerForEnterpriseBody = body("labels", labels)?;
        let f = self.raw().enterprise_admin_add_custom_labels_to_self_hosted_runner_for_enterprise(
            &self.enterprise,
            id.0,
            &b,
        );
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn set_labels(&self, id: RunnerId, labels: &Value) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "enterprise-admin/set-custom-labels-for-self-hosted-runner-for-enterprise";
        let b: wire::EnterpriseAdminSetCustomLabelsForSelfHostedRunnerForEnterpriseBody = body("labels", labels)?;
        let f = self.raw().enterprise_admin_set_custom_labels_for_self_hosted_runner_for_enterprise(
            &self.enterprise,
            id.0,
            &b,
        );
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn clear_labels(&self, id: RunnerId) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "enterprise-admin/remove-all-custom-labels-from-self-hosted-runner-for-enterprise";
        let f = self
            .raw()
            .enterprise_admin_remove_all_custom_labels_from_self_hosted_runner_for_enterprise(&self.enterprise, id.0);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn remove_label(&self, id: RunnerId, name: &str) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "enterprise-admin/remove-custom-label-from-self-hosted-runner-for-enterprise";
        let f = self.raw().enterprise_admin_remove_custom_label_from_self_hosted_runner_for_enterprise(
            &self.enterprise,
            id.0,
            name,
        );
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn registration_token(&self) -> Result<RunnerToken, Error> {
        const OP: &str = "enterprise-admin/create-registration-token-for-enterprise";
        send_body(
            &self.client,
            OP,
            self.raw().enterprise_admin_create_registration_token_for_enterprise(&self.enterprise),
        )
        .await
    }
    async fn remove_token(&self) -> Result<RunnerToken, Error> {
        const OP: &str = "enterprise-admin/create-remove-token-for-enterprise";
        send_body(&self.client, OP, self.raw().enterprise_admin_create_remove_token_for_enterprise(&self.enterprise))
            .await
    }
    async fn jit_config(&self, request: &JitConfigRequest) -> Result<JitConfig, Error> {
        const OP: &str = "actions/generate-runner-jitconfig-for-enterprise";
        let b: wire::ActionsGenerateRunnerJitconfigForEnterpriseBody = body("request", request)?;
        send_body(&self.client, OP, self.raw().actions_generate_runner_jitconfig_for_enterprise(&self.enterprise, &b))
            .await
    }
    async fn downloads(&self) -> Result<Vec<RunnerApplication>, Error> {
        const OP: &str = "enterprise-admin/list-runner-applications-for-enterprise";
        send_body(
            &self.client,
            OP,
            self.raw().enterprise_admin_list_runner_applications_for_enterprise(&self.enterprise),
        )
        .await
    }
    async fn deprecation(&self, version: &str) -> Result<RunnerVersionDeprecation, Error> {
        const OP: &str = "enterprise-admin/get-runner-version-deprecation-for-enterprise";
        let f = self.raw().enterprise_admin_get_runner_version_deprecation_for_enterprise(&self.enterprise, version);
        let d = send_body(&self.client, OP, f).await?;
        Ok(deprecation(d.runner_version, d.registration_deprecates_at, d.runtime_deprecates_at))
    }
}

impl Ops for Org {
    async fn list(&self, name: Option<&str>, req: PageRequest) -> Result<Page<Runner>, Error> {
        const OP: &str = "actions/list-self-hosted-runners-for-org";
        let (p, n) = page_query(req);
        let f = self.raw().actions_list_self_hosted_runners_for_org(&self.org, name, p, n);
        page(crate::api::send(&self.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
    async fn get(&self, id: RunnerId) -> Result<Runner, Error> {
        const OP: &str = "actions/get-self-hosted-runner-for-org";
        send_body(&self.client, OP, self.raw().actions_get_self_hosted_runner_for_org(&self.org, id.0)).await
    }
    async fn delete(&self, id: RunnerId) -> Result<(), Error> {
        const OP: &str = "actions/delete-self-hosted-runner-from-org";
        send_unit(&self.client, OP, self.raw().actions_delete_self_hosted_runner_from_org(&self.org, id.0)).await
    }
    async fn labels(&self, id: RunnerId) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/list-labels-for-self-hosted-runner-for-org";
        let f = self.raw().actions_list_labels_for_self_hosted_runner_for_org(&self.org, id.0);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn add_labels(&self, id: RunnerId, labels: &Value) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/add-custom-labels-to-self-hosted-runner-for-org";
        let b: wire::ActionsAddCustomLabelsToSelfHostedRunnerForOrgBody = body("labels", labels)?;
        let f = self.raw().actions_add_custom_labels_to_self_hosted_runner_for_org(&self.org, id.0, &b);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn set_labels(&self, id: RunnerId, labels: &Value) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/set-custom-labels-for-self-hosted-runner-for-org";
        let b: wire::ActionsSetCustomLabelsForSelfHostedRunnerForOrgBody = body("labels", labels)?;
        let f = self.raw().actions_set_custom_labels_for_self_hosted_runner_for_org(&self.org, id.0, &b);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn clear_labels(&self, id: RunnerId) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/remove-all-custom-labels-from-self-hosted-runner-for-org";
        let f = self.raw().actions_remove_all_custom_labels_from_self_hosted_runner_for_org(&self.org, id.0);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn remove_label(&self, id: RunnerId, name: &str) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/remove-custom-label-from-self-hosted-runner-for-org";
        let f = self.raw().actions_remove_custom_label_from_self_hosted_runner_for_org(&self.org, id.0, name);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn registration_token(&self) -> Result<RunnerToken, Error> {
        const OP: &str = "actions/create-registration-token-for-org";
        send_body(&self.client, OP, self.raw().actions_create_registration_token_for_org(&self.org)).await
    }
    async fn remove_token(&self) -> Result<RunnerToken, Error> {
        const OP: &str = "actions/create-remove-token-for-org";
        send_body(&self.client, OP, self.raw().actions_create_remove_token_for_org(&self.org)).await
    }
    async fn jit_config(&self, request: &JitConfigRequest) -> Result<JitConfig, Error> {
        const OP: &str = "actions/generate-runner-jitconfig-for-org";
        let b: wire::ActionsGenerateRunnerJitconfigForOrgBody = body("request", request)?;
        send_body(&self.client, OP, self.raw().actions_generate_runner_jitconfig_for_org(&self.org, &b)).await
    }
    async fn downloads(&self) -> Result<Vec<RunnerApplication>, Error> {
        const OP: &str = "actions/list-runner-applications-for-org";
        send_body(&self.client, OP, self.raw().actions_list_runner_applications_for_org(&self.org)).await
    }
    async fn deprecation(&self, version: &str) -> Result<RunnerVersionDeprecation, Error> {
        const OP: &str = "actions/get-runner-version-deprecation-for-org";
        let f = self.raw().actions_get_runner_version_deprecation_for_org(&self.org, version);
        let d = send_body(&self.client, OP, f).await?;
        Ok(deprecation(d.runner_version, d.registration_deprecates_at, d.runtime_deprecates_at))
    }
}

impl Ops for Repo {
    async fn list(&self, name: Option<&str>, req: PageRequest) -> Result<Page<Runner>, Error> {
        const OP: &str = "actions/list-self-hosted-runners-for-repo";
        let (p, n) = page_query(req);
        let f = self.raw().actions_list_self_hosted_runners_for_repo(&self.owner, &self.repo, name, p, n);
        page(crate::api::send(&self.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
    async fn get(&self, id: RunnerId) -> Result<Runner, Error> {
        const OP: &str = "actions/get-self-hosted-runner-for-repo";
        send_body(&self.client, OP, self.raw().actions_get_self_hosted_runner_for_repo(&self.owner, &self.repo, id.0))
            .await
    }
    async fn delete(&self, id: RunnerId) -> Result<(), Error> {
        const OP: &str = "actions/delete-self-hosted-runner-from-repo";
        send_unit(
            &self.client,
            OP,
            self.raw().actions_delete_self_hosted_runner_from_repo(&self.owner, &self.repo, id.0),
        )
        .await
    }
    async fn labels(&self, id: RunnerId) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/list-labels-for-self-hosted-runner-for-repo";
        let f = self.raw().actions_list_labels_for_self_hosted_runner_for_repo(&self.owner, &self.repo, id.0);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn add_labels(&self, id: RunnerId, labels: &Value) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/add-custom-labels-to-self-hosted-runner-for-repo";
        let b: wire::ActionsAddCustomLabelsToSelfHostedRunnerForRepoBody = body("labels", labels)?;
        let f = self.raw().actions_add_custom_labels_to_self_hosted_runner_for_repo(&self.owner, &self.repo, id.0, &b);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn set_labels(&self, id: RunnerId, labels: &Value) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/set-custom-labels-for-self-hosted-runner-for-repo";
        let b: wire::ActionsSetCustomLabelsForSelfHostedRunnerForRepoBody = body("labels", labels)?;
        let f = self.raw().actions_set_custom_labels_for_self_hosted_runner_for_repo(&self.owner, &self.repo, id.0, &b);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn clear_labels(&self, id: RunnerId) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/remove-all-custom-labels-from-self-hosted-runner-for-repo";
        let f =
            self.raw().actions_remove_all_custom_labels_from_self_hosted_runner_for_repo(&self.owner, &self.repo, id.0);
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn remove_label(&self, id: RunnerId, name: &str) -> Result<Vec<RunnerLabel>, Error> {
        const OP: &str = "actions/remove-custom-label-from-self-hosted-runner-for-repo";
        let f = self.raw().actions_remove_custom_label_from_self_hosted_runner_for_repo(
            &self.owner,
            &self.repo,
            id.0,
            name,
        );
        Ok(send_body(&self.client, OP, f).await?.labels)
    }
    async fn registration_token(&self) -> Result<RunnerToken, Error> {
        const OP: &str = "actions/create-registration-token-for-repo";
        send_body(&self.client, OP, self.raw().actions_create_registration_token_for_repo(&self.owner, &self.repo))
            .await
    }
    async fn remove_token(&self) -> Result<RunnerToken, Error> {
        const OP: &str = "actions/create-remove-token-for-repo";
        send_body(&self.client, OP, self.raw().actions_create_remove_token_for_repo(&self.owner, &self.repo)).await
    }
    async fn jit_config(&self, request: &JitConfigRequest) -> Result<JitConfig, Error> {
        const OP: &str = "actions/generate-runner-jitconfig-for-repo";
        let b: wire::ActionsGenerateRunnerJitconfigForRepoBody = body("request", request)?;
        send_body(&self.client, OP, self.raw().actions_generate_runner_jitconfig_for_repo(&self.owner, &self.repo, &b))
            .await
    }
    async fn downloads(&self) -> Result<Vec<RunnerApplication>, Error> {
        const OP: &str = "actions/list-runner-applications-for-repo";
        send_body(&self.client, OP, self.raw().actions_list_runner_applications_for_repo(&self.owner, &self.repo)).await
    }
    async fn deprecation(&self, version: &str) -> Result<RunnerVersionDeprecation, Error> {
        const OP: &str = "actions/get-runner-version-deprecation-for-repo";
        let f = self.raw().actions_get_runner_version_deprecation_for_repo(&self.owner, &self.repo, version);
        let d = send_body(&self.client, OP, f).await?;
        Ok(deprecation(d.runner_version, d.registration_deprecates_at, d.runtime_deprecates_at))
    }
}

/// The deprecation answer (a different generated type per scope) as the
/// crate's type.
fn deprecation(
    runner_version: String,
    registration_deprecates_at: Option<chrono::DateTime<chrono::Utc>>,
    runtime_deprecates_at: Option<chrono::DateTime<chrono::Utc>>,
) -> RunnerVersionDeprecation {
    RunnerVersionDeprecation { runner_version, registration_deprecates_at, runtime_deprecates_at }
}
