//! Runner groups: the groups, their member runners, and who may use them
//! (repositories for organization groups, organizations for enterprise
//! groups), plus the GitHub-hosted runners of an organization group.

use super::{area, body, count, page, scoped, stream_via};
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{
    EnterpriseRunnerGroup, HostedRunner, MinimalRepository, NewEnterpriseRunnerGroup, NewRunnerGroup,
    OrganizationSimple, Runner, RunnerGroup, RunnerGroupUpdate, Visibility,
};
use crate::{Error, validate};

area! {
    /// Runner groups of an organization or enterprise (`client.org("o").runner_groups()`).
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
    /// use gha_runners::types::{NewRunnerGroup, Visibility};
    /// let groups = github.org("octo-org").runner_groups();
    /// let gpu = groups
    ///     .create(&NewRunnerGroup { name: "gpu".into(), visibility: Some(Visibility::Selected), ..Default::default() })
    ///     .await?;
    /// groups.add_repository(gpu.id, 1296269).await?;
    /// # Ok(()) }
    /// ```
    RunnerGroups
}

/// Filter for listing runner groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRunnerGroups {
    /// Organization groups: only those this repository (name) may use.
    /// Enterprise groups: only those this organization (login) may use.
    pub visible_to: Option<String>,
}

/// The operations both scopes have, with the scope's group type.
macro_rules! groups_common {
    ($Scope:ident, $kind:ident, $Group:ty, $New:ty, {
        list: $list:ident = $list_op:tt, $visible:ident,
        create: $create:ident($create_body:ident) = $create_op:tt,
        get: $get:ident = $get_op:tt,
        update: $update:ident($update_body:ident) = $update_op:tt,
        delete: $delete:ident = $delete_op:tt,
        runners: $runners:ident = $runners_op:tt,
        set_runners: $set_runners:ident($set_runners_body:ident) = $set_runners_op:tt,
        add_runner: $add_runner:ident = $add_runner_op:tt,
        remove_runner: $remove_runner:ident = $remove_runner_op:tt,
    }) => {
        impl RunnerGroups<$Scope> {
            #[doc = concat!("Streams every runner group (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub fn list(&self, filter: ListRunnerGroups) -> ItemStream<$Group> {
                let this = self.clone();
                stream_pages(move |req| {
                    let (this, filter) = (this.clone(), filter.clone());
                    async move { this.list_page(&filter, req).await }
                })
            }

            #[doc = concat!("One page of runner groups (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub async fn list_page(&self, filter: &ListRunnerGroups, req: PageRequest) -> Result<Page<$Group>, Error> {
                self.scope.check()?;
                req.validate()?;
                let mut b = scoped!(self.scope, self.raw().$list(), $kind)
                    .per_page(i64::from(req.per_page))
                    .page(i64::from(req.page));
                if let Some(v) = &filter.visible_to {
                    validate::segment("visible_to", v)?;
                    b = b.$visible(v.as_str());
                }
                let rv = self.call($list_op, b.send()).await?;
                page(rv, req, |l| (l.runner_groups, count(l.total_count)))
            }

            #[doc = concat!("Creates a runner group (`", $create_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($create_op)]
            pub async fn create(&self, group: &$New) -> Result<$Group, Error> {
                self.scope.check()?;
                validate::segment("name", &group.name)?;
                self.check_visibility(group.visibility.as_ref())?;
                let b = scoped!(self.scope, self.raw().$create(), $kind).body(body::<_, crate::generated::types::$create_body>("group", group)?);
                Ok(self.call($create_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("One runner group (`", $get_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($get_op)]
            pub async fn get(&self, group_id: i64) -> Result<$Group, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$get(), $kind).runner_group_id(group_id);
                Ok(self.call($get_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Changes a runner group (`", $update_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($update_op)]
            pub async fn update(&self, group_id: i64, update: &RunnerGroupUpdate) -> Result<$Group, Error> {
                self.scope.check()?;
                self.check_update(update)?;
                let b = scoped!(self.scope, self.raw().$update(), $kind)
                    .runner_group_id(group_id)
                    .body(body::<_, crate::generated::types::$update_body>("update", update)?);
                Ok(self.call($update_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Deletes a runner group (`", $delete_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($delete_op)]
            pub async fn delete(&self, group_id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$delete(), $kind).runner_group_id(group_id);
                self.call($delete_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("Streams the self-hosted runners in a group (`", $runners_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($runners_op)]
            pub fn runners(&self, group_id: i64) -> ItemStream<Runner> {
                stream_via!(self, runners_page, group_id)
            }

            #[doc = concat!("One page of the runners in a group (`", $runners_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($runners_op)]
            pub async fn runners_page(&self, group_id: i64, req: PageRequest) -> Result<Page<Runner>, Error> {
                self.scope.check()?;
                req.validate()?;
                let b = scoped!(self.scope, self.raw().$runners(), $kind)
                    .runner_group_id(group_id)
                    .per_page(i64::from(req.per_page))
                    .page(i64::from(req.page));
                let rv = self.call($runners_op, b.send()).await?;
                page(rv, req, |l| (l.runners, count(l.total_count)))
            }

            #[doc = concat!("Replaces the runners in a group (`", $set_runners_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($set_runners_op)]
            pub async fn set_runners(&self, group_id: i64, runner_ids: &[i64]) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$set_runners(), $kind)
                    .runner_group_id(group_id)
                    .body(body::<_, crate::generated::types::$set_runners_body>("runners", &serde_json::json!({ "runners": runner_ids }))?);
                self.call($set_runners_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("Moves a runner into a group (`", $add_runner_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($add_runner_op)]
            pub async fn add_runner(&self, group_id: i64, runner_id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$add_runner(), $kind).runner_group_id(group_id).runner_id(runner_id);
                self.call($add_runner_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("Removes a runner from a group, back to the default group (`", $remove_runner_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($remove_runner_op)]
            pub async fn remove_runner(&self, group_id: i64, runner_id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$remove_runner(), $kind).runner_group_id(group_id).runner_id(runner_id);
                self.call($remove_runner_op, b.send()).await?;
                Ok(())
            }
        }
    };
}

/// Grants of a group to members (repositories or organizations).
macro_rules! groups_access {
    ($Scope:ident, $kind:ident, $Member:ty, $field:ident, $ids:literal, $member_setter:ident, {
        list: $fn_list:ident, $fn_page:ident, $list:ident = $list_op:tt,
        set: $fn_set:ident, $set:ident($set_body:ident) = $set_op:tt,
        add: $fn_add:ident, $add:ident = $add_op:tt,
        remove: $fn_remove:ident, $remove:ident = $remove_op:tt,
    }) => {
        impl RunnerGroups<$Scope> {
            #[doc = concat!("Streams who may use a group with `selected` visibility (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub fn $fn_list(&self, group_id: i64) -> ItemStream<$Member> {
                stream_via!(self, $fn_page, group_id)
            }

            #[doc = concat!("One page of who may use a group (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub async fn $fn_page(&self, group_id: i64, req: PageRequest) -> Result<Page<$Member>, Error> {
                self.scope.check()?;
                req.validate()?;
                let b = scoped!(self.scope, self.raw().$list(), $kind)
                    .runner_group_id(group_id)
                    .per_page(i64::from(req.per_page))
                    .page(i64::from(req.page));
                let rv = self.call($list_op, b.send()).await?;
                page(rv, req, |l| (l.$field, count(l.total_count)))
            }

            #[doc = concat!("Replaces who may use a group (`", $set_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($set_op)]
            pub async fn $fn_set(&self, group_id: i64, ids: &[i64]) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$set(), $kind)
                    .runner_group_id(group_id)
                    .body(body::<_, crate::generated::types::$set_body>($ids, &serde_json::json!({ $ids: ids }))?);
                self.call($set_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("Lets one more member use a group (`", $add_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($add_op)]
            pub async fn $fn_add(&self, group_id: i64, id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$add(), $kind).runner_group_id(group_id).$member_setter(id);
                self.call($add_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("Stops a member from using a group (`", $remove_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($remove_op)]
            pub async fn $fn_remove(&self, group_id: i64, id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$remove(), $kind).runner_group_id(group_id).$member_setter(id);
                self.call($remove_op, b.send()).await?;
                Ok(())
            }
        }
    };
}

groups_common!(Org, org, RunnerGroup, NewRunnerGroup, {
    list: actions_list_self_hosted_runner_groups_for_org = "actions/list-self-hosted-runner-groups-for-org", visible_to_repository,
    create: actions_create_self_hosted_runner_group_for_org(ActionsCreateSelfHostedRunnerGroupForOrgBody) = "actions/create-self-hosted-runner-group-for-org",
    get: actions_get_self_hosted_runner_group_for_org = "actions/get-self-hosted-runner-group-for-org",
    update: actions_update_self_hosted_runner_group_for_org(ActionsUpdateSelfHostedRunnerGroupForOrgBody) = "actions/update-self-hosted-runner-group-for-org",
    delete: actions_delete_self_hosted_runner_group_from_org = "actions/delete-self-hosted-runner-group-from-org",
    runners: actions_list_self_hosted_runners_in_group_for_org = "actions/list-self-hosted-runners-in-group-for-org",
    set_runners: actions_set_self_hosted_runners_in_group_for_org(ActionsSetSelfHostedRunnersInGroupForOrgBody) = "actions/set-self-hosted-runners-in-group-for-org",
    add_runner: actions_add_self_hosted_runner_to_group_for_org = "actions/add-self-hosted-runner-to-group-for-org",
    remove_runner: actions_remove_self_hosted_runner_from_group_for_org = "actions/remove-self-hosted-runner-from-group-for-org",
});

groups_access!(Org, org, MinimalRepository, repositories, "selected_repository_ids", repository_id, {
    list: repositories, repositories_page, actions_list_repo_access_to_self_hosted_runner_group_in_org = "actions/list-repo-access-to-self-hosted-runner-group-in-org",
    set: set_repositories, actions_set_repo_access_to_self_hosted_runner_group_in_org(ActionsSetRepoAccessToSelfHostedRunnerGroupInOrgBody) = "actions/set-repo-access-to-self-hosted-runner-group-in-org",
    add: add_repository, actions_add_repo_access_to_self_hosted_runner_group_in_org = "actions/add-repo-access-to-self-hosted-runner-group-in-org",
    remove: remove_repository, actions_remove_repo_access_to_self_hosted_runner_group_in_org = "actions/remove-repo-access-to-self-hosted-runner-group-in-org",
});

groups_common!(Enterprise, enterprise, EnterpriseRunnerGroup, NewEnterpriseRunnerGroup, {
    list: enterprise_admin_list_self_hosted_runner_groups_for_enterprise = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise", visible_to_organization,
    create: enterprise_admin_create_self_hosted_runner_group_for_enterprise(EnterpriseAdminCreateSelfHostedRunnerGroupForEnterpriseBody) = "enterprise-admin/create-self-hosted-runner-group-for-enterprise",
    get: enterprise_admin_get_self_hosted_runner_group_for_enterprise = "enterprise-admin/get-self-hosted-runner-group-for-enterprise",
    update: enterprise_admin_update_self_hosted_runner_group_for_enterprise(EnterpriseAdminUpdateSelfHostedRunnerGroupForEnterpriseBody) = "enterprise-admin/update-self-hosted-runner-group-for-enterprise",
    delete: enterprise_admin_delete_self_hosted_runner_group_from_enterprise = "enterprise-admin/delete-self-hosted-runner-group-from-enterprise",
    runners: enterprise_admin_list_self_hosted_runners_in_group_for_enterprise = "enterprise-admin/list-self-hosted-runners-in-group-for-enterprise",
    set_runners: enterprise_admin_set_self_hosted_runners_in_group_for_enterprise(EnterpriseAdminSetSelfHostedRunnersInGroupForEnterpriseBody) = "enterprise-admin/set-self-hosted-runners-in-group-for-enterprise",
    add_runner: enterprise_admin_add_self_hosted_runner_to_group_for_enterprise = "enterprise-admin/add-self-hosted-runner-to-group-for-enterprise",
    remove_runner: enterprise_admin_remove_self_hosted_runner_from_group_for_enterprise = "enterprise-admin/remove-self-hosted-runner-from-group-for-enterprise",
});

groups_access!(Enterprise, enterprise, OrganizationSimple, organizations, "selected_organization_ids", org_id, {
    list: organizations, organizations_page, enterprise_admin_list_org_access_to_self_hosted_runner_group_in_enterprise = "enterprise-admin/list-org-access-to-self-hosted-runner-group-in-enterprise",
    set: set_organizations, enterprise_admin_set_org_access_to_self_hosted_runner_group_in_enterprise(EnterpriseAdminSetOrgAccessToSelfHostedRunnerGroupInEnterpriseBody) = "enterprise-admin/set-org-access-to-self-hosted-runner-group-in-enterprise",
    add: add_organization, enterprise_admin_add_org_access_to_self_hosted_runner_group_in_enterprise = "enterprise-admin/add-org-access-to-self-hosted-runner-group-in-enterprise",
    remove: remove_organization, enterprise_admin_remove_org_access_to_self_hosted_runner_group_in_enterprise = "enterprise-admin/remove-org-access-to-self-hosted-runner-group-in-enterprise",
});

impl RunnerGroups<Org> {
    fn check_visibility(&self, _visibility: Option<&Visibility>) -> Result<(), Error> {
        Ok(())
    }

    fn check_update(&self, update: &RunnerGroupUpdate) -> Result<(), Error> {
        match &update.name {
            Some(name) => validate::segment("name", name),
            None => Err(Error::invalid(
                "name",
                "GitHub requires the name when updating an organization's runner group; pass the current name to keep it",
            )),
        }
    }

    /// Streams the GitHub-hosted runners in a group
    /// (`actions/list-github-hosted-runners-in-group-for-org`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/list-github-hosted-runners-in-group-for-org")]
    pub fn hosted_runners(&self, group_id: i64) -> ItemStream<HostedRunner> {
        stream_via!(self, hosted_runners_page, group_id)
    }

    /// One page of the GitHub-hosted runners in a group
    /// (`actions/list-github-hosted-runners-in-group-for-org`).
    #[doc = ""]
    #[doc = crate::deployment::availability_doc!("actions/list-github-hosted-runners-in-group-for-org")]
    pub async fn hosted_runners_page(&self, group_id: i64, req: PageRequest) -> Result<Page<HostedRunner>, Error> {
        const OP: &str = "actions/list-github-hosted-runners-in-group-for-org";
        self.scope.check()?;
        req.validate()?;
        let b = self
            .raw()
            .actions_list_github_hosted_runners_in_group_for_org()
            .org(self.scope.org.as_str())
            .runner_group_id(group_id)
            .per_page(i64::from(req.per_page))
            .page(i64::from(req.page));
        let rv = self.call(OP, b.send()).await?;
        page(rv, req, |l| (l.runners, count(l.total_count)))
    }
}

impl RunnerGroups<Enterprise> {
    fn check_visibility(&self, visibility: Option<&Visibility>) -> Result<(), Error> {
        match visibility {
            Some(Visibility::Private) => Err(Error::invalid(
                "visibility",
                "enterprise runner groups are `all` or `selected`; `private` exists only for organization groups",
            )),
            _ => Ok(()),
        }
    }

    fn check_update(&self, update: &RunnerGroupUpdate) -> Result<(), Error> {
        if let Some(name) = &update.name {
            validate::segment("name", name)?;
        }
        self.check_visibility(update.visibility.as_ref())
    }
}
