//! Which repositories may use self-hosted runners.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// Which repositories of an organization may use repository-level self-hosted runners.
    pub enum EnabledRepositories {
        /// Every repository.
        All = "all",
        /// The selected repositories.
        Selected = "selected",
        /// None.
        None = "none",
    }
}

/// An organization's self-hosted runner policy (schema `self-hosted-runners-settings`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct SelfHostedRunnersSettings {
    /// Which repositories may use them.
    pub enabled_repositories: EnabledRepositories,
    /// API URL of the selected repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_repositories_url: Option<String>,
}

/// An enterprise's self-hosted runner policy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct EnterpriseSelfHostedRunnersSettings {
    /// When true, repository-level runners are disabled in every organization.
    pub disable_self_hosted_runners_for_all_orgs: bool,
}
