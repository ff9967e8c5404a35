//! GitHub-hosted runners and their catalogues: images, machine sizes,
//! platforms, limits.

use super::ids::*;
use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

open_enum! {
    /// The state of a GitHub-hosted runner.
    pub enum HostedRunnerStatus {
        /// Ready to take jobs.
        Ready = "Ready",
        /// Being set up.
        Provisioning = "Provisioning",
        /// Shut down.
        Shutdown = "Shutdown",
        /// Being deleted.
        Deleting = "Deleting",
        /// Stuck; GitHub support may be needed.
        Stuck = "Stuck",
    }
}

open_enum! {
    /// Operating system and architecture of a hosted runner image.
    pub enum Platform {
        /// Linux on x64.
        LinuxX64 = "linux-x64",
        /// Linux on arm64.
        LinuxArm64 = "linux-arm64",
        /// Windows on x64.
        WinX64 = "win-x64",
        /// Windows on arm64.
        WinArm64 = "win-arm64",
        /// macOS on arm64.
        MacosArm64 = "macos-arm64",
    }
}

open_enum! {
    /// Who provides a runner image.
    pub enum ImageSource {
        /// A GitHub-owned image.
        Github = "github",
        /// A partner image.
        Partner = "partner",
        /// A custom image.
        Custom = "custom",
    }
}

/// A GitHub-hosted runner (schema `actions-hosted-runner`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct HostedRunner {
    /// The runner's id.
    pub id: HostedRunnerId,
    /// The runner's name.
    pub name: String,
    /// The runner group it belongs to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner_group_id: Option<RunnerGroupId>,
    /// Its image; `None` when GitHub reports none.
    pub image_details: Option<HostedImage>,
    /// Its machine size.
    pub machine_size_details: MachineSpec,
    /// Its state.
    pub status: HostedRunnerStatus,
    /// Its platform.
    pub platform: Platform,
    /// The most runners it scales to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_runners: Option<i64>,
    /// Whether public IPs are enabled.
    pub public_ip_enabled: bool,
    /// Its public IP ranges, when enabled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_ips: Vec<PublicIp>,
    /// When it was last used.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_active_on: Option<DateTime<Utc>>,
    /// Whether custom image generation is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_gen: Option<bool>,
}

/// The image of a hosted runner (schema `nullable-actions-hosted-runner-pool-image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct HostedImage {
    /// The image id, as used when creating a runner.
    pub id: String,
    /// Size in GB.
    pub size_gb: i64,
    /// Display name.
    pub display_name: String,
    /// Provider.
    pub source: ImageSource,
    /// Image version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// A GitHub-owned or partner image (schema `actions-hosted-runner-curated-image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct CuratedImage {
    /// The image id, as used when creating a runner.
    pub id: String,
    /// Its platform.
    pub platform: Platform,
    /// Size in GB.
    pub size_gb: i64,
    /// Display name.
    pub display_name: String,
    /// Provider.
    pub source: ImageSource,
}

/// A custom image (schema `actions-hosted-runner-custom-image`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct CustomImage {
    /// The image definition id.
    pub id: ImageDefinitionId,
    /// Its platform.
    pub platform: Platform,
    /// Display name.
    pub name: String,
    /// Provider.
    pub source: ImageSource,
    /// Number of versions.
    pub versions_count: i64,
    /// Total size of all versions in GB.
    pub total_versions_size: i64,
    /// Latest version.
    pub latest_version: String,
    /// State (e.g. `Ready`).
    pub state: String,
}

/// A version of a custom image (schema `actions-hosted-runner-custom-image-version`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct CustomImageVersion {
    /// The version.
    pub version: String,
    /// State (e.g. `Ready`).
    pub state: String,
    /// Size in GB.
    pub size_gb: i64,
    /// When it was created (ISO 8601, as GitHub sends it).
    pub created_on: String,
    /// State details.
    pub state_details: String,
}

/// A machine size (schema `actions-hosted-runner-machine-spec`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct MachineSpec {
    /// The id used as `size` when creating a runner (e.g. `4-core`).
    pub id: String,
    /// CPU cores.
    pub cpu_cores: i64,
    /// RAM in GB.
    pub memory_gb: i64,
    /// SSD storage in GB.
    pub storage_gb: i64,
}

/// A public IP range (schema `public-ip`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PublicIp {
    /// Whether it is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enabled: Option<bool>,
    /// The prefix.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// The prefix length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<i64>,
}

/// Hosted runner limits of an account (schema `actions-hosted-runner-limits`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct HostedRunnerLimits {
    /// Static public IP limits.
    pub public_ips: PublicIpLimits,
}

/// Static public IP usage and limit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[non_exhaustive]
pub struct PublicIpLimits {
    /// The most static public IPs allowed.
    pub maximum: i64,
    /// How many are in use.
    pub current_usage: i64,
}

/// A custom image version as a path value: three dot-separated numbers
/// (`1.2.3`), the pattern `^\d+\.\d+\.\d+$` GitHub documents. The generated
/// client takes it for the custom-image-version operations (`build.rs`
/// puts it in place of the pattern-checked string progenitor would
/// generate, which needed a regex engine at run time).
///
/// ```
/// use gha_runners::types::ImageVersion;
/// let v: ImageVersion = "1.2.3".parse().unwrap();
/// assert_eq!(v.to_string(), "1.2.3");
/// assert!("1.2".parse::<ImageVersion>().is_err());
/// assert!("1.2.3/..".parse::<ImageVersion>().is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(transparent)]
pub struct ImageVersion(String);

impl ImageVersion {
    /// The version text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::str::FromStr for ImageVersion {
    type Err = crate::Error;

    fn from_str(version: &str) -> Result<Self, Self::Err> {
        crate::validate::image_version(version).map(|()| Self(version.to_string()))
    }
}

impl TryFrom<&str> for ImageVersion {
    type Error = crate::Error;

    fn try_from(version: &str) -> Result<Self, Self::Error> {
        version.parse()
    }
}

impl TryFrom<String> for ImageVersion {
    type Error = crate::Error;

    fn try_from(version: String) -> Result<Self, Self::Error> {
        version.parse()
    }
}

impl std::ops::Deref for ImageVersion {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for ImageVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for ImageVersion {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer)?.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::ImageVersion;
    use proptest::prelude::*;

    /// The pattern of the `actions-custom-image-version` parameter, read
    /// from the vendored spec: if GitHub changes it, this test says so.
    fn documented_pattern() -> String {
        let spec: serde_json::Value =
            serde_json::from_str(include_str!("../../spec/openapi.json")).expect("spec/openapi.json");
        let pattern = &spec["components"]["parameters"]["actions-custom-image-version"]["schema"]["pattern"];
        pattern.as_str().expect("the version parameter has a pattern").to_string()
    }

    proptest! {
        #[test]
        fn image_version_accepts_exactly_what_githubs_pattern_accepts(s in "[0-9.a/ %\\-]{0,9}|[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}") {
            let pattern = regress::Regex::new(&documented_pattern()).expect("an ECMAScript pattern");
            prop_assert_eq!(s.parse::<ImageVersion>().is_ok(), pattern.find(&s).is_some(), "{:?}", s);
        }
    }
}
