//! Request bodies: plain structs with `Default`, so a call names only what
//! it sets (`NewRunnerGroup { name: "gpu".into(), ..Default::default() }`).
//!
//! Each serializes to exactly the JSON body GitHub documents; `None` and
//! empty optional lists are left out.

use super::{ComputeService, ImageSource, Visibility};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A request for a just-in-time runner configuration.
///
/// GitHub's rules, checked before anything is sent: a non-empty `name` and
/// 1 to 100 labels.
///
/// ```
/// use gha_runners::types::JitConfigRequest;
/// let req = JitConfigRequest::new("build-42", ["self-hosted", "linux"]).runner_group_id(3);
/// assert_eq!(req.labels.len(), 2);
/// assert_eq!(req.runner_group_id, 3);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct JitConfigRequest {
    /// The new runner's name (unique in its scope).
    pub name: String,
    /// The runner group to register in (1 is the default group).
    pub runner_group_id: i64,
    /// Its labels (1 to 100); `self-hosted` is not added for you.
    pub labels: Vec<String>,
    /// The working directory relative to the runner install (default `_work`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_folder: Option<String>,
}

impl Default for JitConfigRequest {
    fn default() -> Self {
        Self { name: String::new(), runner_group_id: 1, labels: Vec::new(), work_folder: None }
    }
}

impl JitConfigRequest {
    /// A request for runner `name` with `labels` in the default group.
    pub fn new<L: Into<String>>(name: impl Into<String>, labels: impl IntoIterator<Item = L>) -> Self {
        Self { name: name.into(), labels: labels.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    /// Registers the runner in group `id`.
    pub fn runner_group_id(mut self, id: i64) -> Self {
        self.runner_group_id = id;
        self
    }

    /// Sets the working directory.
    pub fn work_folder(mut self, folder: impl Into<String>) -> Self {
        self.work_folder = Some(folder.into());
        self
    }
}

/// A new runner group of an organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewRunnerGroup {
    /// Its name.
    pub name: String,
    /// Who may use it (`all`, `selected` or `private`; GitHub's default is `all`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Repositories that may use it, with `selected` visibility.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_repository_ids: Vec<i64>,
    /// Runners to move into it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runners: Vec<i64>,
    /// Whether public repositories may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allows_public_repositories: Option<bool>,
    /// Whether only `selected_workflows` may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_to_workflows: Option<bool>,
    /// Workflows allowed when restricted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_workflows: Vec<String>,
    /// A hosted-compute network configuration to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration_id: Option<String>,
}

/// A new runner group of an enterprise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewEnterpriseRunnerGroup {
    /// Its name.
    pub name: String,
    /// Which organizations may use it (`all` or `selected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Organizations that may use it, with `selected` visibility.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_organization_ids: Vec<i64>,
    /// Runners to move into it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runners: Vec<i64>,
    /// Whether public repositories may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allows_public_repositories: Option<bool>,
    /// Whether only `selected_workflows` may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_to_workflows: Option<bool>,
    /// Workflows allowed when restricted.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selected_workflows: Vec<String>,
    /// A hosted-compute network configuration to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration_id: Option<String>,
}

/// Changes to a runner group; `None` leaves a setting as it is.
///
/// GitHub requires `name` when updating an organization's group (pass the
/// current name to keep it); enterprise groups accept an update without it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct RunnerGroupUpdate {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New visibility.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visibility: Option<Visibility>,
    /// Whether public repositories may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub allows_public_repositories: Option<bool>,
    /// Whether only `selected_workflows` may use it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restricted_to_workflows: Option<bool>,
    /// Workflows allowed when restricted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selected_workflows: Option<Vec<String>>,
    /// A hosted-compute network configuration to use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_configuration_id: Option<String>,
}

/// The image a new hosted runner uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ImageSelection {
    /// Image id (see the GitHub-owned, partner and custom image lists).
    pub id: String,
    /// Provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<ImageSource>,
    /// Version (`latest` when omitted).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A new GitHub-hosted runner.
///
/// GitHub's rule, checked before anything is sent: `name` has 1 to 64
/// characters, each a letter, digit, `.`, `-` or `_`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct NewHostedRunner {
    /// Its name.
    pub name: String,
    /// Its image.
    pub image: ImageSelection,
    /// Machine size id (see the machine sizes list), e.g. `4-core`.
    pub size: String,
    /// The runner group it joins.
    pub runner_group_id: i64,
    /// The most runners it scales to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_runners: Option<i64>,
    /// Whether to give it a static public IP (see the limits).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_static_ip: Option<bool>,
    /// Whether to enable custom image generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_gen: Option<bool>,
}

/// Changes to a hosted runner; `None` leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct HostedRunnerUpdate {
    /// New name (same rules as [`NewHostedRunner::name`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New runner group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_group_id: Option<i64>,
    /// New maximum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_runners: Option<i64>,
    /// Whether to use a static public IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_static_ip: Option<bool>,
    /// New machine size id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// New image id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The new image's provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_source: Option<ImageSource>,
    /// The new image's version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_version: Option<String>,
    /// Whether to enable custom image generation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_gen: Option<bool>,
}

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
