//! Hosted-compute network configurations (Azure private networking for
//! GitHub-hosted runners).

pub(crate) mod requests;
mod scopes;

use crate::deployment::operations_doc;
use crate::pagination::{ItemStream, Page, PageRequest, stream_pages};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{NetworkConfiguration, NetworkConfigurationUpdate, NewNetworkConfiguration};
use crate::{Error, validate};

/// Hosted-compute network configurations of an organization or enterprise
/// (`client.org("o").network_configurations()`).
///
/// ```no_run
/// # async fn demo(github: gha_runners::Client) -> Result<(), gha_runners::Error> {
/// use futures::TryStreamExt;
/// let configs: Vec<_> = github.org("octo-org").network_configurations().list().try_collect().await?;
/// for c in configs {
///     println!("{} {}", c.id, c.name);
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct NetworkConfigurations<S> {
    scope: S,
}

impl Enterprise {
    /// Hosted-compute network configurations.
    pub fn network_configurations(&self) -> NetworkConfigurations<Enterprise> {
        NetworkConfigurations::new(self.clone())
    }
}

impl Org {
    /// Hosted-compute network configurations.
    pub fn network_configurations(&self) -> NetworkConfigurations<Org> {
        NetworkConfigurations::new(self.clone())
    }
}

/// The scopes with network configurations: [`Enterprise`](crate::scope::Enterprise)
/// and [`Org`](crate::scope::Org). Sealed.
pub trait NetworkScope: Scope + scopes::Ops {}

impl<S: NetworkScope> NetworkConfigurations<S> {
    pub(crate) fn new(scope: S) -> Self {
        Self { scope }
    }

    /// Streams every network configuration.
    ///
    #[doc = operations_doc!(
        enterprise = "hosted-compute/list-network-configurations-for-enterprise",
        org = "hosted-compute/list-network-configurations-for-org",
    )]
    pub fn list(&self) -> ItemStream<NetworkConfiguration> {
        let this = self.clone();
        stream_pages(move |req| {
            let this = this.clone();
            async move { this.list_page(req).await }
        })
    }

    /// One page of network configurations.
    ///
    #[doc = operations_doc!(
        enterprise = "hosted-compute/list-network-configurations-for-enterprise",
        org = "hosted-compute/list-network-configurations-for-org",
    )]
    pub async fn list_page(&self, req: PageRequest) -> Result<Page<NetworkConfiguration>, Error> {
        self.scope.check()?;
        req.validate()?;
        self.scope.list(req).await
    }

    /// Creates a network configuration.
    ///
    #[doc = operations_doc!(
        enterprise = "hosted-compute/create-network-configuration-for-enterprise",
        org = "hosted-compute/create-network-configuration-for-org",
    )]
    pub async fn create(&self, config: &NewNetworkConfiguration) -> Result<NetworkConfiguration, Error> {
        self.scope.check()?;
        validate::text("name", &config.name)?;
        self.scope.create(config).await
    }

    /// One network configuration.
    ///
    #[doc = operations_doc!(
        enterprise = "hosted-compute/get-network-configuration-for-enterprise",
        org = "hosted-compute/get-network-configuration-for-org",
    )]
    pub async fn get(&self, id: &str) -> Result<NetworkConfiguration, Error> {
        self.scope.check()?;
        validate::segment("network_configuration_id", id)?;
        self.scope.get(id).await
    }

    /// Changes a network configuration.
    ///
    #[doc = operations_doc!(
        enterprise = "hosted-compute/update-network-configuration-for-enterprise",
        org = "hosted-compute/update-network-configuration-for-org",
    )]
    pub async fn update(&self, id: &str, update: &NetworkConfigurationUpdate) -> Result<NetworkConfiguration, Error> {
        self.scope.check()?;
        validate::segment("network_configuration_id", id)?;
        self.scope.update(id, update).await
    }

    /// Deletes a network configuration.
    ///
    #[doc = operations_doc!(
        enterprise = "hosted-compute/delete-network-configuration-from-enterprise",
        org = "hosted-compute/delete-network-configuration-from-org",
    )]
    pub async fn delete(&self, id: &str) -> Result<(), Error> {
        self.scope.check()?;
        validate::segment("network_configuration_id", id)?;
        self.scope.delete(id).await
    }
}
