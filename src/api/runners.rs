//! Self-hosted runners: list, get, delete, labels, registration and remove
//! tokens, JIT configs, downloads, version deprecations.

use super::{area, body, count, page, scoped};
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Repo, Scope};
use crate::types::{
    JitConfig, JitConfigRequest, Runner, RunnerApplication, RunnerLabel, RunnerToken, RunnerVersionDeprecation,
};
use crate::{Error, validate};

area! {
    /// Self-hosted runners of a scope (`client.org("o").runners()`).
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
    /// use futures::TryStreamExt;
    /// use gha_runners::types::JitConfigRequest;
    /// let runners = github.org("octo-org").runners();
    /// let offline: Vec<_> = runners
    ///     .list(Default::default())
    ///     .try_filter(|r| futures::future::ready(r.status == gha_runners::types::RunnerStatus::Offline))
    ///     .try_collect()
    ///     .await?;
    /// let jit = runners.jit_config(&JitConfigRequest::new("build-1", ["self-hosted", "linux"])).await?;
    /// println!("start with: ./run.sh --jitconfig {}", jit.encoded_jit_config.expose_secret());
    /// # Ok(()) }
    /// ```
    Runners
}

/// Filter for listing runners.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRunners {
    /// Only the runner with this exact name.
    pub name: Option<String>,
}

impl ListRunners {
    /// Only the runner named `name`.
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: Some(name.into()) }
    }
}

