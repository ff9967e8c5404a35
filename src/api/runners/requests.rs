//! Request bodies: `#[non_exhaustive]` structs built with a constructor (or
//! `Default`) and chainable setters, so a call names only what it sets and
//! a field GitHub adds is a minor release; each serializes to exactly the
//! JSON body GitHub documents (`None` and empty optional lists are left
//! out). Re-exported from [`crate::types`].

use crate::types::ids::RunnerGroupId;
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
#[non_exhaustive]
pub struct JitConfigRequest {
    /// The new runner's name (unique in its scope).
    pub name: String,
    /// The runner group to register in (1 is the default group).
    pub runner_group_id: RunnerGroupId,
    /// Its labels (1 to 100); `self-hosted` is not added for you.
    pub labels: Vec<String>,
    /// The working directory relative to the runner install (default `_work`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub work_folder: Option<String>,
}

impl Default for JitConfigRequest {
    fn default() -> Self {
        Self { name: String::new(), runner_group_id: RunnerGroupId(1), labels: Vec::new(), work_folder: None }
    }
}

impl JitConfigRequest {
    /// A request for runner `name` with `labels` in the default group.
    pub fn new<L: Into<String>>(name: impl Into<String>, labels: impl IntoIterator<Item = L>) -> Self {
        Self { name: name.into(), labels: labels.into_iter().map(Into::into).collect(), ..Self::default() }
    }

    /// Registers the runner in group `id`.
    pub fn runner_group_id(mut self, id: impl Into<RunnerGroupId>) -> Self {
        self.runner_group_id = id.into();
        self
    }

    /// Sets the working directory.
    pub fn work_folder(mut self, folder: impl Into<String>) -> Self {
        self.work_folder = Some(folder.into());
        self
    }
}

/// Filter for listing runners.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListRunners {
    /// Only the runner with this exact name.
    pub name: Option<String>,
}

impl ListRunners {
    /// Only the runner named `name`.
    pub fn named(name: impl Into<String>) -> Self {
        Self { name: Some(name.into()) }
    }
}
