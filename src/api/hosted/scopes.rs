//! The generated operation each hosted-runner call uses at each scope.

use crate::Error;
use crate::api::{body, page, page_query, send, send_body, send_unit};
use crate::generated::types as wire;
use crate::pagination::{Page, PageRequest};
use crate::scope::{Enterprise, Org};
use crate::types::{
    CuratedImage, CustomImage, CustomImageVersion, HostedRunner, HostedRunnerId, HostedRunnerLimits,
    HostedRunnerUpdate, ImageDefinitionId, ImageVersion, MachineSpec, NewHostedRunner, Platform,
};
use std::future::Future;

/// One method per hosted-runner call, answered by the scope's generated
/// operation. Private to the crate: see [`HostedScope`](super::HostedScope).
pub trait Ops {
    fn list(&self, req: PageRequest) -> impl Future<Output = Result<Page<HostedRunner>, Error>> + Send;
    fn create(&self, runner: &NewHostedRunner) -> impl Future<Output = Result<HostedRunner, Error>> + Send;
    fn get(&self, id: HostedRunnerId) -> impl Future<Output = Result<HostedRunner, Error>> + Send;
    fn update(
        &self,
        id: HostedRunnerId,
        update: &HostedRunnerUpdate,
    ) -> impl Future<Output = Result<HostedRunner, Error>> + Send;
    fn delete(&self, id: HostedRunnerId) -> impl Future<Output = Result<HostedRunner, Error>> + Send;
    fn github_owned_images(&self) -> impl Future<Output = Result<Vec<CuratedImage>, Error>> + Send;
    fn partner_images(&self) -> impl Future<Output = Result<Vec<CuratedImage>, Error>> + Send;
    fn custom_images(&self) -> impl Future<Output = Result<Vec<CustomImage>, Error>> + Send;
    fn custom_image(&self, id: ImageDefinitionId) -> impl Future<Output = Result<CustomImage, Error>> + Send;
    fn delete_custom_image(&self, id: ImageDefinitionId) -> impl Future<Output = Result<(), Error>> + Send;
    fn custom_image_versions(
        &self,
        id: ImageDefinitionId,
    ) -> impl Future<Output = Result<Vec<CustomImageVersion>, Error>> + Send;
    fn custom_image_version(
        &self,
        id: ImageDefinitionId,
        version: &ImageVersion,
    ) -> impl Future<Output = Result<CustomImageVersion, Error>> + Send;
    fn delete_custom_image_version(
        &self,
        id: ImageDefinitionId,
        version: &ImageVersion,
    ) -> impl Future<Output = Result<(), Error>> + Send;
    fn limits(&self) -> impl Future<Output = Result<HostedRunnerLimits, Error>> + Send;
    fn machine_sizes(&self) -> impl Future<Output = Result<Vec<MachineSpec>, Error>> + Send;
    fn platforms(&self) -> impl Future<Output = Result<Vec<Platform>, Error>> + Send;
}

impl super::HostedScope for Enterprise {}
impl super::HostedScope for Org {}

