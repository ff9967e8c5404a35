//! Self-hosted runners, their labels and the runner application downloads.

use super::ids::*;
use crate::Secret;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// Whether a self-hosted runner is connected to GitHub.
    pub enum RunnerStatus {
        /// Connected and able to take jobs.
        Online = "online",
        /// Not connected.
        Offline = "offline",
    }
}

open_enum! {
    /// The kind of a runner label.
    pub enum LabelType {
        /// Applied automatically when the runner is configured (`self-hosted`, OS, architecture).
        ReadOnly = "read-only",
        /// Added by a user or through the API.
        Custom = "custom",
    }
}

/// A self-hosted runner (schema `runner`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct Runner {
    /// The runner's id.
    pub id: RunnerId,
    /// The id of the runner group it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_group_id: Option<RunnerGroupId>,
    /// The runner's name.
    pub name: String,
    /// The operating system (`linux`, `macos`, `windows`, ...).
    pub os: String,
    /// Whether it is connected.
    pub status: RunnerStatus,
    /// Whether it is running a job.
    pub busy: bool,
    /// Its labels, read-only and custom.
    pub labels: Vec<RunnerLabel>,
    /// Whether it takes one job and is then removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ephemeral: Option<bool>,
    /// The runner software version; set once it has connected at least once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A label of a self-hosted runner (schema `runner-label`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RunnerLabel {
    /// The label's id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<i64>,
    /// The label's name.
    pub name: String,
    /// Read-only or custom.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub label_type: Option<LabelType>,
}

/// A runner application package to download (schema `runner-application`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RunnerApplication {
    /// Operating system (`osx`, `linux`, `win`).
    pub os: String,
    /// Architecture (`x64`, `arm`, `arm64`).
    pub architecture: String,
    /// Where to download it.
    pub download_url: String,
    /// The archive's file name.
    pub filename: String,
    /// A short-lived bearer token for the download, where one is needed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temp_download_token: Option<Secret>,
    /// The archive's sha256 checksum.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256_checksum: Option<String>,
}

/// The deprecation schedule of a runner version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RunnerVersionDeprecation {
    /// The runner version.
    pub runner_version: String,
    /// After this time the version can no longer register; `None` if no schedule is set.
    #[serde(default)]
    pub registration_deprecates_at: Option<DateTime<Utc>>,
    /// After this time jobs are no longer dispatched to runners on this version.
    #[serde(default)]
    pub runtime_deprecates_at: Option<DateTime<Utc>>,
}

/// What [`Runners::jit_config_replacing_offline`](crate::api::Runners::jit_config_replacing_offline)
/// did: the config, and the stale runner it deleted to get it, if any.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct JitIssued {
    /// The new runner's JIT config.
    pub config: super::JitConfig,
    /// The offline, idle runner that held the name and was deleted.
    pub replaced: Option<Runner>,
}
