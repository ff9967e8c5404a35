//! Hosted-compute network configurations.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// The hosted compute service a network configuration is for.
    pub enum ComputeService {
        /// No service.
        None = "none",
        /// GitHub Actions hosted runners.
        Actions = "actions",
        /// Codespaces.
        Codespaces = "codespaces",
    }
}

/// A hosted-compute network configuration (schema `network-configuration`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct NetworkConfiguration {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The service it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compute_service: Option<ComputeService>,
    /// Network settings resources it uses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub network_settings_ids: Vec<String>,
    /// Whether the failover network is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failover_network_enabled: Option<bool>,
    /// Failover network settings resources.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub failover_network_settings_ids: Vec<String>,
    /// When it was created.
    pub created_on: Option<DateTime<Utc>>,
}
