//! GitHub-hosted runners: the runners, their images (GitHub-owned, partner
//! and custom), machine sizes, platforms and limits.

pub(crate) mod requests;
mod scopes;

use crate::deployment::operations_doc;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{
    CuratedImage, CustomImage, CustomImageVersion, HostedRunner, HostedRunnerId, HostedRunnerLimits,
    HostedRunnerUpdate, ImageDefinitionId, ImageVersion, MachineSpec, NewHostedRunner, Platform,
};
use crate::{Error, validate};

/// GitHub-hosted runners of an organization or enterprise
/// (`client.org("o").hosted_runners()`).
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use gha_runners::types::{ImageSelection, ImageSource, NewHostedRunner};
/// let hosted = github.org("octo-org").hosted_runners();
/// let runner = hosted
///     .create(&NewHostedRunner::new(
///         "ubuntu-4core",
///         ImageSelection::new("ubuntu-latest").source(ImageSource::Github),
///         "4-core",
///         1,
///     ))
///     .await?;
/// println!("created {} ({})", runner.name, runner.id);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct HostedRunners<S> {
    scope: S,
}

impl Enterprise {
    /// GitHub-hosted runners and their images, sizes, platforms and limits.
    pub fn hosted_runners(&self) -> HostedRunners<Enterprise> {
        HostedRunners::new(self.clone())
    }
}

impl Org {
    /// GitHub-hosted runners and their images, sizes, platforms and limits.
    pub fn hosted_runners(&self) -> HostedRunners<Org> {
        HostedRunners::new(self.clone())
    }
}

/// The scopes with GitHub-hosted runners: [`Enterprise`](crate::scope::Enterprise)
/// and [`Org`](crate::scope::Org). Sealed.
pub trait HostedScope: Scope + scopes::Ops {}

impl<S: HostedScope> HostedRunners<S> {
    pub(crate) fn new(scope: S) -> Self {
        Self { scope }
    }

