//! Self-hosted runner permissions: which repositories (organization) or
//! organizations (enterprise) may use repository-level self-hosted runners.

use super::{area, body, count, page, stream_via};
use crate::Error;
use crate::pagination::{ItemStream, Page, PageRequest};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{EnabledRepositories, EnterpriseSelfHostedRunnersSettings, Repository, SelfHostedRunnersSettings};

area! {
    /// Self-hosted runner permissions (`client.org("o").runner_permissions()`).
    RunnerPermissions
}

impl RunnerPermissions<Org> {
    /// The policy (`actions/get-self-hosted-runners-permissions-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/get-self-hosted-runners-permissions-organization")]
    pub async fn get(&self) -> Result<SelfHostedRunnersSettings, Error> {
        const OP: &str = "actions/get-self-hosted-runners-permissions-organization";
        self.scope.check()?;
        let b = self.raw().actions_get_self_hosted_runners_permissions_organization().org(self.scope.org.as_str());
        Ok(self.call(OP, b.send()).await?.into_inner())
    }

    /// Sets which repositories may use self-hosted runners
    /// (`actions/set-self-hosted-runners-permissions-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/set-self-hosted-runners-permissions-organization")]
    pub async fn set(&self, enabled: EnabledRepositories) -> Result<(), Error> {
        const OP: &str = "actions/set-self-hosted-runners-permissions-organization";
        self.scope.check()?;
        if let EnabledRepositories::Unknown(v) = &enabled {
            return Err(Error::invalid("enabled_repositories", format!("`{v}`; GitHub accepts all, selected or none")));
        }
        let b =
            self.raw().actions_set_self_hosted_runners_permissions_organization().org(self.scope.org.as_str()).body(
                body::<_, crate::generated::types::ActionsSetSelfHostedRunnersPermissionsOrganizationBody>(
                    "enabled_repositories",
                    &serde_json::json!({ "enabled_repositories": enabled }),
                )?,
            );
        self.call(OP, b.send()).await?;
        Ok(())
    }

    /// Streams the repositories selected to use self-hosted runners
    /// (`actions/list-selected-repositories-self-hosted-runners-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/list-selected-repositories-self-hosted-runners-organization")]
    pub fn repositories(&self) -> ItemStream<Repository> {
        stream_via!(self, repositories_page)
    }

    /// One page of the selected repositories
    /// (`actions/list-selected-repositories-self-hosted-runners-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/list-selected-repositories-self-hosted-runners-organization")]
    pub async fn repositories_page(&self, req: PageRequest) -> Result<Page<Repository>, Error> {
        const OP: &str = "actions/list-selected-repositories-self-hosted-runners-organization";
        self.scope.check()?;
        req.validate()?;
        let b = self
            .raw()
            .actions_list_selected_repositories_self_hosted_runners_organization()
            .org(self.scope.org.as_str())
            .per_page(i64::from(req.per_page))
            .page(i64::from(req.page));
        let rv = self.call(OP, b.send()).await?;
        page(rv, req, |l| (l.repositories, count(l.total_count)))
    }

    /// Replaces the selected repositories
    /// (`actions/set-selected-repositories-self-hosted-runners-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/set-selected-repositories-self-hosted-runners-organization")]
    pub async fn set_repositories(&self, repository_ids: &[i64]) -> Result<(), Error> {
        const OP: &str = "actions/set-selected-repositories-self-hosted-runners-organization";
        self.scope.check()?;
        let b = self
            .raw()
            .actions_set_selected_repositories_self_hosted_runners_organization()
            .org(self.scope.org.as_str())
            .body(body::<_, crate::generated::types::ActionsSetSelectedRepositoriesSelfHostedRunnersOrganizationBody>(
                "selected_repository_ids",
                &serde_json::json!({ "selected_repository_ids": repository_ids }),
            )?);
        self.call(OP, b.send()).await?;
        Ok(())
    }

    /// Adds a repository to the selected ones
    /// (`actions/enable-selected-repository-self-hosted-runners-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/enable-selected-repository-self-hosted-runners-organization")]
    pub async fn enable_repository(&self, repository_id: i64) -> Result<(), Error> {
        const OP: &str = "actions/enable-selected-repository-self-hosted-runners-organization";
        self.scope.check()?;
        let b = self
            .raw()
            .actions_enable_selected_repository_self_hosted_runners_organization()
            .org(self.scope.org.as_str())
            .repository_id(repository_id);
        self.call(OP, b.send()).await?;
        Ok(())
    }

    /// Removes a repository from the selected ones
    /// (`actions/disable-selected-repository-self-hosted-runners-organization`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/disable-selected-repository-self-hosted-runners-organization")]
    pub async fn disable_repository(&self, repository_id: i64) -> Result<(), Error> {
        const OP: &str = "actions/disable-selected-repository-self-hosted-runners-organization";
        self.scope.check()?;
        let b = self
            .raw()
            .actions_disable_selected_repository_self_hosted_runners_organization()
            .org(self.scope.org.as_str())
            .repository_id(repository_id);
        self.call(OP, b.send()).await?;
        Ok(())
    }
}

impl RunnerPermissions<Enterprise> {
    /// The policy (`enterprise-admin/get-self-hosted-runners-permissions`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("enterprise-admin/get-self-hosted-runners-permissions")]
    pub async fn get(&self) -> Result<EnterpriseSelfHostedRunnersSettings, Error> {
        const OP: &str = "enterprise-admin/get-self-hosted-runners-permissions";
        self.scope.check()?;
        let b = self
            .raw()
            .enterprise_admin_get_self_hosted_runners_permissions()
            .enterprise(self.scope.enterprise.as_str());
        let s = self.call(OP, b.send()).await?.into_inner();
        Ok(EnterpriseSelfHostedRunnersSettings {
            disable_self_hosted_runners_for_all_orgs: s.disable_self_hosted_runners_for_all_orgs,
        })
    }

    /// Disables (or re-enables) repository-level self-hosted runners in every
    /// organization (`enterprise-admin/set-self-hosted-runners-permissions`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("enterprise-admin/set-self-hosted-runners-permissions")]
    pub async fn set(&self, disable_for_all_orgs: bool) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/set-self-hosted-runners-permissions";
        self.scope.check()?;
        let b = self
            .raw()
            .enterprise_admin_set_self_hosted_runners_permissions()
            .enterprise(self.scope.enterprise.as_str())
            .body(body::<_, crate::generated::types::EnterpriseAdminSetSelfHostedRunnersPermissionsBody>(
                "disable_self_hosted_runners_for_all_orgs",
                &serde_json::json!({ "disable_self_hosted_runners_for_all_orgs": disable_for_all_orgs }),
            )?);
        self.call(OP, b.send()).await?;
        Ok(())
    }
}
