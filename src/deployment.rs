//! Deployments (github.com, GitHub Enterprise Cloud, GitHub Enterprise
//! Server releases) and which operations each publishes, from the vendored
//! data in `spec/availability.json` (written by `cargo xtask refresh-spec`
//! from each deployment's own description).

use crate::Error;
use std::fmt;

#[allow(dead_code, clippy::all)]
mod data {
    include!(concat!(env!("OUT_DIR"), "/availability.rs"));
}
pub(crate) use data::{availability_of, operations_doc, versions_of};

/// Where the API is served, which decides what operations exist.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Deployment {
    /// github.com (Free, Pro, Team): no enterprise-scope operations.
    GitHubCom,
    /// GitHub Enterprise Cloud, on api.github.com or a `*.ghe.com` data
    /// residency host: every vendored operation.
    EnterpriseCloud,
    /// A GitHub Enterprise Server release, e.g. `"3.19"`.
    EnterpriseServer {
        /// The release, `major.minor`.
        version: String,
    },
}

impl Deployment {
    /// GitHub Enterprise Server `version` (`"3.19"`).
    pub fn enterprise_server(version: impl Into<String>) -> Self {
        Deployment::EnterpriseServer { version: version.into() }
    }

    /// The REST API versions this deployment serves, oldest first, per the
    /// vendored data (an Enterprise Server release the data does not have
    /// counts as the nearest one it has).
    ///
    /// ```
    /// use gha_runners::Deployment;
    /// assert_eq!(Deployment::GitHubCom.api_versions(), ["2022-11-28", "2026-03-10"]);
    /// assert_eq!(Deployment::enterprise_server("3.19").api_versions(), ["2022-11-28"]);
    /// ```
    pub fn api_versions(&self) -> &'static [&'static str] {
        let key = self.data_key();
        data::DEPLOYMENT_VERSIONS.iter().find(|(d, _)| *d == key).map_or(&[], |(_, v)| *v)
    }

    /// The newest REST API version this deployment serves: what a client
    /// configured for it sends unless told otherwise.
    pub fn newest_api_version(&self) -> crate::ApiVersion {
        crate::ApiVersion::from(self.api_versions().last().copied().unwrap_or(crate::version::DEFAULT_API_VERSION))
    }

    /// The key of the vendored data this deployment is checked against; an
    /// Enterprise Server release the data does not have is checked against
    /// the nearest one it has (the newest, for a newer server).
    fn data_key(&self) -> String {
        match self {
            Deployment::GitHubCom => "github.com".into(),
            Deployment::EnterpriseCloud => "ghec".into(),
            Deployment::EnterpriseServer { version } => {
                let wanted = parse_version(version);
                let mut known: Vec<(Vec<u32>, &str)> = data::DEPLOYMENTS
                    .iter()
                    .filter_map(|d| d.strip_prefix("ghes-").map(|v| (parse_version(v), *d)))
                    .collect();
                known.sort();
                let exact = known.iter().find(|(v, _)| *v == wanted);
                let below = known.iter().rev().find(|(v, _)| *v <= wanted);
                match exact.or(below).or(known.first()) {
                    Some((_, d)) => d.to_string(),
                    None => format!("ghes-{version}"),
                }
            }
        }
    }
}

fn parse_version(v: &str) -> Vec<u32> {
    v.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

/// Checking a version against a deployment lives here, with the data it is
/// checked against, so that versions need not know deployments.
impl crate::ApiVersion {
    /// `Ok` if `deployment` serves this version (a custom version is not
    /// checked), else [`Error::UnsupportedApiVersion`] naming both.
    pub fn check(&self, deployment: &Deployment) -> Result<(), Error> {
        let served = deployment.api_versions();
        // No data for the deployment: nothing to check against.
        if matches!(self, crate::ApiVersion::Custom(_)) || served.is_empty() || served.contains(&self.as_str()) {
            return Ok(());
        }
        Err(Error::UnsupportedApiVersion {
            version: self.as_str().to_string(),
            deployment: deployment.to_string(),
            supported: served.iter().map(|v| v.to_string()).collect(),
        })
    }
}

impl fmt::Display for Deployment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deployment::GitHubCom => f.write_str("github.com"),
            Deployment::EnterpriseCloud => f.write_str("GitHub Enterprise Cloud"),
            Deployment::EnterpriseServer { version } => write!(f, "GitHub Enterprise Server {version}"),
        }
    }
}

/// One vendored operation: GitHub's operationId, progenitor's id, the
/// deployments that publish it, its path template.
pub(crate) type Operation = (&'static str, &'static str, &'static [&'static str], &'static str);

/// GitHub's operationId of every vendored operation, in the table's order.
#[cfg(test)]
pub(crate) fn operation_ids() -> impl Iterator<Item = &'static str> {
    data::OPERATIONS.iter().map(|(id, ..)| *id)
}

/// The operation progenitor calls `progenitor_id`.
pub(crate) fn by_progenitor_id(progenitor_id: &str) -> Option<&'static Operation> {
    row(progenitor_id).filter(|(_, snake, _, _)| *snake == progenitor_id)
}

/// The row of the vendored operations table for GitHub's operationId or
/// progenitor's snake-case id (the two never collide: GitHub's ids hold a
/// `/`), found in a map built on first use: every request looks its
/// operation up more than once.
fn row(key: &str) -> Option<&'static Operation> {
    static INDEX: std::sync::OnceLock<std::collections::HashMap<&'static str, usize>> = std::sync::OnceLock::new();
    let index = INDEX.get_or_init(|| {
        let ids = data::OPERATIONS.iter().enumerate().map(|(i, (id, _, _, _))| (*id, i));
        let snakes = data::OPERATIONS.iter().enumerate().map(|(i, (_, snake, _, _))| (*snake, i));
        ids.chain(snakes).collect()
    });
    index.get(key).map(|&i| &data::OPERATIONS[i])
}