    /// Streams every GitHub-hosted runner.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/list-hosted-runners-for-enterprise",
        org = "actions/list-hosted-runners-for-org",
    )]
    pub fn list(&self) -> ItemStream<HostedRunner> {
        let this = self.clone();
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.list_page(req).await }
        })
    }

    /// One page of GitHub-hosted runners.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/list-hosted-runners-for-enterprise",
        org = "actions/list-hosted-runners-for-org",
    )]
    pub async fn list_page(&self, req: PageRequest) -> Result<Page<HostedRunner>, Error> {
        self.scope.check()?;
        req.validate()?;
        self.scope.list(req).await
    }

    /// Creates a GitHub-hosted runner.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/create-hosted-runner-for-enterprise",
        org = "actions/create-hosted-runner-for-org",
    )]
    pub async fn create(&self, runner: &NewHostedRunner) -> Result<HostedRunner, Error> {
        self.scope.check()?;
        validate::hosted_runner_name(&runner.name)?;
        validate::text("image.id", &runner.image.id)?;
        validate::text("size", &runner.size)?;
        self.scope.create(runner).await
    }

    /// One GitHub-hosted runner.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-hosted-runner-for-enterprise",
        org = "actions/get-hosted-runner-for-org",
    )]
    pub async fn get(&self, hosted_runner_id: impl Into<HostedRunnerId>) -> Result<HostedRunner, Error> {
        self.scope.check()?;
        self.scope.get(hosted_runner_id.into()).await
    }

    /// Changes a GitHub-hosted runner.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/update-hosted-runner-for-enterprise",
        org = "actions/update-hosted-runner-for-org",
    )]
    pub async fn update(
        &self,
        hosted_runner_id: impl Into<HostedRunnerId>,
        update: &HostedRunnerUpdate,
    ) -> Result<HostedRunner, Error> {
        self.scope.check()?;
        if let Some(name) = &update.name {
            validate::hosted_runner_name(name)?;
        }
        self.scope.update(hosted_runner_id.into(), update).await
    }

    /// Starts deleting a GitHub-hosted runner; returns it as it is being deleted.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/delete-hosted-runner-for-enterprise",
        org = "actions/delete-hosted-runner-for-org",
    )]
    pub async fn delete(&self, hosted_runner_id: impl Into<HostedRunnerId>) -> Result<HostedRunner, Error> {
        self.scope.check()?;
        self.scope.delete(hosted_runner_id.into()).await
    }

    /// GitHub-owned images.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-hosted-runners-github-owned-images-for-enterprise",
        org = "actions/get-hosted-runners-github-owned-images-for-org",
    )]
    pub async fn github_owned_images(&self) -> Result<Vec<CuratedImage>, Error> {
        self.scope.check()?;
        self.scope.github_owned_images().await
    }

    /// Partner images.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-hosted-runners-partner-images-for-enterprise",
        org = "actions/get-hosted-runners-partner-images-for-org",
    )]
    pub async fn partner_images(&self) -> Result<Vec<CuratedImage>, Error> {
        self.scope.check()?;
        self.scope.partner_images().await
    }

    /// Custom images.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/list-custom-images-for-enterprise",
        org = "actions/list-custom-images-for-org",
    )]
    pub async fn custom_images(&self) -> Result<Vec<CustomImage>, Error> {
        self.scope.check()?;
        self.scope.custom_images().await
    }

    /// One custom image.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-custom-image-for-enterprise",
        org = "actions/get-custom-image-for-org",
    )]
    pub async fn custom_image(&self, image_definition_id: impl Into<ImageDefinitionId>) -> Result<CustomImage, Error> {
        self.scope.check()?;
        self.scope.custom_image(image_definition_id.into()).await
    }

    /// Deletes a custom image.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/delete-custom-image-from-enterprise",
        org = "actions/delete-custom-image-from-org",
    )]
    pub async fn delete_custom_image(&self, image_definition_id: impl Into<ImageDefinitionId>) -> Result<(), Error> {
        self.scope.check()?;
        self.scope.delete_custom_image(image_definition_id.into()).await
    }

    /// The versions of a custom image.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/list-custom-image-versions-for-enterprise",
        org = "actions/list-custom-image-versions-for-org",
    )]
    pub async fn custom_image_versions(
        &self,
        image_definition_id: impl Into<ImageDefinitionId>,
    ) -> Result<Vec<CustomImageVersion>, Error> {
        self.scope.check()?;
        self.scope.custom_image_versions(image_definition_id.into()).await
    }

    /// One version (`1.2.3`) of a custom image.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-custom-image-version-for-enterprise",
        org = "actions/get-custom-image-version-for-org",
    )]
    pub async fn custom_image_version(
        &self,
        image_definition_id: impl Into<ImageDefinitionId>,
        version: &str,
    ) -> Result<CustomImageVersion, Error> {
        self.scope.check()?;
        let version: ImageVersion = version.parse()?;
        self.scope.custom_image_version(image_definition_id.into(), &version).await
    }

    /// Deletes one version (`1.2.3`) of a custom image.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/delete-custom-image-version-from-enterprise",
        org = "actions/delete-custom-image-version-from-org",
    )]
    pub async fn delete_custom_image_version(
        &self,
        image_definition_id: impl Into<ImageDefinitionId>,
        version: &str,
    ) -> Result<(), Error> {
        self.scope.check()?;
        let version: ImageVersion = version.parse()?;
        self.scope.delete_custom_image_version(image_definition_id.into(), &version).await
    }

    /// Hosted runner limits, e.g. static public IPs.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-hosted-runners-limits-for-enterprise",
        org = "actions/get-hosted-runners-limits-for-org",
    )]
    pub async fn limits(&self) -> Result<HostedRunnerLimits, Error> {
        self.scope.check()?;
        self.scope.limits().await
    }

    /// Machine sizes to create runners with.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-hosted-runners-machine-specs-for-enterprise",
        org = "actions/get-hosted-runners-machine-specs-for-org",
    )]
    pub async fn machine_sizes(&self) -> Result<Vec<MachineSpec>, Error> {
        self.scope.check()?;
        self.scope.machine_sizes().await
    }

    /// Platforms hosted runners are offered on.
    ///
    #[doc = operations_doc!(
        enterprise = "actions/get-hosted-runners-platforms-for-enterprise",
        org = "actions/get-hosted-runners-platforms-for-org",
    )]
    pub async fn platforms(&self) -> Result<Vec<Platform>, Error> {
        self.scope.check()?;
        self.scope.platforms().await
    }
}
