//! Request bodies: `#[non_exhaustive]` structs built with a constructor (or
//! `Default`) and chainable setters, so a call names only what it sets and
//! a field GitHub adds is a minor release; each serializes to exactly the
//! JSON body GitHub documents (`None` and empty optional lists are left
//! out). Re-exported from [`crate::types`].

use crate::types::hosted::ImageSource;
use crate::types::ids::RunnerGroupId;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The image a new hosted runner uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
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
#[non_exhaustive]
pub struct NewHostedRunner {
    /// Its name.
    pub name: String,
    /// Its image.
    pub image: ImageSelection,
    /// Machine size id (see the machine sizes list), e.g. `4-core`.
    pub size: String,
    /// The runner group it joins.
    pub runner_group_id: RunnerGroupId,
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
#[non_exhaustive]
pub struct HostedRunnerUpdate {
    /// New name (same rules as [`NewHostedRunner::name`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// New runner group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_group_id: Option<RunnerGroupId>,
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

impl ImageSelection {
    /// Image `id`, its provider and version left to GitHub.
    pub fn new(id: impl Into<String>) -> Self {
        Self { id: id.into(), ..Self::default() }
    }
}

crate::setters::setters!(ImageSelection { source: some ImageSource, version: some String });

impl NewHostedRunner {
    /// A runner named `name` on `image` and machine `size` in group
    /// `runner_group_id`, every other setting GitHub's default.
    pub fn new(
        name: impl Into<String>,
        image: ImageSelection,
        size: impl Into<String>,
        runner_group_id: impl Into<RunnerGroupId>,
    ) -> Self {
        Self { name: name.into(), image, size: size.into(), runner_group_id: runner_group_id.into(), ..Self::default() }
    }
}

crate::setters::setters!(NewHostedRunner {
    maximum_runners: some i64,
    enable_static_ip: some bool,
    image_gen: some bool,
});

crate::setters::setters!(HostedRunnerUpdate {
    name: some String,
    runner_group_id: some RunnerGroupId,
    maximum_runners: some i64,
    enable_static_ip: some bool,
    size: some String,
    image_id: some String,
    image_source: some ImageSource,
    image_version: some String,
    image_gen: some bool,
});