/// The deployments that publish `operation` (GitHub's operationId), per the
/// vendored data; `None` for an operation the data does not know.
pub fn published_on(operation: &str) -> Option<&'static [&'static str]> {
    row(operation).filter(|(id, _, _, _)| *id == operation).map(|(_, _, on, _)| *on)
}

/// The path template of an operation (GitHub's operationId), for logs.
pub(crate) fn path_template(operation: &str) -> &'static str {
    row(operation).filter(|(id, _, _, _)| *id == operation).map_or("", |(_, _, _, t)| *t)
}

/// Whether `operation` (GitHub's operationId) is a DELETE whose only
/// success is 204 No Content: one whose 404 means what it addressed is gone.
pub(crate) fn deletes_with_no_content(operation: &str) -> bool {
    data::NO_CONTENT_DELETES.contains(&operation)
}

/// The first GitHub Enterprise Server release that publishes `operation`.
fn first_ghes(on: &[&str]) -> Option<String> {
    on.iter().filter_map(|d| d.strip_prefix("ghes-")).min_by_key(|v| parse_version(v)).map(String::from)
}

/// `Ok` if `deployment` publishes `operation`, else the
/// [`Error::Unsupported`] to return without sending anything.
pub(crate) fn check(operation: &'static str, deployment: &Deployment) -> Result<(), Error> {
    let Some(on) = published_on(operation) else { return Ok(()) };
    check_on(operation, on, deployment)
}

/// `Ok` if `deployment` is one of `on`, the deployments that publish `operation`.
pub(crate) fn check_on(operation: &'static str, on: &[&str], deployment: &Deployment) -> Result<(), Error> {
    if on.contains(&deployment.data_key().as_str()) {
        return Ok(());
    }
    Err(Error::Unsupported { operation, deployment: deployment.to_string(), first_ghes: first_ghes(on) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendored_operation_has_data_for_five_deployments() {
        assert_eq!(data::DEPLOYMENTS, ["github.com", "ghec", "ghes-3.17", "ghes-3.18", "ghes-3.19"]);
        assert_eq!(data::OPERATIONS.len(), 129);
        assert!(data::OPERATIONS.iter().all(|(_, _, on, _)| on.contains(&"ghec")));
        assert_eq!(path_template("actions/list-self-hosted-runners-for-org"), "/orgs/{org}/actions/runners");
    }

    #[test]
    fn deployments_serve_their_versions() {
        let ghes = Deployment::enterprise_server("3.19");
        assert!(crate::ApiVersion::V2026_03_10.check(&Deployment::GitHubCom).is_ok());
        assert!(crate::ApiVersion::V2026_03_10.check(&Deployment::EnterpriseCloud).is_ok());
        assert!(crate::ApiVersion::V2022_11_28.check(&ghes).is_ok());
        let err = crate::ApiVersion::V2026_03_10.check(&ghes).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("2026-03-10") && text.contains("GitHub Enterprise Server 3.19"), "{text}");
        assert!(text.contains("2022-11-28"), "names what is supported: {text}");
        assert!(crate::ApiVersion::from("2027-01-01").check(&ghes).is_ok(), "custom versions are the caller's call");
        assert_eq!(Deployment::GitHubCom.newest_api_version(), crate::ApiVersion::V2026_03_10);
        assert_eq!(Deployment::EnterpriseCloud.newest_api_version(), crate::ApiVersion::V2026_03_10);
        for release in ["3.17", "3.18", "3.19", "3.10"] {
            assert_eq!(Deployment::enterprise_server(release).newest_api_version(), crate::ApiVersion::V2022_11_28);
        }
    }

    #[test]
    fn hosted_runners_are_not_on_ghes_and_enterprise_ops_not_on_github_com() {
        let ghes = Deployment::enterprise_server("3.19");
        match check("actions/list-hosted-runners-for-org", &ghes) {
            Err(Error::Unsupported { first_ghes: None, deployment, .. }) => {
                assert_eq!(deployment, "GitHub Enterprise Server 3.19")
            }
            other => panic!("{other:?}"),
        }
        assert!(check("actions/list-self-hosted-runners-for-org", &ghes).is_ok());
        assert!(check("enterprise-admin/list-self-hosted-runners-for-enterprise", &Deployment::GitHubCom).is_err());
        assert!(
            check("enterprise-admin/list-self-hosted-runners-for-enterprise", &Deployment::EnterpriseCloud).is_ok()
        );
        // Added in GHES 3.19: refused on 3.18 naming 3.19.
        match check("actions/get-self-hosted-runners-permissions-organization", &Deployment::enterprise_server("3.18"))
        {
            Err(Error::Unsupported { first_ghes: Some(v), .. }) => assert_eq!(v, "3.19"),
            other => panic!("{other:?}"),
        }
        // A newer server is checked against the newest data; an older against the oldest.
        assert!(
            check("actions/get-self-hosted-runners-permissions-organization", &Deployment::enterprise_server("3.21"))
                .is_ok()
        );
        assert_eq!(Deployment::enterprise_server("3.10").data_key(), "ghes-3.17");
        let listed = by_progenitor_id("actions_list_hosted_runners_for_org").map(|op| op.0);
        assert_eq!(listed, Some("actions/list-hosted-runners-for-org"));
        assert_eq!(by_progenitor_id("actions/list-hosted-runners-for-org"), None, "GitHub's id is not progenitor's");
        assert_eq!(path_template("actions_list_hosted_runners_for_org"), "", "progenitor's id is not GitHub's");
    }
}
