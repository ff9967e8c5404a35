//! The generated operation each runner-group call uses at each scope.

use crate::api::{body, page, page_query, send, send_body, send_unit};
use crate::generated::types as wire;
use crate::pagination::{Page, PageRequest};
use crate::scope::{Enterprise, Org};
use crate::types::{
    EnterpriseRunnerGroup, NewEnterpriseRunnerGroup, NewRunnerGroup, Runner, RunnerGroup, RunnerGroupId,
    RunnerGroupUpdate, RunnerId, Visibility,
};
use crate::{Error, validate};
use serde::Serialize;
use serde_json::Value;
use std::future::Future;

/// One method per runner-group call, answered by the scope's generated
/// operation, with the scope's group types. Private to the crate: see
/// [`GroupScope`](super::GroupScope).
pub trait Ops {
    /// The group as this scope returns it.
    type Group: Send + 'static;
    /// What creates a group at this scope.
    type New: Serialize + Sync;
    /// The scope's rules for a new group.
    fn check_new(group: &Self::New) -> Result<(), Error>;
    /// The scope's rules for a group update.
    fn check_update(update: &RunnerGroupUpdate) -> Result<(), Error>;
    /// A group's name.
    fn name_of(group: &Self::Group) -> &str;
    fn list(
        &self,
        visible_to: Option<&str>,
        req: PageRequest,
    ) -> impl Future<Output = Result<Page<Self::Group>, Error>> + Send;
    fn create(&self, group: &Self::New) -> impl Future<Output = Result<Self::Group, Error>> + Send;
    fn get(&self, id: RunnerGroupId) -> impl Future<Output = Result<Self::Group, Error>> + Send;
    fn update(
        &self,
        id: RunnerGroupId,
        update: &RunnerGroupUpdate,
    ) -> impl Future<Output = Result<Self::Group, Error>> + Send;
    fn delete(&self, id: RunnerGroupId) -> impl Future<Output = Result<(), Error>> + Send;
    fn runners(&self, id: RunnerGroupId, req: PageRequest) -> impl Future<Output = Result<Page<Runner>, Error>> + Send;
    fn set_runners(&self, id: RunnerGroupId, runners: &Value) -> impl Future<Output = Result<(), Error>> + Send;
    fn add_runner(&self, id: RunnerGroupId, runner: RunnerId) -> impl Future<Output = Result<(), Error>> + Send;
    fn remove_runner(&self, id: RunnerGroupId, runner: RunnerId) -> impl Future<Output = Result<(), Error>> + Send;
}

impl super::GroupScope for Enterprise {}
impl super::GroupScope for Org {}

impl Ops for Org {
    type Group = RunnerGroup;
    type New = NewRunnerGroup;

    fn name_of(group: &RunnerGroup) -> &str {
        &group.name
    }