impl Ops for Enterprise {
    async fn list(&self, req: PageRequest) -> Result<Page<HostedRunner>, Error> {
        const OP: &str = "actions/list-hosted-runners-for-enterprise";
        let (p, n) = page_query(req);
        let f = self.raw().actions_list_hosted_runners_for_enterprise(&self.enterprise, p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
    async fn create(&self, runner: &NewHostedRunner) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/create-hosted-runner-for-enterprise";
        let b: wire::ActionsCreateHostedRunnerForEnterpriseBody = body("runner", runner)?;
        send_body(&self.client, OP, self.raw().actions_create_hosted_runner_for_enterprise(&self.enterprise, &b)).await
    }
    async fn get(&self, id: HostedRunnerId) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/get-hosted-runner-for-enterprise";
        send_body(&self.client, OP, self.raw().actions_get_hosted_runner_for_enterprise(&self.enterprise, id.0)).await
    }
    async fn update(&self, id: HostedRunnerId, update: &HostedRunnerUpdate) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/update-hosted-runner-for-enterprise";
        let b: wire::ActionsUpdateHostedRunnerForEnterpriseBody = body("update", update)?;
        send_body(&self.client, OP, self.raw().actions_update_hosted_runner_for_enterprise(&self.enterprise, id.0, &b))
            .await
    }
    async fn delete(&self, id: HostedRunnerId) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/delete-hosted-runner-for-enterprise";
        send_body(&self.client, OP, self.raw().actions_delete_hosted_runner_for_enterprise(&self.enterprise, id.0))
            .await
    }
    async fn github_owned_images(&self) -> Result<Vec<CuratedImage>, Error> {
        const OP: &str = "actions/get-hosted-runners-github-owned-images-for-enterprise";
        Ok(send_body(
            &self.client,
            OP,
            self.raw().actions_get_hosted_runners_github_owned_images_for_enterprise(&self.enterprise),
        )
        .await?
        .images)
    }
    async fn partner_images(&self) -> Result<Vec<CuratedImage>, Error> {
        const OP: &str = "actions/get-hosted-runners-partner-images-for-enterprise";
        Ok(send_body(
            &self.client,
            OP,
            self.raw().actions_get_hosted_runners_partner_images_for_enterprise(&self.enterprise),
        )
        .await?
        .images)
    }
    async fn custom_images(&self) -> Result<Vec<CustomImage>, Error> {
        const OP: &str = "actions/list-custom-images-for-enterprise";
        Ok(send_body(&self.client, OP, self.raw().actions_list_custom_images_for_enterprise(&self.enterprise))
            .await?
            .images)
    }
    async fn custom_image(&self, id: ImageDefinitionId) -> Result<CustomImage, Error> {
        const OP: &str = "actions/get-custom-image-for-enterprise";
        send_body(&self.client, OP, self.raw().actions_get_custom_image_for_enterprise(&self.enterprise, id.0)).await
    }
    async fn delete_custom_image(&self, id: ImageDefinitionId) -> Result<(), Error> {
        const OP: &str = "actions/delete-custom-image-from-enterprise";
        send_unit(&self.client, OP, self.raw().actions_delete_custom_image_from_enterprise(&self.enterprise, id.0))
            .await
    }
    async fn custom_image_versions(&self, id: ImageDefinitionId) -> Result<Vec<CustomImageVersion>, Error> {
        const OP: &str = "actions/list-custom-image-versions-for-enterprise";
        Ok(send_body(
            &self.client,
            OP,
            self.raw().actions_list_custom_image_versions_for_enterprise(&self.enterprise, id.0),
        )
        .await?
        .image_versions)
    }
    async fn custom_image_version(&self, id: ImageDefinitionId, v: &ImageVersion) -> Result<CustomImageVersion, Error> {
        const OP: &str = "actions/get-custom-image-version-for-enterprise";
        send_body(
            &self.client,
            OP,
            self.raw().actions_get_custom_image_version_for_enterprise(&self.enterprise, id.0, v),
        )
        .await
    }
    async fn delete_custom_image_version(&self, id: ImageDefinitionId, v: &ImageVersion) -> Result<(), Error> {
        const OP: &str = "actions/delete-custom-image-version-from-enterprise";
        send_unit(
            &self.client,
            OP,
            self.raw().actions_delete_custom_image_version_from_enterprise(&self.enterprise, id.0, v),
        )
        .await
    }
    async fn limits(&self) -> Result<HostedRunnerLimits, Error> {
        const OP: &str = "actions/get-hosted-runners-limits-for-enterprise";
        send_body(&self.client, OP, self.raw().actions_get_hosted_runners_limits_for_enterprise(&self.enterprise)).await
    }
    async fn machine_sizes(&self) -> Result<Vec<MachineSpec>, Error> {
        const OP: &str = "actions/get-hosted-runners-machine-specs-for-enterprise";
        Ok(send_body(
            &self.client,
            OP,
            self.raw().actions_get_hosted_runners_machine_specs_for_enterprise(&self.enterprise),
        )
        .await?
        .machine_specs)
    }
    async fn platforms(&self) -> Result<Vec<Platform>, Error> {
        const OP: &str = "actions/get-hosted-runners-platforms-for-enterprise";
        let list = send_body(
            &self.client,
            OP,
            self.raw().actions_get_hosted_runners_platforms_for_enterprise(&self.enterprise),
        )
        .await?;
        Ok(list.platforms.iter().map(|p| Platform::from(p.as_str())).collect())
    }
}

