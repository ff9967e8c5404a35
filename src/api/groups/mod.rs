//! Runner groups: the groups, their member runners, and who may use them
//! (repositories for organization groups, organizations for enterprise
//! groups), plus the GitHub-hosted runners of an organization group.

pub(crate) mod requests;
mod scopes;

use crate::api::{body, ids, page, page_query, send_unit};
use crate::deployment::operations_doc;
use crate::generated::types as wire;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{
    HostedRunner, ListRunnerGroups, MinimalRepository, OrganizationId, OrganizationSimple, RepositoryId, Runner,
    RunnerGroupId, RunnerGroupUpdate, RunnerId,
};
use crate::{Error, validate};

/// Runner groups of an organization or enterprise (`client.org("o").runner_groups()`).
///
/// Organization groups are [`RunnerGroup`](crate::types::RunnerGroup)s
/// created from [`NewRunnerGroup`](crate::types::NewRunnerGroup)s; enterprise
/// groups are [`EnterpriseRunnerGroup`](crate::types::EnterpriseRunnerGroup)s
/// created from [`NewEnterpriseRunnerGroup`](crate::types::NewEnterpriseRunnerGroup)s.
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use gha_runners::types::{NewRunnerGroup, Visibility};
/// let groups = github.org("octo-org").runner_groups();
/// let gpu = groups
///     .create(&NewRunnerGroup::new("gpu").visibility(Visibility::Selected))
///     .await?;
/// groups.add_repository(gpu.id, 1296269).await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RunnerGroups<S> {
    scope: S,
}

impl Enterprise {
    /// Runner groups, their runners and the organizations that may use them.
    pub fn runner_groups(&self) -> RunnerGroups<Enterprise> {
        RunnerGroups::new(self.clone())
    }
}

impl Org {
    /// Runner groups, their runners and the repositories that may use them.
    pub fn runner_groups(&self) -> RunnerGroups<Org> {
        RunnerGroups::new(self.clone())
    }
}

/// The scopes with runner groups: [`Enterprise`] and [`Org`]. Sealed.
pub trait GroupScope: Scope + scopes::Ops {}

impl<S: GroupScope> RunnerGroups<S> {
    pub(crate) fn new(scope: S) -> Self {
        Self { scope }
    }

