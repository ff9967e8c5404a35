//! Registration and remove tokens, JIT configs and installation tokens.

use super::Runner;
use crate::Secret;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// Which repositories a token covers.
    pub enum RepositorySelection {
        /// Every repository.
        All = "all",
        /// The listed repositories.
        Selected = "selected",
    }
}

/// A registration or remove token for `config.sh` (schema
/// `authentication-token`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct RunnerToken {
    /// The token.
    pub token: Secret,
    /// When it expires (one hour after creation).
    pub expires_at: DateTime<Utc>,
    /// Permissions, where GitHub reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<serde_json::Map<String, serde_json::Value>>,
    /// Repositories the token covers, where GitHub reports them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<serde_json::Value>")]
    pub repositories: Vec<crate::generated::types::Repository>,
    /// Whether it covers all or selected repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_selection: Option<RepositorySelection>,
    /// Single file the token covers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_file: Option<String>,
}

/// A just-in-time runner configuration: the runner GitHub created (offline
/// until started) and the opaque config to start it with
/// (`./run.sh --jitconfig <encoded_jit_config>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct JitConfig {
    /// The runner created for this config.
    pub runner: Runner,
    /// The config to pass to the runner application. Secret: anyone holding
    /// it can run jobs as this runner.
    pub encoded_jit_config: Secret,
}

/// A GitHub App installation access token (schema `installation-token`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct InstallationToken {
    /// The token.
    pub token: Secret,
    /// When it expires.
    pub expires_at: DateTime<Utc>,
    /// The permissions granted, as GitHub reports them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<serde_json::Map<String, serde_json::Value>>,
    /// Whether it covers all or selected repositories.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository_selection: Option<RepositorySelection>,
    /// The repositories it covers, where GitHub reports them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[schemars(with = "Vec<serde_json::Value>")]
    pub repositories: Vec<crate::generated::types::Repository>,
    /// Single file the token covers, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_file: Option<String>,
    /// Whether the token has multiple single-file grants.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_multiple_single_files: Option<bool>,
    /// The single-file paths it covers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub single_file_paths: Vec<String>,
}