    fn check_new(group: &NewRunnerGroup) -> Result<(), Error> {
        validate::text("name", &group.name)
    }
    fn check_update(update: &RunnerGroupUpdate) -> Result<(), Error> {
        match &update.name {
            Some(name) => validate::text("name", name),
            None => Err(Error::invalid(
                "name",
                "GitHub requires the name when updating an organization's runner group; \
                 pass the current name to keep it",
            )),
        }
    }
    async fn list(&self, visible_to: Option<&str>, req: PageRequest) -> Result<Page<RunnerGroup>, Error> {
        const OP: &str = "actions/list-self-hosted-runner-groups-for-org";
        let (p, n) = page_query(req);
        let f = self.raw().actions_list_self_hosted_runner_groups_for_org(&self.org, p, n, visible_to);
        page(send(&self.client, OP, f).await?, req, |l| (l.runner_groups, Some(l.total_count)))
    }
    async fn create(&self, group: &NewRunnerGroup) -> Result<RunnerGroup, Error> {
        const OP: &str = "actions/create-self-hosted-runner-group-for-org";
        let b: wire::ActionsCreateSelfHostedRunnerGroupForOrgBody = body("group", group)?;
        send_body(&self.client, OP, self.raw().actions_create_self_hosted_runner_group_for_org(&self.org, &b)).await
    }
    async fn get(&self, id: RunnerGroupId) -> Result<RunnerGroup, Error> {
        const OP: &str = "actions/get-self-hosted-runner-group-for-org";
        send_body(&self.client, OP, self.raw().actions_get_self_hosted_runner_group_for_org(&self.org, id.0)).await
    }
    async fn update(&self, id: RunnerGroupId, update: &RunnerGroupUpdate) -> Result<RunnerGroup, Error> {
        const OP: &str = "actions/update-self-hosted-runner-group-for-org";
        let b: wire::ActionsUpdateSelfHostedRunnerGroupForOrgBody = body("update", update)?;
        let f = self.raw().actions_update_self_hosted_runner_group_for_org(&self.org, id.0, &b);
        send_body(&self.client, OP, f).await
    }
    async fn delete(&self, id: RunnerGroupId) -> Result<(), Error> {
        const OP: &str = "actions/delete-self-hosted-runner-group-from-org";
        send_unit(&self.client, OP, self.raw().actions_delete_self_hosted_runner_group_from_org(&self.org, id.0)).await
    }
    async fn runners(&self, id: RunnerGroupId, req: PageRequest) -> Result<Page<Runner>, Error> {
        const OP: &str = "actions/list-self-hosted-runners-in-group-for-org";
        let (p, n) = page_query(req);
        let f = self.raw().actions_list_self_hosted_runners_in_group_for_org(&self.org, id.0, p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
    async fn set_runners(&self, id: RunnerGroupId, runners: &Value) -> Result<(), Error> {
        const OP: &str = "actions/set-self-hosted-runners-in-group-for-org";
        let b: wire::ActionsSetSelfHostedRunnersInGroupForOrgBody = body("runners", runners)?;
        send_unit(&self.client, OP, self.raw().actions_set_self_hosted_runners_in_group_for_org(&self.org, id.0, &b))
            .await
    }
    async fn add_runner(&self, id: RunnerGroupId, runner: RunnerId) -> Result<(), Error> {
        const OP: &str = "actions/add-self-hosted-runner-to-group-for-org";
        let f = self.raw().actions_add_self_hosted_runner_to_group_for_org(&self.org, id.0, runner.0);
        send_unit(&self.client, OP, f).await
    }
    async fn remove_runner(&self, id: RunnerGroupId, runner: RunnerId) -> Result<(), Error> {
        const OP: &str = "actions/remove-self-hosted-runner-from-group-for-org";
        let f = self.raw().actions_remove_self_hosted_runner_from_group_for_org(&self.org, id.0, runner.0);
        send_unit(&self.client, OP, f).await
    }
}

impl Ops for Enterprise {
    type Group = EnterpriseRunnerGroup;
    type New = NewEnterpriseRunnerGroup;

    fn name_of(group: &EnterpriseRunnerGroup) -> &str {
        &group.name
    }

    fn check_new(group: &NewEnterpriseRunnerGroup) -> Result<(), Error> {
        validate::text("name", &group.name)?;
        enterprise_visibility(group.visibility.as_ref())
    }
    fn check_update(update: &RunnerGroupUpdate) -> Result<(), Error> {
        if let Some(name) = &update.name {
            validate::text("name", name)?;
        }
        enterprise_visibility(update.visibility.as_ref())
    }
    async fn list(&self, visible_to: Option<&str>, req: PageRequest) -> Result<Page<EnterpriseRunnerGroup>, Error> {
        const OP: &str = "enterprise-admin/list-self-hosted-runner-groups-for-enterprise";
        let (p, n) = page_query(req);
        let f = self.raw().enterprise_admin_list_self_hosted_runner_groups_for_enterprise(
            &self.enterprise,
            p,
            n,
            visible_to,
        );
        page(send(&self.client, OP, f).await?, req, |l| (l.runner_groups, Some(l.total_count)))
    }
    async fn create(&self, group: &NewEnterpriseRunnerGroup) -> Result<EnterpriseRunnerGroup, Error> {
        const OP: &str = "enterprise-admin/create-self-hosted-runner-group-for-enterprise";
        let b: wire::EnterpriseAdminCreateSelfHostedRunnerGroupForEnterpriseBody = body("group", group)?;
        let f = self.raw().enterprise_admin_create_self_hosted_runner_group_for_enterprise(&self.enterprise, &b);
        send_body(&self.client, OP, f).await
    }
    async fn get(&self, id: RunnerGroupId) -> Result<EnterpriseRunnerGroup, Error> {
        const OP: &str = "enterprise-admin/get-self-hosted-runner-group-for-enterprise";
        let f = self.raw().enterprise_admin_get_self_hosted_runner_group_for_enterprise(&self.enterprise, id.0);
        send_body(&self.client, OP, f).await
    }
    async fn update(&self, id: RunnerGroupId, update: &RunnerGroupUpdate) -> Result<EnterpriseRunnerGroup, Error> {
        const OP: &str = "enterprise-admin/update-self-hosted-runner-group-for-enterprise";
        let b: wire::EnterpriseAdminUpdateSelfHostedRunnerGroupForEnterpriseBody = body("update", update)?;
        let f = self.raw().enterprise_admin_update_self_hosted_runner_group_for_enterprise(&self.enterprise, id.0, &b);
        send_body(&self.client, OP, f).await
    }
    async fn delete(&self, id: RunnerGroupId) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/delete-self-hosted-runner-group-from-enterprise";
        let f = self.raw().enterprise_admin_delete_self_hosted_runner_group_from_enterprise(&self.enterprise, id.0);
        send_unit(&self.client, OP, f).await
    }
    async fn runners(&self, id: RunnerGroupId, req: PageRequest) -> Result<Page<Runner>, Error> {
        const OP: &str = "enterprise-admin/list-self-hosted-runners-in-group-for-enterprise";
        let (p, n) = page_query(req);
        let f =
            self.raw().enterprise_admin_list_self_hosted_runners_in_group_for_enterprise(&self.enterprise, id.0, p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
    async fn set_runners(&self, id: RunnerGroupId, runners: &Value) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/set-self-hosted-runners-in-group-for-enterprise";
        let b: wire::EnterpriseAdminSetSelfHostedRunnersInGroupForEnterpriseBody = body("runners", runners)?;
        let f = self.raw().enterprise_admin_set_self_hosted_runners_in_group_for_enterprise(&self.enterprise, id.0, &b);
        send_unit(&self.client, OP, f).await
    }
    async fn add_runner(&self, id: RunnerGroupId, runner: RunnerId) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/add-self-hosted-runner-to-group-for-enterprise";
        let f = self.raw().enterprise_admin_add_self_hosted_runner_to_group_for_enterprise(
            &self.enterprise,
            id.0,
            runner.0,
        );
        send_unit(&self.client, OP, f).await
    }
    async fn remove_runner(&self, id: RunnerGroupId, runner: RunnerId) -> Result<(), Error> {
        const OP: &str = "enterprise-admin/remove-self-hosted-runner-from-group-for-enterprise";
        let f = self.raw().enterprise_admin_remove_self_hosted_runner_from_group_for_enterprise(
            &self.enterprise,
            id.0,
            runner.0,
        );
        send_unit(&self.client, OP, f).await
    }
}

/// Enterprise groups are `all` or `selected`.
fn enterprise_visibility(visibility: Option<&Visibility>) -> Result<(), Error> {
    match visibility {
        Some(Visibility::Private) => Err(Error::invalid(
            "visibility",
            "enterprise runner groups are `all` or `selected`; `private` exists only for organization groups",
        )),
        _ => Ok(()),
    }
}