    /// The runner group named `name`, if there is one: what a JIT config
    /// needs (its id) when you know the group by name. Names are matched
    /// exactly, then ignoring ASCII case (GitHub treats group names so);
    /// the list is read page by page until the group is found.
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
    /// use gha_runners::types::JitConfigRequest;
    /// let org = github.org("octo-org");
    /// let Some(gpu) = org.runner_groups().find("gpu").await? else { return Ok(()) };
    /// let request = JitConfigRequest::new("gpu-runner-1", ["self-hosted", "gpu"]).runner_group_id(gpu.id);
    /// let jit = org.runners().jit_config(&request).await?;
    /// # Ok(()) }
    /// ```
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise",
        org = "actions/list-self-hosted-runner-groups-for-org",
    )]
    pub async fn find(&self, name: &str) -> Result<Option<S::Group>, Error> {
        use futures::TryStreamExt;
        validate::text("name", name)?;
        let mut groups = std::pin::pin!(self.list(ListRunnerGroups::default()));
        let mut folded = None;
        while let Some(group) = groups.try_next().await? {
            let found = S::name_of(&group);
            if found == name {
                return Ok(Some(group));
            }
            if folded.is_none() && found.eq_ignore_ascii_case(name) {
                folded = Some(group);
            }
        }
        Ok(folded)
    }

    /// Streams every runner group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise",
        org = "actions/list-self-hosted-runner-groups-for-org",
    )]
    pub fn list(&self, filter: ListRunnerGroups) -> ItemStream<S::Group> {
        let this = self.clone();
        stream_pages(move |req| {
            let (this, filter) = (this.clone(), filter.clone());
            async move { this.list_page(&filter, req).await }
        })
    }

    /// One page of runner groups.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise",
        org = "actions/list-self-hosted-runner-groups-for-org",
    )]
    pub async fn list_page(&self, filter: &ListRunnerGroups, req: PageRequest) -> Result<Page<S::Group>, Error> {
        self.scope.check()?;
        req.validate()?;
        if let Some(v) = &filter.visible_to {
            validate::text("visible_to", v)?;
        }
        self.scope.list(filter.visible_to.as_deref(), req).await
    }

    /// Creates a runner group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/create-self-hosted-runner-group-for-enterprise",
        org = "actions/create-self-hosted-runner-group-for-org",
    )]
    pub async fn create(&self, group: &S::New) -> Result<S::Group, Error> {
        self.scope.check()?;
        S::check_new(group)?;
        self.scope.create(group).await
    }

    /// One runner group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/get-self-hosted-runner-group-for-enterprise",
        org = "actions/get-self-hosted-runner-group-for-org",
    )]
    pub async fn get(&self, group_id: impl Into<RunnerGroupId>) -> Result<S::Group, Error> {
        self.scope.check()?;
        self.scope.get(group_id.into()).await
    }

    /// Changes a runner group. Organization groups need the name in every
    /// update (pass the current one to keep it).
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/update-self-hosted-runner-group-for-enterprise",
        org = "actions/update-self-hosted-runner-group-for-org",
    )]
    pub async fn update(
        &self,
        group_id: impl Into<RunnerGroupId>,
        update: &RunnerGroupUpdate,
    ) -> Result<S::Group, Error> {
        self.scope.check()?;
        S::check_update(update)?;
        self.scope.update(group_id.into(), update).await
    }

    /// Deletes a runner group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/delete-self-hosted-runner-group-from-enterprise",
        org = "actions/delete-self-hosted-runner-group-from-org",
    )]
    pub async fn delete(&self, group_id: impl Into<RunnerGroupId>) -> Result<(), Error> {
        self.scope.check()?;
        self.scope.delete(group_id.into()).await
    }

    /// Streams the self-hosted runners in a group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runners-in-group-for-enterprise",
        org = "actions/list-self-hosted-runners-in-group-for-org",
    )]
    pub fn runners(&self, group_id: impl Into<RunnerGroupId>) -> ItemStream<Runner> {
        let (this, group_id) = (self.clone(), group_id.into());
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.runners_page(group_id, req).await }
        })
    }

    /// One page of the runners in a group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/list-self-hosted-runners-in-group-for-enterprise",
        org = "actions/list-self-hosted-runners-in-group-for-org",
    )]
    pub async fn runners_page(
        &self,
        group_id: impl Into<RunnerGroupId>,
        req: PageRequest,
    ) -> Result<Page<Runner>, Error> {
        self.scope.check()?;
        req.validate()?;
        self.scope.runners(group_id.into(), req).await
    }

    /// Replaces the runners in a group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/set-self-hosted-runners-in-group-for-enterprise",
        org = "actions/set-self-hosted-runners-in-group-for-org",
    )]
    pub async fn set_runners(
        &self,
        group_id: impl Into<RunnerGroupId>,
        runner_ids: impl IntoIterator<Item = impl Into<RunnerId>>,
    ) -> Result<(), Error> {
        self.scope.check()?;
        let runners = serde_json::json!({ "runners": ids::<RunnerId>(runner_ids) });
        self.scope.set_runners(group_id.into(), &runners).await
    }

    /// Moves a runner into a group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/add-self-hosted-runner-to-group-for-enterprise",
        org = "actions/add-self-hosted-runner-to-group-for-org",
    )]
    pub async fn add_runner(
        &self,
        group_id: impl Into<RunnerGroupId>,
        runner_id: impl Into<RunnerId>,
    ) -> Result<(), Error> {
        self.scope.check()?;
        self.scope.add_runner(group_id.into(), runner_id.into()).await
    }

    /// Removes a runner from a group, back to the default group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/remove-self-hosted-runner-from-group-for-enterprise",
        org = "actions/remove-self-hosted-runner-from-group-for-org",
    )]
    pub async fn remove_runner(
        &self,
        group_id: impl Into<RunnerGroupId>,
        runner_id: impl Into<RunnerId>,
    ) -> Result<(), Error> {
        self.scope.check()?;
        self.scope.remove_runner(group_id.into(), runner_id.into()).await
    }
}

