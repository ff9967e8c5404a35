//! Request bodies: plain structs with `Default`, so a call names only what
//! it sets; each serializes to exactly the JSON body GitHub documents (`None`
//! and empty optional lists are left out). Re-exported from [`crate::types`].

use crate::types::network::ComputeService;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A new hosted-compute network configuration.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
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
