//! GitHub-hosted runners and their catalogues: GitHub-owned, partner and
//! custom images, machine sizes, platforms, limits.

use super::{area, body, count, page, scoped, stream_via};
use crate::pagination::{ItemStream, Page, PageRequest};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{
    CuratedImage, CustomImage, CustomImageVersion, HostedRunner, HostedRunnerLimits, HostedRunnerUpdate, MachineSpec,
    NewHostedRunner, Platform,
};
use crate::{Error, validate};

area! {
    /// GitHub-hosted runners of an organization or enterprise
    /// (`client.org("o").hosted_runners()`).
    ///
    /// ```no_run
    /// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
    /// use gha_runners::types::{ImageSelection, NewHostedRunner};
    /// let hosted = github.org("octo-org").hosted_runners();
    /// let sizes = hosted.machine_sizes().await?;
    /// let runner = hosted
    ///     .create(&NewHostedRunner {
    ///         name: "ubuntu-4core".into(),
    ///         image: ImageSelection { id: "ubuntu-latest".into(), ..Default::default() },
    ///         size: sizes[0].id.clone(),
    ///         runner_group_id: 1,
    ///         ..Default::default()
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    HostedRunners
}

macro_rules! hosted_impl {
    ($Scope:ident, $kind:ident, {
        list: $list:ident = $list_op:tt,
        create: $create:ident($create_body:ident) = $create_op:tt,
        get: $get:ident = $get_op:tt,
        update: $update:ident($update_body:ident) = $update_op:tt,
        delete: $delete:ident = $delete_op:tt,
        github_owned_images: $gh_images:ident = $gh_images_op:tt,
        partner_images: $partner_images:ident = $partner_images_op:tt,
        custom_images: $custom_images:ident = $custom_images_op:tt,
        custom_image: $custom_image:ident = $custom_image_op:tt,
        delete_custom_image: $delete_custom_image:ident = $delete_custom_image_op:tt,
        custom_image_versions: $versions:ident = $versions_op:tt,
        custom_image_version: $version:ident = $version_op:tt,
        delete_custom_image_version: $delete_version:ident = $delete_version_op:tt,
        limits: $limits:ident = $limits_op:tt,
        machine_sizes: $sizes:ident = $sizes_op:tt,
        platforms: $platforms:ident = $platforms_op:tt,
    }) => {
        impl HostedRunners<$Scope> {
            #[doc = concat!("Streams every GitHub-hosted runner (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub fn list(&self) -> ItemStream<HostedRunner> {
                stream_via!(self, list_page)
            }

            #[doc = concat!("One page of GitHub-hosted runners (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub async fn list_page(&self, req: PageRequest) -> Result<Page<HostedRunner>, Error> {
                self.scope.check()?;
                req.validate()?;
                let b = scoped!(self.scope, self.raw().$list(), $kind)
                    .per_page(i64::from(req.per_page))
                    .page(i64::from(req.page));
                let rv = self.call($list_op, b.send()).await?;
                page(rv, req, |l| (l.runners, count(l.total_count)))
            }

            #[doc = concat!("Creates a GitHub-hosted runner (`", $create_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($create_op)]
            pub async fn create(&self, runner: &NewHostedRunner) -> Result<HostedRunner, Error> {
                self.scope.check()?;
                validate::hosted_runner_name(&runner.name)?;
                validate::segment("image.id", &runner.image.id)?;
                validate::segment("size", &runner.size)?;
                let b = scoped!(self.scope, self.raw().$create(), $kind).body(body::<_, crate::generated::types::$create_body>("runner", runner)?);
                Ok(self.call($create_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("One GitHub-hosted runner (`", $get_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($get_op)]
            pub async fn get(&self, hosted_runner_id: i64) -> Result<HostedRunner, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$get(), $kind).hosted_runner_id(hosted_runner_id);
                Ok(self.call($get_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Changes a GitHub-hosted runner (`", $update_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($update_op)]
            pub async fn update(&self, hosted_runner_id: i64, update: &HostedRunnerUpdate) -> Result<HostedRunner, Error> {
                self.scope.check()?;
                if let Some(name) = &update.name {
                    validate::hosted_runner_name(name)?;
                }
                let b = scoped!(self.scope, self.raw().$update(), $kind)
                    .hosted_runner_id(hosted_runner_id)
                    .body(body::<_, crate::generated::types::$update_body>("update", update)?);
                Ok(self.call($update_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Starts deleting a GitHub-hosted runner; returns it as it is being deleted (`", $delete_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($delete_op)]
            pub async fn delete(&self, hosted_runner_id: i64) -> Result<HostedRunner, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$delete(), $kind).hosted_runner_id(hosted_runner_id);
                Ok(self.call($delete_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("GitHub-owned images (`", $gh_images_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($gh_images_op)]
            pub async fn github_owned_images(&self) -> Result<Vec<CuratedImage>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$gh_images(), $kind);
                Ok(self.call($gh_images_op, b.send()).await?.into_inner().images)
            }

            #[doc = concat!("Partner images (`", $partner_images_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($partner_images_op)]
            pub async fn partner_images(&self) -> Result<Vec<CuratedImage>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$partner_images(), $kind);
                Ok(self.call($partner_images_op, b.send()).await?.into_inner().images)
            }

            #[doc = concat!("Custom images (`", $custom_images_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($custom_images_op)]
            pub async fn custom_images(&self) -> Result<Vec<CustomImage>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$custom_images(), $kind);
                Ok(self.call($custom_images_op, b.send()).await?.into_inner().images)
            }

            #[doc = concat!("One custom image (`", $custom_image_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($custom_image_op)]
            pub async fn custom_image(&self, image_definition_id: i64) -> Result<CustomImage, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$custom_image(), $kind).image_definition_id(image_definition_id);
                Ok(self.call($custom_image_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Deletes a custom image (`", $delete_custom_image_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($delete_custom_image_op)]
            pub async fn delete_custom_image(&self, image_definition_id: i64) -> Result<(), Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$delete_custom_image(), $kind).image_definition_id(image_definition_id);
                self.call($delete_custom_image_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("The versions of a custom image (`", $versions_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($versions_op)]
            pub async fn custom_image_versions(&self, image_definition_id: i64) -> Result<Vec<CustomImageVersion>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$versions(), $kind).image_definition_id(image_definition_id);
                Ok(self.call($versions_op, b.send()).await?.into_inner().image_versions)
            }

            #[doc = concat!("One version (`1.2.3`) of a custom image (`", $version_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($version_op)]
            pub async fn custom_image_version(&self, image_definition_id: i64, version: &str) -> Result<CustomImageVersion, Error> {
                self.scope.check()?;
                validate::image_version(version)?;
                let b = scoped!(self.scope, self.raw().$version(), $kind)
                    .image_definition_id(image_definition_id)
                    .version(version);
                Ok(self.call($version_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Deletes one version (`1.2.3`) of a custom image (`", $delete_version_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($delete_version_op)]
            pub async fn delete_custom_image_version(&self, image_definition_id: i64, version: &str) -> Result<(), Error> {
                self.scope.check()?;
                validate::image_version(version)?;
                let b = scoped!(self.scope, self.raw().$delete_version(), $kind)
                    .image_definition_id(image_definition_id)
                    .version(version);
                self.call($delete_version_op, b.send()).await?;
                Ok(())
            }

            #[doc = concat!("Hosted runner limits, e.g. static public IPs (`", $limits_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($limits_op)]
            pub async fn limits(&self) -> Result<HostedRunnerLimits, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$limits(), $kind);
                Ok(self.call($limits_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Machine sizes to create runners with (`", $sizes_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($sizes_op)]
            pub async fn machine_sizes(&self) -> Result<Vec<MachineSpec>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$sizes(), $kind);
                Ok(self.call($sizes_op, b.send()).await?.into_inner().machine_specs)
            }

            #[doc = concat!("Platforms hosted runners are offered on (`", $platforms_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($platforms_op)]
            pub async fn platforms(&self) -> Result<Vec<Platform>, Error> {
                self.scope.check()?;
                let b = scoped!(self.scope, self.raw().$platforms(), $kind);
                let list = self.call($platforms_op, b.send()).await?.into_inner();
                Ok(list.platforms.iter().map(|p| Platform::from(p.as_str())).collect())
            }
        }
    };
}

hosted_impl!(Org, org, {
    list: actions_list_hosted_runners_for_org = "actions/list-hosted-runners-for-org",
    create: actions_create_hosted_runner_for_org(ActionsCreateHostedRunnerForOrgBody) = "actions/create-hosted-runner-for-org",
    get: actions_get_hosted_runner_for_org = "actions/get-hosted-runner-for-org",
    update: actions_update_hosted_runner_for_org(ActionsUpdateHostedRunnerForOrgBody) = "actions/update-hosted-runner-for-org",
    delete: actions_delete_hosted_runner_for_org = "actions/delete-hosted-runner-for-org",
    github_owned_images: actions_get_hosted_runners_github_owned_images_for_org = "actions/get-hosted-runners-github-owned-images-for-org",
    partner_images: actions_get_hosted_runners_partner_images_for_org = "actions/get-hosted-runners-partner-images-for-org",
    custom_images: actions_list_custom_images_for_org = "actions/list-custom-images-for-org",
    custom_image: actions_get_custom_image_for_org = "actions/get-custom-image-for-org",
    delete_custom_image: actions_delete_custom_image_from_org = "actions/delete-custom-image-from-org",
    custom_image_versions: actions_list_custom_image_versions_for_org = "actions/list-custom-image-versions-for-org",
    custom_image_version: actions_get_custom_image_version_for_org = "actions/get-custom-image-version-for-org",
    delete_custom_image_version: actions_delete_custom_image_version_from_org = "actions/delete-custom-image-version-from-org",
    limits: actions_get_hosted_runners_limits_for_org = "actions/get-hosted-runners-limits-for-org",
    machine_sizes: actions_get_hosted_runners_machine_specs_for_org = "actions/get-hosted-runners-machine-specs-for-org",
    platforms: actions_get_hosted_runners_platforms_for_org = "actions/get-hosted-runners-platforms-for-org",
});

hosted_impl!(Enterprise, enterprise, {
    list: actions_list_hosted_runners_for_enterprise = "actions/list-hosted-runners-for-enterprise",
    create: actions_create_hosted_runner_for_enterprise(ActionsCreateHostedRunnerForEnterpriseBody) = "actions/create-hosted-runner-for-enterprise",
    get: actions_get_hosted_runner_for_enterprise = "actions/get-hosted-runner-for-enterprise",
    update: actions_update_hosted_runner_for_enterprise(ActionsUpdateHostedRunnerForEnterpriseBody) = "actions/update-hosted-runner-for-enterprise",
    delete: actions_delete_hosted_runner_for_enterprise = "actions/delete-hosted-runner-for-enterprise",
    github_owned_images: actions_get_hosted_runners_github_owned_images_for_enterprise = "actions/get-hosted-runners-github-owned-images-for-enterprise",
    partner_images: actions_get_hosted_runners_partner_images_for_enterprise = "actions/get-hosted-runners-partner-images-for-enterprise",
    custom_images: actions_list_custom_images_for_enterprise = "actions/list-custom-images-for-enterprise",
    custom_image: actions_get_custom_image_for_enterprise = "actions/get-custom-image-for-enterprise",
    delete_custom_image: actions_delete_custom_image_from_enterprise = "actions/delete-custom-image-from-enterprise",
    custom_image_versions: actions_list_custom_image_versions_for_enterprise = "actions/list-custom-image-versions-for-enterprise",
    custom_image_version: actions_get_custom_image_version_for_enterprise = "actions/get-custom-image-version-for-enterprise",
    delete_custom_image_version: actions_delete_custom_image_version_from_enterprise = "actions/delete-custom-image-version-from-enterprise",
    limits: actions_get_hosted_runners_limits_for_enterprise = "actions/get-hosted-runners-limits-for-enterprise",
    machine_sizes: actions_get_hosted_runners_machine_specs_for_enterprise = "actions/get-hosted-runners-machine-specs-for-enterprise",
    platforms: actions_get_hosted_runners_platforms_for_enterprise = "actions/get-hosted-runners-platforms-for-enterprise",
});