/// Who may use an organization's groups (repositories), and its groups'
/// GitHub-hosted runners.
impl RunnerGroups<Org> {
    /// Streams the repositories that may use a group with `selected` visibility.
    ///
    #[doc = operations_doc!(org = "actions/list-repo-access-to-self-hosted-runner-group-in-org")]
    pub fn repositories(&self, group_id: impl Into<RunnerGroupId>) -> ItemStream<MinimalRepository> {
        let (this, group_id) = (self.clone(), group_id.into());
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.repositories_page(group_id, req).await }
        })
    }

    /// One page of the repositories that may use a group.
    ///
    #[doc = operations_doc!(org = "actions/list-repo-access-to-self-hosted-runner-group-in-org")]
    pub async fn repositories_page(
        &self,
        group_id: impl Into<RunnerGroupId>,
        req: PageRequest,
    ) -> Result<Page<MinimalRepository>, Error> {
        const OP: &str = "actions/list-repo-access-to-self-hosted-runner-group-in-org";
        self.scope.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let s = &self.scope;
        let f =
            s.client.raw().actions_list_repo_access_to_self_hosted_runner_group_in_org(&s.org, group_id.into().0, p, n);
        page(crate::api::send(&s.client, OP, f).await?, req, |l| (l.repositories, Some(l.total_count)))
    }

    /// Replaces the repositories that may use a group.
    ///
    #[doc = operations_doc!(org = "actions/set-repo-access-to-self-hosted-runner-group-in-org")]
    pub async fn set_repositories(
        &self,
        group_id: impl Into<RunnerGroupId>,
        repository_ids: impl IntoIterator<Item = impl Into<RepositoryId>>,
    ) -> Result<(), Error> {
        const OP: &str = "actions/set-repo-access-to-self-hosted-runner-group-in-org";
        self.scope.check()?;
        let ids = serde_json::json!({ "selected_repository_ids": ids::<RepositoryId>(repository_ids) });
        let b: wire::ActionsSetRepoAccessToSelfHostedRunnerGroupInOrgBody = body("selected_repository_ids", &ids)?;
        let s = &self.scope;
        let f =
            s.client.raw().actions_set_repo_access_to_self_hosted_runner_group_in_org(&s.org, group_id.into().0, &b);
        send_unit(&s.client, OP, f).await
    }

    /// Lets one more repository use a group.
    ///
    #[doc = operations_doc!(org = "actions/add-repo-access-to-self-hosted-runner-group-in-org")]
    pub async fn add_repository(
        &self,
        group_id: impl Into<RunnerGroupId>,
        repository_id: impl Into<RepositoryId>,
    ) -> Result<(), Error> {
        const OP: &str = "actions/add-repo-access-to-self-hosted-runner-group-in-org";
        self.scope.check()?;
        let (s, group, repo) = (&self.scope, group_id.into().0, repository_id.into().0);
        let f = s.client.raw().actions_add_repo_access_to_self_hosted_runner_group_in_org(&s.org, group, repo);
        send_unit(&s.client, OP, f).await
    }

    /// Stops a repository from using a group.
    ///
    #[doc = operations_doc!(org = "actions/remove-repo-access-to-self-hosted-runner-group-in-org")]
    pub async fn remove_repository(
        &self,
        group_id: impl Into<RunnerGroupId>,
        repository_id: impl Into<RepositoryId>,
    ) -> Result<(), Error> {
        const OP: &str = "actions/remove-repo-access-to-self-hosted-runner-group-in-org";
        self.scope.check()?;
        let (s, group, repo) = (&self.scope, group_id.into().0, repository_id.into().0);
        let f = s.client.raw().actions_remove_repo_access_to_self_hosted_runner_group_in_org(&s.org, group, repo);
        send_unit(&s.client, OP, f).await
    }

    /// Streams the GitHub-hosted runners in a group.
    ///
    #[doc = operations_doc!(org = "actions/list-github-hosted-runners-in-group-for-org")]
    pub fn hosted_runners(&self, group_id: impl Into<RunnerGroupId>) -> ItemStream<HostedRunner> {
        let (this, group_id) = (self.clone(), group_id.into());
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.hosted_runners_page(group_id, req).await }
        })
    }

    /// One page of the GitHub-hosted runners in a group.
    ///
    #[doc = operations_doc!(org = "actions/list-github-hosted-runners-in-group-for-org")]
    pub async fn hosted_runners_page(
        &self,
        group_id: impl Into<RunnerGroupId>,
        req: PageRequest,
    ) -> Result<Page<HostedRunner>, Error> {
        const OP: &str = "actions/list-github-hosted-runners-in-group-for-org";
        self.scope.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let s = &self.scope;
        let f = s.client.raw().actions_list_github_hosted_runners_in_group_for_org(&s.org, group_id.into().0, p, n);
        page(crate::api::send(&s.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
}

/// Who may use an enterprise's groups (organizations).
impl RunnerGroups<Enterprise> {
    /// Streams the organizations that may use a group with `selected` visibility.
    ///
    #[doc = operations_doc!(enterprise = "enterprise-admin/list-org-access-to-self-hosted-runner-group-in-enterprise")]
    pub fn organizations(&self, group_id: impl Into<RunnerGroupId>) -> ItemStream<OrganizationSimple> {
        let (this, group_id) = (self.clone(), group_id.into());
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.organizations_page(group_id, req).await }
        })
    }

    /// One page of the organizations that may use a group.
    ///
    #[doc = operations_doc!(enterprise = "enterprise-admin/list-org-access-to-self-hosted-runner-group-in-enterprise")]
    pub async fn organizations_page(
        &self,
        group_id: impl Into<RunnerGroupId>,
        req: PageRequest,
    ) -> Result<Page<OrganizationSimple>, Error> {
        const OP: &str = "enterprise-admin/list-org-access-to-self-hosted-runner-group-in-enterprise";
        self.scope.check()?;
        req.validate()?;
        let (p, n) = page_query(req);
        let (s, group) = (&self.scope, group_id.into().0);
        let f = s.client.raw().enterprise_admin_list_org_access_to_self_hosted_runner_group_in_enterprise(
            &s.enterprise,
            group,
            p,
            n,
        );
        page(crate::api::send(&s.client, OP, f).await?, req, |l| (l.organizations, Some(l.total_count)))
    }

    /// Replaces the organizations that may use a group.
    ///
    #[doc = operations_doc!(enterprise = "enterprise-admin/set-org-access-to-self-hosted-runner-group-in-enterprise")]
    pub async fn set_organizations(
        &self,
        group_id: impl Into<RunnerGroupId>,
        organization_ids: impl IntoIterator<Item = impl Into<OrganizationId>>,
    ) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/set-org-access-to-self-hosted-runner-group-in-enterprise";
        self.scope.check()?;
        let ids = serde_json::json!({ "selected_organization_ids": ids::<OrganizationId>(organization_ids) });
        let b: wire::EnterpriseAdminSetOrgAccessToSelfHostedRunnerGroupInEnterpriseBody =
            body("selected_organization_ids", &ids)?;
        let (s, group) = (&self.scope, group_id.into().0);
        let f = s.client.raw().enterprise_admin_set_org_access_to_self_hosted_runner_group_in_enterprise(
            &s.enterprise,
            group,
            &b,
        );
        send_unit(&s.client, OP, f).await
    }

    /// Lets one more organization use a group.
    ///
    #[doc = operations_doc!(enterprise = "enterprise-admin/add-org-access-to-self-hosted-runner-group-in-enterprise")]
    pub async fn add_organization(
        &self,
        group_id: impl Into<RunnerGroupId>,
        organization_id: impl Into<OrganizationId>,
    ) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/add-org-access-to-self-hosted-runner-group-in-enterprise";
        self.scope.check()?;
        let (s, group, org) = (&self.scope, group_id.into().0, organization_id.into().0);
        let f = s.client.raw().enterprise_admin_add_org_access_to_self_hosted_runner_group_in_enterprise(
            &s.enterprise,
            group,
            org,
        );
        send_unit(&s.client, OP, f).await
    }

    /// Stops an organization from using a group.
    ///
    #[doc = operations_doc!(
        enterprise = "enterprise-admin/remove-org-access-to-self-hosted-runner-group-in-enterprise",
    )]
    pub async fn remove_organization(
        &self,
        group_id: impl Into<RunnerGroupId>,
        organization_id: impl Into<OrganizationId>,
    ) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/remove-org-access-to-self-hosted-runner-group-in-enterprise";
        self.scope.check()?;
        let (s, group, org) = (&self.scope, group_id.into().0, organization_id.into().0);
        let f = s.client.raw().enterprise_admin_remove_org_access_to_self_hosted_runner_group_in_enterprise(
            &s.enterprise,
            group,
            org,
        );
        send_unit(&s.client, OP, f).await
    }
}
