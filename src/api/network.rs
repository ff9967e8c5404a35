//! Hosted-compute network configurations (private networking for
//! GitHub-hosted runners).

use super::{area, body, count, page, scoped, stream_via};
use crate::pagination::{ItemStream, Page, PageRequest};
use crate::scope::{Enterprise, Org, Scope};
use crate::types::{NetworkConfiguration, NetworkConfigurationUpdate, NewNetworkConfiguration};
use crate::{Error, validate};

area! {
    /// Network configurations of an organization or enterprise
    /// (`client.org("o").network_configurations()`).
    NetworkConfigurations
}

macro_rules! network_impl {
    ($Scope:ident, $kind:ident, {
        list: $list:ident = $list_op:tt,
        create: $create:ident($create_body:ident) = $create_op:tt,
        get: $get:ident = $get_op:tt,
        update: $update:ident($update_body:ident) = $update_op:tt,
        delete: $delete:ident = $delete_op:tt,
    }) => {
        impl NetworkConfigurations<$Scope> {
            #[doc = concat!("Streams every network configuration (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub fn list(&self) -> ItemStream<NetworkConfiguration> {
                stream_via!(self, list_page)
            }

            #[doc = concat!("One page of network configurations (`", $list_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($list_op)]
            pub async fn list_page(&self, req: PageRequest) -> Result<Page<NetworkConfiguration>, Error> {
                self.scope.check()?;
                req.validate()?;
                let b = scoped!(self.scope, self.raw().$list(), $kind)
                    .per_page(i64::from(req.per_page))
                    .page(i64::from(req.page));
                let rv = self.call($list_op, b.send()).await?;
                page(rv, req, |l| (l.network_configurations, count(l.total_count)))
            }

            #[doc = concat!("Creates a network configuration (`", $create_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($create_op)]
            pub async fn create(&self, config: &NewNetworkConfiguration) -> Result<NetworkConfiguration, Error> {
                self.scope.check()?;
                validate::segment("name", &config.name)?;
                let b = scoped!(self.scope, self.raw().$create(), $kind)
                    .body(body::<_, crate::generated::types::$create_body>("config", config)?);
                Ok(self.call($create_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("One network configuration (`", $get_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($get_op)]
            pub async fn get(&self, id: &str) -> Result<NetworkConfiguration, Error> {
                self.scope.check()?;
                validate::segment("network_configuration_id", id)?;
                let b = scoped!(self.scope, self.raw().$get(), $kind).network_configuration_id(id);
                Ok(self.call($get_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Changes a network configuration (`", $update_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($update_op)]
            pub async fn update(
                &self,
                id: &str,
                update: &NetworkConfigurationUpdate,
            ) -> Result<NetworkConfiguration, Error> {
                self.scope.check()?;
                validate::segment("network_configuration_id", id)?;
                let b = scoped!(self.scope, self.raw().$update(), $kind).network_configuration_id(id).body(body::<
                    _,
                    crate::generated::types::$update_body,
                >(
                    "update", update,
                )?);
                Ok(self.call($update_op, b.send()).await?.into_inner())
            }

            #[doc = concat!("Deletes a network configuration (`", $delete_op, "`).")]
            #[doc = ""]
            #[doc = crate::deployment::availability_doc!($delete_op)]
            pub async fn delete(&self, id: &str) -> Result<(), Error> {
                self.scope.check()?;
                validate::segment("network_configuration_id", id)?;
                let b = scoped!(self.scope, self.raw().$delete(), $kind).network_configuration_id(id);
                self.call($delete_op, b.send()).await?;
                Ok(())
            }
        }
    };
}

network_impl!(Org, org, {
    list: hosted_compute_list_network_configurations_for_org = "hosted-compute/list-network-configurations-for-org",
    create: hosted_compute_create_network_configuration_for_org(HostedComputeCreateNetworkConfigurationForOrgBody) = "hosted-compute/create-network-configuration-for-org",
    get: hosted_compute_get_network_configuration_for_org = "hosted-compute/get-network-configuration-for-org",
    update: hosted_compute_update_network_configuration_for_org(HostedComputeUpdateNetworkConfigurationForOrgBody) = "hosted-compute/update-network-configuration-for-org",
    delete: hosted_compute_delete_network_configuration_from_org = "hosted-compute/delete-network-configuration-from-org",
});

network_impl!(Enterprise, enterprise, {
    list: hosted_compute_list_network_configurations_for_enterprise = "hosted-compute/list-network-configurations-for-enterprise",
    create: hosted_compute_create_network_configuration_for_enterprise(HostedComputeCreateNetworkConfigurationForEnterpriseBody) = "hosted-compute/create-network-configuration-for-enterprise",
    get: hosted_compute_get_network_configuration_for_enterprise = "hosted-compute/get-network-configuration-for-enterprise",
    update: hosted_compute_update_network_configuration_for_enterprise(HostedComputeUpdateNetworkConfigurationForEnterpriseBody) = "hosted-compute/update-network-configuration-for-enterprise",
    delete: hosted_compute_delete_network_configuration_from_enterprise = "hosted-compute/delete-network-configuration-from-enterprise",
});