impl Ops for Org {
    async fn list(&self, req: PageRequest) -> Result<Page<HostedRunner>, Error> {
        const OP: &str = "actions/list-hosted-runners-for-org";
        let (p, n) = page_query(req);
        let f = self.raw().actions_list_hosted_runners_for_org(&self.org, p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.runners, Some(l.total_count)))
    }
    async fn create(&self, runner: &NewHostedRunner) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/create-hosted-runner-for-org";
        let b: wire::ActionsCreateHostedRunnerForOrgBody = body("runner", runner)?;
        send_body(&self.client, OP, self.raw().actions_create_hosted_runner_for_org(&self.org, &b)).await
    }
    async fn get(&self, id: HostedRunnerId) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/get-hosted-runner-for-org";
        send_body(&self.client, OP, self.raw().actions_get_hosted_runner_for_org(&self.org, id.0)).await
    }
    async fn update(&self, id: HostedRunnerId, update: &HostedRunnerUpdate) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/update-hosted-runner-for-org";
        let b: wire::ActionsUpdateHostedRunnerForOrgBody = body("update", update)?;
        send_body(&self.client, OP, self.raw().actions_update_hosted_runner_for_org(&self.org, id.0, &b)).await
    }
    async fn delete(&self, id: HostedRunnerId) -> Result<HostedRunner, Error> {
        const OP: &str = "actions/delete-hosted-runner-for-org";
        send_body(&self.client, OP, self.raw().actions_delete_hosted_runner_for_org(&self.org, id.0)).await
    }
    async fn github_owned_images(&self) -> Result<Vec<CuratedImage>, Error> {
        const OP: &str = "actions/get-hosted-runners-github-owned-images-for-org";
        Ok(send_body(&self.client, OP, self.raw().actions_get_hosted_runners_github_owned_images_for_org(&self.org))
            .await?
            .images)
    }
    async fn partner_images(&self) -> Result<Vec<CuratedImage>, Error> {
        const OP: &str = "actions/get-hosted-runners-partner-images-for-org";
        Ok(send_body(&self.client, OP, self.raw().actions_get_hosted_runners_partner_images_for_org(&self.org))
            .await?
            .images)
    }
    async fn custom_images(&self) -> Result<Vec<CustomImage>, Error> {
        const OP: &str = "actions/list-custom-images-for-org";
        Ok(send_body(&self.client, OP, self.raw().actions_list_custom_images_for_org(&self.org)).await?.images)
    }
    async fn custom_image(&self, id: ImageDefinitionId) -> Result<CustomImage, Error> {
        const OP: &str = "actions/get-custom-image-for-org";
        send_body(&self.client, OP, self.raw().actions_get_custom_image_for_org(&self.org, id.0)).await
    }
    async fn delete_custom_image(&self, id: ImageDefinitionId) -> Result<(), Error> {
        const OP: &str = "actions/delete-custom-image-from-org";
        send_unit(&self.client, OP, self.raw().actions_delete_custom_image_from_org(&self.org, id.0)).await
    }
    async fn custom_image_versions(&self, id: ImageDefinitionId) -> Result<Vec<CustomImageVersion>, Error> {
        const OP: &str = "actions/list-custom-image-versions-for-org";
        Ok(send_body(&self.client, OP, self.raw().actions_list_custom_image_versions_for_org(&self.org, id.0))
            .await?
            .image_versions)
    }
    async fn custom_image_version(&self, id: ImageDefinitionId, v: &ImageVersion) -> Result<CustomImageVersion, Error> {
        const OP: &str = "actions/get-custom-image-version-for-org";
        send_body(&self.client, OP, self.raw().actions_get_custom_image_version_for_org(&self.org, id.0, v)).await
    }
    async fn delete_custom_image_version(&self, id: ImageDefinitionId, v: &ImageVersion) -> Result<(), Error> {
        const OP: &str = "actions/delete-custom-image-version-from-org";
        send_unit(&self.client, OP, self.raw().actions_delete_custom_image_version_from_org(&self.org, id.0, v)).await
    }
    async fn limits(&self) -> Result<HostedRunnerLimits, Error> {
        const OP: &str = "actions/get-hosted-runners-limits-for-org";
        send_body(&self.client, OP, self.raw().actions_get_hosted_runners_limits_for_org(&self.org)).await
    }
    async fn machine_sizes(&self) -> Result<Vec<MachineSpec>, Error> {
        const OP: &str = "actions/get-hosted-runners-machine-specs-for-org";
        Ok(send_body(&self.client, OP, self.raw().actions_get_hosted_runners_machine_specs_for_org(&self.org))
            .await?
            .machine_specs)
    }
    async fn platforms(&self) -> Result<Vec<Platform>, Error> {
        const OP: &str = "actions/get-hosted-runners-platforms-for-org";
        let list =
            send_body(&self.client, OP, self.raw().actions_get_hosted_runners_platforms_for_org(&self.org)).await?;
        Ok(list.platforms.iter().map(|p| Platform::from(p.as_str())).collect())
    }
}
