//! Checks of input whose rules GitHub documents, made before any request is
//! sent.

use crate::Error;

/// A path segment (label name, network configuration id, ...): not empty
/// or only whitespace, no control characters, and, split at `/` and `\`,
/// no empty part and no `.` or `..` (which URL normalization, or a proxy
/// that decodes `%2F` or `%5C`, would turn into a different path; see
/// [`crate::path::refusal`]). Anything else is percent-encoded by the
/// generated client, so `/`, `?` or `#` cannot change the path or query.
pub(crate) fn segment(field: &'static str, value: &str) -> Result<(), Error> {
    checked(field, value, false)
}

/// An enterprise, organization, owner or repository name: a [`segment`] of
/// GitHub's name characters only (`A-Z a-z 0-9 . - _`).
pub(crate) fn name(field: &'static str, value: &str) -> Result<(), Error> {
    checked(field, value, true)
}

/// A value sent in a body or a query (a group's name, a name filter, a
/// label to set): not empty or only whitespace, no control characters.
/// Serde and the query encoder carry anything else as it is, so the path
/// rules of [`segment`] do not apply.
pub(crate) fn text(field: &'static str, value: &str) -> Result<(), Error> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be empty or whitespace"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

fn checked(field: &'static str, value: &str, name: bool) -> Result<(), Error> {
    text(field, value)?;
    match crate::path::refusal(value, name) {
        Some(why) => Err(Error::invalid(field, why)),
        None => Ok(()),
    }
}

/// The most labels GitHub accepts on a runner or a JIT config.
pub const MAX_LABELS: usize = 100;

/// A label list with `min..=100` non-empty names.
pub(crate) fn labels<S: AsRef<str>>(labels: &[S], min: usize) -> Result<(), Error> {
    if labels.len() < min || labels.len() > MAX_LABELS {
        return Err(Error::invalid("labels", format!("{} given; GitHub accepts {min} to {MAX_LABELS}", labels.len())));
    }
    for label in labels {
        text("labels", label.as_ref())?;
    }
    Ok(())
}

/// A runner name for a JIT config: not empty.
pub(crate) fn runner_name(name: &str) -> Result<(), Error> {
    if name.trim().is_empty() {
        return Err(Error::invalid("name", "a runner needs a name"));
    }
    Ok(())
}

/// A hosted runner name: 1 to 64 characters of `A-Z a-z 0-9 . - _`.
pub(crate) fn hosted_runner_name(name: &str) -> Result<(), Error> {
    let ok = (1..=64).contains(&name.chars().count())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "name",
            format!("`{name}`: a hosted runner name has 1 to 64 characters, each a letter, digit, `.`, `-` or `_`"),
        ))
    }
}

/// A custom image version: three dot-separated numbers (`1.2.3`), the
/// pattern GitHub documents (`^\d+\.\d+\.\d+$`).
pub(crate) fn image_version(version: &str) -> Result<(), Error> {
    let parts: Vec<&str> = version.split('.').collect();
    if parts.len() == 3 && parts.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
        Ok(())
    } else {
        Err(Error::invalid(
            "version",
            format!("{version:?}: a custom image version is three dot-separated numbers, e.g. 1.2.3"),
        ))
    }
}

/// `per_page`: 1 to 100.
pub(crate) fn per_page(per_page: u8) -> Result<(), Error> {
    if (1..=100).contains(&per_page) {
        Ok(())
    } else {
        Err(Error::invalid("per_page", format!("{per_page}; GitHub accepts 1 to 100")))
    }
}

/// `page`: 1 or more.
pub(crate) fn page(page: u32) -> Result<(), Error> {
    if page >= 1 { Ok(()) } else { Err(Error::invalid("page", "pages are numbered from 1")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments() {
        assert!(segment("org", "octo-org").is_ok());
        assert!(segment("label", "a/b?c#d").is_ok(), "encoded, not refused");
        assert!(segment("label", r"gpu\a100/x.y").is_ok(), "no empty or dot part");
        // Decoded once or twice, then split: still refused.
        for bad in ["x%2F..%2F..%2Fvictim", "%252e%252e%255Cx", "..;x", "a%5C%2e"] {
            assert!(segment("label", bad).is_err(), "{bad:?}");
        }
        assert!(text("name", "frontend/").is_ok() && text("name", ".").is_ok(), "bodies take any text");
        assert!(text("name", " ").is_err() && text("name", "a\nb").is_err());
        for bad in ["", "  ", "\t", ".", "..", "a\nb", r"..\..\orgs\victim", r"a\.", "a//b", "/a", r"%2E%2e\x"] {
            assert!(matches!(segment("label", bad), Err(Error::InvalidInput { field: "label", .. })), "{bad:?}");
        }
        assert!(name("org", "octo-org").is_ok());
        for bad in [r"..\victim", r"a\b", "a/b", "o/", ".", "", "%2e%2e%5Cx", "é", "a b"] {
            let e = name("org", bad).unwrap_err().to_string();
            assert!(e.contains("org"), "{bad:?}: {e}");
        }
        assert!(name("repo", r"a\b").unwrap_err().to_string().contains("no GitHub account or repository name"));
    }

    #[test]
    fn label_counts() {
        assert!(labels(&["a"], 1).is_ok());
        assert!(labels::<&str>(&[], 1).is_err());
        assert!(labels::<&str>(&[], 0).is_ok());
        let many: Vec<String> = (0..101).map(|i| format!("l{i}")).collect();
        assert!(labels(&many, 1).unwrap_err().to_string().contains("101 given"));
        assert!(labels(&many[..100], 1).is_ok());
        assert!(labels(&["ok", " "], 1).is_err());
    }

    #[test]
    fn hosted_names() {
        assert!(hosted_runner_name("my-runner_1.x").is_ok());
        assert!(hosted_runner_name(&"a".repeat(64)).is_ok());
        assert!(hosted_runner_name(&"a".repeat(65)).is_err());
        assert!(hosted_runner_name("").is_err());
        assert!(hosted_runner_name("has space").is_err());
        assert!(hosted_runner_name("ünicode").is_err());
    }

    #[test]
    fn image_versions() {
        for ok in ["1.2.3", "0.0.0", "10.200.3000"] {
            assert!(image_version(ok).is_ok(), "{ok}");
        }
        for bad in ["", "1.2", "1.2.3.4", "1..3", "a.b.c", "1.2.3 ", "١.٢.٣", "..", "1.2.3/..", "+1.2.3"] {
            assert!(matches!(image_version(bad), Err(Error::InvalidInput { field: "version", .. })), "{bad:?}");
        }
    }

    #[test]
    fn paging() {
        assert!(per_page(1).is_ok() && per_page(100).is_ok());
        assert!(per_page(0).is_err() && per_page(101).is_err());
        assert!(page(0).is_err() && page(1).is_ok());
    }
}
