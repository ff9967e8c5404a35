//! REST API versions: what the client sends as `X-GitHub-Api-Version`.

use crate::Error;
use std::fmt;

/// The REST API version of transport state built without a client builder,
/// and of a client whose deployment is not known: the version the vendored
/// spec describes (its `info.version`, set by `cargo xtask refresh-spec`),
/// which is also what GitHub serves a request that names none. A client
/// for github.com or GitHub Enterprise Cloud sends the newest version
/// instead (see [`crate::ClientBuilder::api_version`]).
pub const DEFAULT_API_VERSION: &str = "2022-11-28";

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
    fn versions_order_by_date() {
        assert!(
            ApiVersion::from("2021-01-01") < ApiVersion::V2022_11_28 && ApiVersion::V2026_03_10 < "2027-01-01".into()
        );
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
