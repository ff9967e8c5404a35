//! Request bodies: `#[non_exhaustive]` structs built with a constructor (or
//! `Default`) and chainable setters, so a call names only what it sets and
//! a field GitHub adds is a minor release; each serializes to exactly the
//! JSON body GitHub documents (`None` and empty optional lists are left
//! out). Re-exported from [`crate::types`].

use crate::types::network::ComputeService;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A new hosted-compute network configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NewNetworkConfiguration {
    /// Its name.
    pub name: String,
    /// The network settings resources to use (exactly one, today).
    pub network_settings_ids: Vec<String>,
    /// The service it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_service: Option<ComputeService>,
    /// Whether the failover network is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_network_enabled: Option<bool>,
    /// Failover network settings resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failover_network_settings_ids: Vec<String>,
}

/// Changes to a network configuration; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NetworkConfigurationUpdate {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New network settings resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_settings_ids: Option<Vec<String>>,
    /// New service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_service: Option<ComputeService>,
    /// Whether the failover network is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_network_enabled: Option<bool>,
    /// New failover network settings resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_network_settings_ids: Option<Vec<String>>,
}

impl NewNetworkConfiguration {
    /// A configuration named `name` over the network settings
    /// `network_settings_ids`, every other setting GitHub's default.
    pub fn new<I: Into<String>>(name: impl Into<String>, network_settings_ids: impl IntoIterator<Item = I>) -> Self {
        Self {
            name: name.into(),
            network_settings_ids: network_settings_ids.into_iter().map(Into::into).collect(),
            ..Self::default()
        }
    }
}

crate::setters::setters!(NewNetworkConfiguration {
    compute_service: some ComputeService,
    failover_network_enabled: some bool,
    failover_network_settings_ids: list String,
});

crate::setters::setters!(NetworkConfigurationUpdate {
    name: some String,
    network_settings_ids: some_list String,
    compute_service: some ComputeService,
    failover_network_enabled: some bool,
    failover_network_settings_ids: some_list String,
});
