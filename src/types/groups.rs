//! Runner groups at organization and enterprise scope.

use super::ids::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// Who may use a runner group.
    pub enum Visibility {
        /// Every repository (org group) or organization (enterprise group).
        All = "all",
        /// Only the selected repositories or organizations.
        Selected = "selected",
        /// Only private repositories (organization groups).
        Private = "private",
    }
}

/// A runner group of an organization (schema `runner-groups-org`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RunnerGroup {
    /// The group's id.
    pub id: RunnerGroupId,
    /// The group's name.
    pub name: String,
    /// Who may use it.
    pub visibility: Visibility,
    /// Whether it is the default group.
    pub default: bool,
    /// API URL of the selected repositories; only when visibility is `selected`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_repositories_url: Option<String>,
    /// API URL of its runners.
    pub runners_url: String,
    /// API URL of its GitHub-hosted runners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_runners_url: Option<String>,
    /// The hosted-compute network configuration it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration_id: Option<String>,
    /// Whether it is inherited from the enterprise.
    pub inherited: bool,
    /// For inherited groups: whether the enterprise allows public repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inherited_allows_public_repositories: Option<bool>,
    /// Whether public repositories may use it.
    pub allows_public_repositories: bool,
    /// Whether the workflow restrictions are read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_restrictions_read_only: Option<bool>,
    /// Whether only `selected_workflows` may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_to_workflows: Option<bool>,
    /// Workflows allowed to use it when restricted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_workflows: Vec<String>,
}

/// A runner group of an enterprise (schema `runner-groups-enterprise`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct EnterpriseRunnerGroup {
    /// The group's id.
    pub id: RunnerGroupId,
    /// The group's name.
    pub name: String,
    /// Which organizations may use it.
    pub visibility: Visibility,
    /// Whether it is the default group.
    pub default: bool,
    /// API URL of the selected organizations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_organizations_url: Option<String>,
    /// API URL of its runners.
    pub runners_url: String,
    /// API URL of its GitHub-hosted runners.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hosted_runners_url: Option<String>,
    /// The hosted-compute network configuration it uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration_id: Option<String>,
    /// Whether public repositories may use it.
    pub allows_public_repositories: bool,
    /// Whether the workflow restrictions are read-only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflow_restrictions_read_only: Option<bool>,
    /// Whether only `selected_workflows` may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_to_workflows: Option<bool>,
    /// Workflows allowed to use it when restricted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_workflows: Vec<String>,
}
