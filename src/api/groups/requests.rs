//! Request bodies: `#[non_exhaustive]` structs built with a constructor (or
//! `Default`) and chainable setters, so a call names only what it sets and
//! a field GitHub adds is a minor release; each serializes to exactly the
//! JSON body GitHub documents (`None` and empty optional lists are left
//! out). Re-exported from [`crate::types`].

use crate::types::groups::Visibility;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A new runner group of an organization.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
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
#[non_exhaustive]
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
#[non_exhaustive]
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

/// Filter for listing runner groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListRunnerGroups {
    /// Organization groups: only those this repository (name) may use.
    /// Enterprise groups: only those this organization (login) may use.
    pub visible_to: Option<String>,
}

impl NewRunnerGroup {
    /// A group named `name`, every other setting GitHub's default.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }
}

crate::setters::setters!(NewRunnerGroup {
    visibility: some Visibility,
    selected_repository_ids: list i64,
    runners: list i64,
    allows_public_repositories: some bool,
    restricted_to_workflows: some bool,
    selected_workflows: list String,
    network_configuration_id: some String,
});

impl NewEnterpriseRunnerGroup {
    /// A group named `name`, every other setting GitHub's default.
    pub fn new(name: impl Into<String>) -> Self {
        Self { name: name.into(), ..Self::default() }
    }
}

crate::setters::setters!(NewEnterpriseRunnerGroup {
    visibility: some Visibility,
    selected_organization_ids: list i64,
    runners: list i64,
    allows_public_repositories: some bool,
    restricted_to_workflows: some bool,
    selected_workflows: list String,
    network_configuration_id: some String,
});

crate::setters::setters!(RunnerGroupUpdate {
    name: some String,
    visibility: some Visibility,
    allows_public_repositories: some bool,
    restricted_to_workflows: some bool,
    selected_workflows: some_list String,
    network_configuration_id: some String,
});

impl ListRunnerGroups {
    /// Only the groups `name` may use (a repository's name for organization
    /// groups, an organization's login for enterprise groups).
    pub fn visible_to(name: impl Into<String>) -> Self {
        Self { visible_to: Some(name.into()) }
    }
}