macro_rules! runners_impl {
    ($Scope:ident, $kind:ident, {
        list: $list:ident = $list_op:tt,
        get: $get:ident = $get_op:tt,
        delete: $delete:ident = $delete_op:tt,
        labels: $labels:ident = $labels_op:tt,
        add_labels: $add_labels:ident($add_body:ident) = $add_labels_op:tt,
        set_labels: $set_labels:ident($set_body:ident) = $set_labels_op:tt,
        clear_labels: $clear_labels:ident = $clear_labels_op:tt,
        remove_label: $remove_label:ident = $remove_label_op:tt,
        registration_token: $reg:ident = $reg_op:tt,
        remove_token: $rem:ident = $rem_op:tt,
        jit_config: $jit:ident($jit_body:ident) = $jit_op:tt,
        downloads: $downloads:ident = $downloads_op:tt,
        deprecation: $deprecation:ident = $deprecation_op:tt,
    }) => {
        impl Runners<$Scope> {
            #[doc = concat!("Streams every runner, 100 per request (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub fn list(&self, filter: ListRunners) -> ItemStream<Runner> {
                let this = self.clone();
                stream_pages(move |req| {
                    let (this, filter) = (this.clone(), filter.clone());
                    async move { this.list_page(&filter, req).await }
                })
            }

            #[doc = concat!("One page of runners (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub async fn list_page(&self, filter: &ListRunners, req: PageRequest) -> Result<Page<Runner>, Error> {
                self.scope.check()?;
                req.validate()?;
                let mut b = scoped!(self.scope, self.raw().$list(), $kind)
                    .per_page(i64::from(req.per_page))
                    .page(i64::from(req.page));
                if let Some(name) = &filter.name {
                    validate::segment("name", name)?;
                    b = b.name(name.as_str());
                }
                let rv = self.call($list_op, b.send()).await?;
                page(rv, req, |l| (l.runners, count(l.total_count)))
            }

            #[doc = concat!("One runner (`", $get_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($get_op)]
            pub async fn get(&self, runner_id: i64) -> Result<Runner, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$get(), $kind).runner_id(runner_id);
                Ok(self.call($get_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Removes a runner (`", $delete_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($delete_op)]
            pub async fn delete(&self, runner_id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$delete(), $kind).runner_id(runner_id);
                self.call($delete_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("A runner's labels (`", $labels_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($labels_op)]
            pub async fn labels(&self, runner_id: i64) -> Result<Vec<RunnerLabel>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$labels(), $kind).runner_id(runner_id);
                Ok(self.call($labels_op, b.send()).await?.into_inner().labels)
            }

            #[doc = concat!("Adds 1 to 100 custom labels; returns all labels (`", $add_labels_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($add_labels_op)]
            pub async fn add_labels<L: AsRef<str>>(&self, runner_id: i64, labels: &[L]) -> Result<Vec<RunnerLabel>, Error> {
                self.scope.check()?;
                validate::labels(labels, 1)?;
                let labels: Vec<String> = labels.iter().map(|l| l.as_ref().to_string()).collect();
                let b = scoped!(self.scope, self.raw().$add_labels(), $kind)
                    .runner_id(runner_id)
                    .body(body::<_, crate::generated::types::$add_body>("labels", &serde_json::json!({ "labels": labels }))?);
                Ok(self.call($add_labels_op, b.send()).await?.into_inner().labels)
            }

            #[doc = concat!("Replaces the custom labels (0 to 100); returns all labels (`", $set_labels_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($set_labels_op)]
            pub async fn set_labels<L: AsRef<str>>(&self, runner_id: i64, labels: &[L]) -> Result<Vec<RunnerLabel>, Error> {
                self.scope.check()?;
                validate::labels(labels, 0)?;
                let labels: Vec<String> = labels.iter().map(|l| l.as_ref().to_string()).collect();
                let b = scoped!(self.scope, self.raw().$set_labels(), $kind)
                    .runner_id(runner_id)
                    .body(body::<_, crate::generated::types::$set_body>("labels", &serde_json::json!({ "labels": labels }))?);
                Ok(self.call($set_labels_op, b.send()).await?.into_inner().labels)
            }

            #[doc = concat!("Removes every custom label; returns the read-only labels left (`", $clear_labels_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($clear_labels_op)]
            pub async fn clear_labels(&self, runner_id: i64) -> Result<Vec<RunnerLabel>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$clear_labels(), $kind).runner_id(runner_id);
                Ok(self.call($clear_labels_op, b.send()).await?.into_inner().labels)
            }

            #[doc = concat!("Removes one custom label; returns the labels left (`", $remove_label_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($remove_label_op)]
            pub async fn remove_label(&self, runner_id: i64, name: &str) -> Result<Vec<RunnerLabel>, Error> {
                self.scope.check()?;
                validate::segment("label", name)?;
                let b = scoped!(self.scope, self.raw().$remove_label(), $kind).runner_id(runner_id).name(name);
                Ok(self.call($remove_label_op, b.send()).await?.into_inner().labels)
            }

            #[doc = concat!("A token for `config.sh` to register a runner, valid one hour (`", $reg_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($reg_op)]
            pub async fn registration_token(&self) -> Result<RunnerToken, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$reg(), $kind);
                Ok(self.call($reg_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("A token for `config.sh remove`, valid one hour (`", $rem_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($rem_op)]
            pub async fn remove_token(&self) -> Result<RunnerToken, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$rem(), $kind);
                Ok(self.call($rem_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Creates a just-in-time runner and returns its config (`", $jit_op, "`). A name already taken is [`Error::Conflict`].")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($jit_op)]
            pub async fn jit_config(&self, request: &JitConfigRequest) -> Result<JitConfig, Error> {
                self.scope.check()?;
                validate::runner_name(&request.name)?;
                validate::labels(&request.labels, 1)?;
                let b = scoped!(self.scope, self.raw().$jit(), $kind).body(body::<_, crate::generated::types::$jit_body>("request", request)?);
                Ok(self.call($jit_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("The runner application packages to download (`", $downloads_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($downloads_op)]
            pub async fn downloads(&self) -> Result<Vec<RunnerApplication>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$downloads(), $kind);
                Ok(self.call($downloads_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("The deprecation schedule of runner version `version`, e.g. `2.300.0` (`", $deprecation_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($deprecation_op)]
            pub async fn deprecation(&self, version: &str) -> Result<RunnerVersionDeprecation, Error> {
                self.scope.check()?;
                validate::segment("version", version)?;
                let b = scoped!(self.scope, self.raw().$deprecation(), $kind).version(version);
                let d = self.call($deprecation_op, b.send()).await?.into_inner();
                Ok(RunnerVersionDeprecation {
                    runner_version: d.runner_version,
                    registration_deprecates_at: d.registration_deprecates_at,
                    runtime_deprecates_at: d.runtime_deprecates_at,
                })
            }
        }
    };
}

runners_impl!(Enterprise, enterprise, {
    list: enterprise_admin_list_self_hosted_runners_for_enterprise = "enterprise-admin/list-self-hosted-runners-for-enterprise",
    get: enterprise_admin_get_self_hosted_runner_for_enterprise = "enterprise-admin/get-self-hosted-runner-for-enterprise",
    delete: enterprise_admin_delete_self_hosted_runner_from_enterprise = "enterprise-admin/delete-self-hosted-runner-from-enterprise",
    labels: enterprise_admin_list_labels_for_self_hosted_runner_for_enterprise = "enterprise-admin/list-labels-for-self-hosted-runner-for-enterprise",
    add_labels: enterprise_admin_add_custom_labels_to_self_hosted_runner_for_enterprise(EnterpriseAdminAddCustomLabelsToSelfHostedRunnerForEnterpriseBody) = "enterprise-admin/add-custom-labels-to-self-hosted-runner-for-enterprise",
    set_labels: enterprise_admin_set_custom_labels_for_self_hosted_runner_for_enterprise(EnterpriseAdminSetCustomLabelsForSelfHostedRunnerForEnterpriseBody) = "enterprise-admin/set-custom-labels-for-self-hosted-runner-for-enterprise",
    clear_labels: enterprise_admin_remove_all_custom_labels_from_self_hosted_runner_for_enterprise = "enterprise-admin/remove-all-custom-labels-from-self-hosted-runner-for-enterprise",
    remove_label: enterprise_admin_remove_custom_label_from_self_hosted_runner_for_enterprise = "enterprise-admin/remove-custom-label-from-self-hosted-runner-for-enterprise",
    registration_token: enterprise_admin_create_registration_token_for_enterprise = "enterprise-admin/create-registration-token-for-enterprise",
    remove_token: enterprise_admin_create_remove_token_for_enterprise = "enterprise-admin/create-remove-token-for-enterprise",
    jit_config: actions_generate_runner_jitconfig_for_enterprise(ActionsGenerateRunnerJitconfigForEnterpriseBody) = "actions/generate-runner-jitconfig-for-enterprise",
    downloads: enterprise_admin_list_runner_applications_for_enterprise = "enterprise-admin/list-runner-applications-for-enterprise",
    deprecation: enterprise_admin_get_runner_version_deprecation_for_enterprise = "enterprise-admin/get-runner-version-deprecation-for-enterprise",
});

runners_impl!(Org, org, {
    list: actions_list_self_hosted_runners_for_org = "actions/list-self-hosted-runners-for-org",
    get: actions_get_self_hosted_runner_for_org = "actions/get-self-hosted-runner-for-org",
    delete: actions_delete_self_hosted_runner_from_org = "actions/delete-self-hosted-runner-from-org",
    labels: actions_list_labels_for_self_hosted_runner_for_org = "actions/list-labels-for-self-hosted-runner-for-org",
    add_labels: actions_add_custom_labels_to_self_hosted_runner_for_org(ActionsAddCustomLabelsToSelfHostedRunnerForOrgBody) = "actions/add-custom-labels-to-self-hosted-runner-for-org",
    set_labels: actions_set_custom_labels_for_self_hosted_runner_for_org(ActionsSetCustomLabelsForSelfHostedRunnerForOrgBody) = "actions/set-custom-labels-for-self-hosted-runner-for-org",
    clear_labels: actions_remove_all_custom_labels_from_self_hosted_runner_for_org = "actions/remove-all-custom-labels-from-self-hosted-runner-for-org",
    remove_label: actions_remove_custom_label_from_self_hosted_runner_for_org = "actions/remove-custom-label-from-self-hosted-runner-for-org",
    registration_token: actions_create_registration_token_for_org = "actions/create-registration-token-for-org",
    remove_token: actions_create_remove_token_for_org = "actions/create-remove-token-for-org",
    jit_config: actions_generate_runner_jitconfig_for_org(ActionsGenerateRunnerJitconfigForOrgBody) = "actions/generate-runner-jitconfig-for-org",
    downloads: actions_list_runner_applications_for_org = "actions/list-runner-applications-for-org",
    deprecation: actions_get_runner_version_deprecation_for_org = "actions/get-runner-version-deprecation-for-org",
});

runners_impl!(Repo, repo, {
    list: actions_list_self_hosted_runners_for_repo = "actions/list-self-hosted-runners-for-repo",
    get: actions_get_self_hosted_runner_for_repo = "actions/get-self-hosted-runner-for-repo",
    delete: actions_delete_self_hosted_runner_from_repo = "actions/delete-self-hosted-runner-from-repo",
    labels: actions_list_labels_for_self_hosted_runner_for_repo = "actions/list-labels-for-self-hosted-runner-for-repo",
    add_labels: actions_add_custom_labels_to_self_hosted_runner_for_repo(ActionsAddCustomLabelsToSelfHostedRunnerForRepoBody) = "actions/add-custom-labels-to-self-hosted-runner-for-repo",
    set_labels: actions_set_custom_labels_for_self_hosted_runner_for_repo(ActionsSetCustomLabelsForSelfHostedRunnerForRepoBody) = "actions/set-custom-labels-for-self-hosted-runner-for-repo",
    clear_labels: actions_remove_all_custom_labels_from_self_hosted_runner_for_repo = "actions/remove-all-custom-labels-from-self-hosted-runner-for-repo",
    remove_label: actions_remove_custom_label_from_self_hosted_runner_for_repo = "actions/remove-custom-label-from-self-hosted-runner-for-repo",
    registration_token: actions_create_registration_token_for_repo = "actions/create-registration-token-for-repo",
    remove_token: actions_create_remove_token_for_repo = "actions/create-remove-token-for-repo",
    jit_config: actions_generate_runner_jitconfig_for_repo(ActionsGenerateRunnerJitconfigForRepoBody) = "actions/generate-runner-jitconfig-for-repo",
    downloads: actions_list_runner_applications_for_repo = "actions/list-runner-applications-for-repo",
    deprecation: actions_get_runner_version_deprecation_for_repo = "actions/get-runner-version-deprecation-for-repo",
});
