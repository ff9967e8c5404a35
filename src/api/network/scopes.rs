//! The generated operation each network-configuration call uses at each scope.

use crate::Error;
use crate::api::{body, page, page_query, send, send_body, send_unit};
use crate::generated::types as wire;
use crate::pagination::{Page, PageRequest};
use crate::scope::{Enterprise, Org};
use crate::types::{NetworkConfiguration, NetworkConfigurationUpdate, NewNetworkConfiguration};
use std::future::Future;

/// One method per network-configuration call, answered by the scope's
/// generated operation. Private to the crate: see
/// [`NetworkScope`](super::NetworkScope).
pub trait Ops {
    fn list(&self, req: PageRequest) -> impl Future<Output = Result<Page<NetworkConfiguration>, Error>> + Send;
    fn create(
        &self,
        config: &NewNetworkConfiguration,
    ) -> impl Future<Output = Result<NetworkConfiguration, Error>> + Send;
    fn get(&self, id: &str) -> impl Future<Output = Result<NetworkConfiguration, Error>> + Send;
    fn update(
        &self,
        id: &str,
        update: &NetworkConfigurationUpdate,
    ) -> impl Future<Output = Result<NetworkConfiguration, Error>> + Send;
    fn delete(&self, id: &str) -> impl Future<Output = Result<(), Error>> + Send;
}

impl super::NetworkScope for Enterprise {}
impl super::NetworkScope for Org {}

impl Ops for Enterprise {
    async fn list(&self, req: PageRequest) -> Result<Page<NetworkConfiguration>, Error> {
        const OP: &str = "hosted-compute/list-network-configurations-for-enterprise";
        let (p, n) = page_query(req);
        let f = self.raw().hosted_compute_list_network_configurations_for_enterprise(&self.enterprise, p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.network_configurations, Some(l.total_count)))
    }
    async fn create(&self, config: &NewNetworkConfiguration) -> Result<NetworkConfiguration, Error> {
        const OP: &str = "hosted-compute/create-network-configuration-for-enterprise";
        let b: wire::HostedComputeCreateNetworkConfigurationForEnterpriseBody = body("config", config)?;
        send_body(
            &self.client,
            OP,
            self.raw().hosted_compute_create_network_configuration_for_enterprise(&self.enterprise, &b),
        )
        .await
    }
    async fn get(&self, id: &str) -> Result<NetworkConfiguration, Error> {
        const OP: &str = "hosted-compute/get-network-configuration-for-enterprise";
        send_body(
            &self.client,
            OP,
            self.raw().hosted_compute_get_network_configuration_for_enterprise(&self.enterprise, id),
        )
        .await
    }
    async fn update(&self, id: &str, update: &NetworkConfigurationUpdate) -> Result<NetworkConfiguration, Error> {
        const OP: &str = "hosted-compute/update-network-configuration-for-enterprise";
        let b: wire::HostedComputeUpdateNetworkConfigurationForEnterpriseBody = body("update", update)?;
        send_body(
            &self.client,
            OP,
            self.raw().hosted_compute_update_network_configuration_for_enterprise(&self.enterprise, id, &b),
        )
        .await
    }
    async fn delete(&self, id: &str) -> Result<(), Error> {
        const OP: &str = "hosted-compute/delete-network-configuration-from-enterprise";
        send_unit(
            &self.client,
            OP,
            self.raw().hosted_compute_delete_network_configuration_from_enterprise(&self.enterprise, id),
        )
        .await
    }
}

impl Ops for Org {
    async fn list(&self, req: PageRequest) -> Result<Page<NetworkConfiguration>, Error> {
        const OP: &str = "hosted-compute/list-network-configurations-for-org";
        let (p, n) = page_query(req);
        let f = self.raw().hosted_compute_list_network_configurations_for_org(&self.org, p, n);
        page(send(&self.client, OP, f).await?, req, |l| (l.network_configurations, Some(l.total_count)))
    }
    async fn create(&self, config: &NewNetworkConfiguration) -> Result<NetworkConfiguration, Error> {
        const OP: &str = "hosted-compute/create-network-configuration-for-org";
        let b: wire::HostedComputeCreateNetworkConfigurationForOrgBody = body("config", config)?;
        send_body(&self.client, OP, self.raw().hosted_compute_create_network_configuration_for_org(&self.org, &b)).await
    }
    async fn get(&self, id: &str) -> Result<NetworkConfiguration, Error> {
        const OP: &str = "hosted-compute/get-network-configuration-for-org";
        send_body(&self.client, OP, self.raw().hosted_compute_get_network_configuration_for_org(&self.org, id)).await
    }
    async fn update(&self, id: &str, update: &NetworkConfigurationUpdate) -> Result<NetworkConfiguration, Error> {
        const OP: &str = "hosted-compute/update-network-configuration-for-org";
        let b: wire::HostedComputeUpdateNetworkConfigurationForOrgBody = body("update", update)?;
        send_body(&self.client, OP, self.raw().hosted_compute_update_network_configuration_for_org(&self.org, id, &b))
            .await
    }
    async fn delete(&self, id: &str) -> Result<(), Error> {
        const OP: &str = "hosted-compute/delete-network-configuration-from-org";
        send_unit(&self.client, OP, self.raw().hosted_compute_delete_network_configuration_from_org(&self.org, id))
            .await
    }
}
