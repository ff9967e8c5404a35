//! Self-hosted runner permissions: which repositories (organization) or
//! organizations (enterprise) may use repository-level self-hosted runners.
//! The two scopes share no operation, so each has its own `impl`.

use crate::Error;
use crate::api::{body, ids, page, page_query, send, send_body, send_unit};
use crate::deployment::operations_doc;
use crate::generated::types as wire;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{
    EnabledRepositories, EnterpriseSelfHostedRunnersSettings, Repository, RepositoryId, SelfHostedRunnersSettings,
};

/// Self-hosted runner permissions (`client.org("o").runner_permissions()`).
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use gha_runners::types::EnabledRepositories;
/// let permissions = github.org("octo-org").runner_permissions();
/// permissions.set(EnabledRepositories::Selected).await?;
/// permissions.enable_repository(1296269).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RunnerPermissions<S> {
    scope: S,
}

impl Enterprise {
    /// Whether organizations may use repository-level self-hosted runners.
    pub fn runner_permissions(&self) -> RunnerPermissions<Enterprise> {
        RunnerPermissions::new(self.clone())
    }
}

impl Org {
    /// Which repositories may use self-hosted runners.
    pub fn runner_permissions(&self) -> RunnerPermissions<Org> {
        RunnerPermissions::new(self.clone())
    }
}

impl<S: Scope> RunnerPermissions<S> {
    pub(crate) fn new(scope: S) -> Self {
        Self { scope }
    }
}

impl RunnerPermissions<Org> {
    /// Which repositories may use self-hosted runners.
    ///
    #[doc = operations_doc!(org = "actions/get-self-hosted-runners-permissions-organization")]
    pub async fn get(&self) -> Result<SelfHostedRunnersSettings, Error> {
        const OP: &str = "actions/get-self-hosted-runners-permissions-organization";
        self.scope.check()?;
        let s = &self.scope;
        send_body(&s.client, OP, s.client.raw().actions_get_self_hosted_runners_permissions_organization(&s.org)).await
    }

    /// Sets which repositories may use self-hosted runners: all, selected or none.
    ///
    #[doc = operations_doc!(org = "actions/set-self-hosted-runners-permissions-organization")]
    pub async fn set(&self, enabled: EnabledRepositories) -> Result<(), Error> {
        const OP: &str = "actions/set-self-hosted-runners-permissions-organization";
        self.scope.check()?;
        if let EnabledRepositories::Unknown(v) = &enabled {
            return Err(Error::invalid("enabled_repositories", format!("`{v}`; GitHub accepts all, selected or none")));
        }
        let b: wire::ActionsSetSelfHostedRunnersPermissionsOrganizationBody =
            body("enabled_repositories", &serde_json::json!({ "enabled_repositories": enabled }))?;
        let s = &self.scope;
        send_unit(&s.client, OP, s.client.raw().actions_set_self_hosted_runners_permissions_organization(&s.org, &b))
            .await
    }

    /// Streams the repositories selected to use self-hosted runners.
    ///
    #[doc = operations_doc!(org = "actions/list-selected-repositories-self-hosted-runners-organization")]
    pub fn repositories(&self) -> ItemStream<Repository> {
        let this = self.clone();
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.repositories_page(req).await }
        })
    }

    /// One page of the repositories selected to use self-hosted runners.
    ///
    #[doc = operations_doc!(org = "actions/list-selected-repositories-self-hosted-runners-organization")]
    pub async fn repositories_page(&self, req: PageRequest) -> Result<Page<Repository>, Error> {
        const OP: &str = "actions/list-selected-repositories-self-hosted-runners-organization";
        self.scope.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let s = &self.scope;
        let f = s.client.raw().actions_list_selected_repositories_self_hosted_runners_organization(&s.org, p, n);
        page(send(&s.client, OP, f).await?, req, |l| (l.repositories, l.total_count))
    }

    /// Replaces the repositories selected to use self-hosted runners.
    ///
    #[doc = operations_doc!(org = "actions/set-selected-repositories-self-hosted-runners-organization")]
    pub async fn set_repositories(
        &self,
        repository_ids: impl IntoIterator<Item = impl Into<RepositoryId>>,
    ) -> Result<(), Error> {
        const OP: &str = "actions/set-selected-repositories-self-hosted-runners-organization";
        self.scope.check()?;
        let ids = serde_json::json!({ "selected_repository_ids": ids::<RepositoryId>(repository_ids) });
        let b: wire::ActionsSetSelectedRepositoriesSelfHostedRunnersOrganizationBody =
            body("selected_repository_ids", &ids)?;
        let s = &self.scope;
        let f = s.client.raw().actions_set_selected_repositories_self_hosted_runners_organization(&s.org, &b);
        send_unit(&s.client, OP, f).await
    }

    /// Lets one more repository use self-hosted runners.
    ///
    #[doc = operations_doc!(org = "actions/enable-selected-repository-self-hosted-runners-organization")]
    pub async fn enable_repository(&self, repository_id: impl Into<RepositoryId>) -> Result<(), Error> {
        const OP: &str = "actions/enable-selected-repository-self-hosted-runners-organization";
        self.scope.check()?;
        let (s, id) = (&self.scope, repository_id.into().0);
        let f = s.client.raw().actions_enable_selected_repository_self_hosted_runners_organization(&s.org, id);
        send_unit(&s.client, OP, f).await
    }

    /// Stops a repository from using self-hosted runners.
    ///
    #[doc = operations_doc!(org = "actions/disable-selected-repository-self-hosted-runners-organization")]
    pub async fn disable_repository(&self, repository_id: impl Into<RepositoryId>) -> Result<(), Error> {
        const OP: &str = "actions/disable-selected-repository-self-hosted-runners-organization";
        self.scope.check()?;
        let (s, id) = (&self.scope, repository_id.into().0);
        let f = s.client.raw().actions_disable_selected_repository_self_hosted_runners_organization(&s.org, id);
        send_unit(&s.client, OP, f).await
    }
}

impl RunnerPermissions<Enterprise> {
    /// Whether organizations may use repository-level self-hosted runners.
    ///
    #[doc = operations_doc!(enterprise = "enterprise-admin/get-self-hosted-runners-permissions")]
    pub async fn get(&self) -> Result<EnterpriseSelfHostedRunnersSettings, Error> {
        const OP: &str = "enterprise-admin/get-self-hosted-runners-permissions";
        self.scope.check()?;
        let s = &self.scope;
        let r = send_body(
            &s.client,
            OP,
            s.client.raw().enterprise_admin_get_self_hosted_runners_permissions(&s.enterprise),
        )
        .await?;
        Ok(EnterpriseSelfHostedRunnersSettings {
            disable_self_hosted_runners_for_all_orgs: r.disable_self_hosted_runners_for_all_orgs,
        })
    }

    /// Disables (or re-enables) repository-level self-hosted runners for every organization.
    ///
    #[doc = operations_doc!(enterprise = "enterprise-admin/set-self-hosted-runners-permissions")]
    pub async fn set(&self, disable_for_all_orgs: bool) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/set-self-hosted-runners-permissions";
        self.scope.check()?;
        let b: wire::EnterpriseAdminSetSelfHostedRunnersPermissionsBody = body(
            "disable_self_hosted_runners_for_all_orgs",
            &serde_json::json!({ "disable_self_hosted_runners_for_all_orgs": disable_for_all_orgs }),
        )?;
        let s = &self.scope;
        send_unit(&s.client, OP, s.client.raw().enterprise_admin_set_self_hosted_runners_permissions(&s.enterprise, &b))
            .await
    }
}
