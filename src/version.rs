//! REST API versions: what the client sends as `X-GitHub-Api-Version`.

use crate::{Deployment, Error};
use std::fmt;

/// A GitHub REST API version.
///
/// The crate's types decode the answers of every version it knows (what a
/// later version removed is optional in them); [`ApiVersion::Custom`] is
/// for a version published after this crate, sent as given.
///
/// ```
/// use gha_runners::ApiVersion;
/// assert_eq!(ApiVersion::from("2026-03-10"), ApiVersion::V2026_03_10);
/// assert_eq!(ApiVersion::from("2027-06-01").as_str(), "2027-06-01");
/// assert!(matches!(ApiVersion::from("2027-06-01"), ApiVersion::Custom(_)));
/// assert_eq!(ApiVersion::V2022_11_28.to_string(), "2022-11-28");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ApiVersion {
    /// 2022-11-28: the first calendar version, and what GitHub serves when a
    /// request names none; the only one GitHub Enterprise Server 3.17-3.19
    /// serve.
    V2022_11_28,
    /// 2026-03-10: removes `rate` from the rate-limit overview and
    /// `has_downloads` (with `master_branch` and
    /// `use_squash_pr_title_as_default` on full repositories) from the
    /// repository objects of tokens and access lists. No runner operation
    /// is added or removed.
    V2026_03_10,
    /// Another version, sent as given and not checked against the
    /// deployment: the answers may have shapes this crate does not know.
    Custom(String),
}

impl ApiVersion {
    /// Every version this crate knows, oldest first.
    pub const KNOWN: &'static [ApiVersion] = &[ApiVersion::V2022_11_28, ApiVersion::V2026_03_10];

    /// The header value.
    pub fn as_str(&self) -> &str {
        match self {
            ApiVersion::V2022_11_28 => "2022-11-28",
            ApiVersion::V2026_03_10 => "2026-03-10",
            ApiVersion::Custom(v) => v,
        }
    }

    /// `Ok` if `deployment` serves this version (a custom version is not
    /// checked), else [`Error::UnsupportedApiVersion`] naming both.
    pub fn check(&self, deployment: &Deployment) -> Result<(), Error> {
        let served = deployment.api_versions();
        // No data for the deployment: nothing to check against.
        if matches!(self, ApiVersion::Custom(_)) || served.is_empty() || served.contains(&self.as_str()) {
            return Ok(());
        }
        Err(Error::UnsupportedApiVersion {
            version: self.as_str().to_string(),
            deployment: deployment.to_string(),
            supported: served.iter().map(|v| v.to_string()).collect(),
        })
    }

    /// A custom version must look like GitHub's (`YYYY-MM-DD`), so a typo
    /// fails when the client is built rather than as a 400 on every call.
    pub(crate) fn well_formed(&self) -> Result<(), Error> {
        let b = self.as_str().as_bytes();
        let digits = |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
        if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && digits(0..4) && digits(5..7) && digits(8..10) {
            Ok(())
        } else {
            Err(Error::invalid("api_version", format!("{:?} is not a calendar version like 2026-03-10", self.as_str())))
        }
    }
}

impl From<&str> for ApiVersion {
    fn from(version: &str) -> Self {
        ApiVersion::KNOWN
            .iter()
            .find(|known| known.as_str() == version)
            .cloned()
            .unwrap_or_else(|| ApiVersion::Custom(version.to_string()))
    }
}

impl From<String> for ApiVersion {
    fn from(version: String) -> Self {
        ApiVersion::from(version.as_str())
    }
}

/// Versions order by date (their text), custom ones included.
impl PartialOrd for ApiVersion {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ApiVersion {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl fmt::Display for ApiVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deployments_serve_their_versions() {
        let ghes = Deployment::enterprise_server("3.19");
        assert!(ApiVersion::V2026_03_10.check(&Deployment::GitHubCom).is_ok());
        assert!(ApiVersion::V2026_03_10.check(&Deployment::EnterpriseCloud).is_ok());
        assert!(ApiVersion::V2022_11_28.check(&ghes).is_ok());
        let err = ApiVersion::V2026_03_10.check(&ghes).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("2026-03-10") && text.contains("GitHub Enterprise Server 3.19"), "{text}");
        assert!(text.contains("2022-11-28"), "names what is supported: {text}");
        assert!(ApiVersion::from("2027-01-01").check(&ghes).is_ok(), "custom versions are the caller's call");
        assert!(
            ApiVersion::from("2021-01-01") < ApiVersion::V2022_11_28 && ApiVersion::V2026_03_10 < "2027-01-01".into()
        );
        assert_eq!(Deployment::GitHubCom.newest_api_version(), ApiVersion::V2026_03_10);
        assert_eq!(Deployment::EnterpriseCloud.newest_api_version(), ApiVersion::V2026_03_10);
        for release in ["3.17", "3.18", "3.19", "3.10"] {
            assert_eq!(Deployment::enterprise_server(release).newest_api_version(), ApiVersion::V2022_11_28);
        }
    }

    #[test]
    fn custom_versions_must_be_calendar_dates() {
        for ok in ["2022-11-28", "2027-06-01"] {
            assert!(ApiVersion::from(ok).well_formed().is_ok(), "{ok}");
        }
        for bad in ["", "latest", "2026-3-10", "2026/03/10", "2026-03-10 ", "２０２６-03-10"] {
            assert!(ApiVersion::from(bad).well_formed().is_err(), "{bad:?}");
        }
    }
}
