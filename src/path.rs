//! Path safety: how a caller's value becomes one URL path segment, and the
//! check that a request's path has exactly the segments its operation
//! defines.
//!
//! Two layers, both under every request (the facade's and
//! [`crate::Client::raw`]'s):
//!
//! 1. **Encoding** ([`encode_segment`]). The generated client builds each
//!    URL as text and hands it to the URL parser, which treats `\` like `/`
//!    in http(s) URLs, drops tabs and newlines, and resolves `.` and `..`
//!    segments. progenitor's own encoder leaves `\` (and more) as is, so
//!    `build.rs` points the generated code at this one instead: every byte
//!    outside RFC 3986's unreserved set (`A-Z a-z 0-9 - . _ ~`) is
//!    percent-encoded, so `\`, `/`, `%`, `?`, `#`, `;`, spaces, control
//!    characters and non-ASCII all stay inside their segment and decode
//!    back to exactly what the caller passed.
//! 2. **Checking** ([`check`], run by the transport's `pre` hook before
//!    anything is sent). Values no encoding can carry (empty, `.` and `..`:
//!    every URL parser removes or resolves them, `%2e` spelled or not)
//!    change the number of segments; the check compares the parsed URL with
//!    the operation's path template (below the base URL's own path, so
//!    `..` cannot climb out of `/api/v3` either) and refuses the request
//!    with [`crate::Error::InvalidInput`] when a literal segment differs, a
//!    segment is missing or added, or a parameter segment is empty.
//!
//! The facade refuses the same values earlier, naming the argument
//! (`validate::segment`).

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};

/// Every byte but RFC 3986's unreserved characters.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// Percent-encodes `value` as one path segment (see the module docs). The
/// generated client calls this for every path parameter.
///
/// ```ignore
/// assert_eq!(encode_segment(r"..\victim"), "..%5Cvictim");
/// ```
pub(crate) fn encode_segment(value: &str) -> String {
    utf8_percent_encode(value, SEGMENT).to_string()
}

/// Whether a (still percent-encoded) segment is one URL parsers treat as
/// `.` or `..`.
fn is_dot_segment(segment: &str) -> bool {
    [".", "..", "%2e", "%2e.", ".%2e", "%2e%2e"].iter().any(|dot| segment.eq_ignore_ascii_case(dot))
}

/// The path parameters that name an account or a repository. GitHub's
/// names for them never hold `/` or `\`.
pub(crate) const NAME_PARAMS: &[&str] = &["enterprise", "org", "owner", "repo"];

/// How many times [`refusal`] decodes a value, for servers and proxies
/// that decode more than once: enough that a further round changes
/// nothing for any value short enough to be a name or label.
const DECODE_ROUNDS: usize = 8;

/// Why `value` (as the caller gave it, not encoded) cannot be a path
/// segment, even percent-encoded, or `None`; `name`: the segment names an
/// account or a repository ([`NAME_PARAMS`]). Encoding keeps `/` and
/// `\` inside the segment, but a proxy or server that decodes `%2F` or
/// `%5C` and takes the result for a separator (some do, for `\` in
/// particular), possibly more than once, would split the value there and
/// then resolve its dot segments. So:
/// - an account or repository name has only GitHub's name characters,
///   `A-Z a-z 0-9 . - _` (no separator, no `%` to decode into one);
/// - any other value, as given and after each round of percent-decoding,
///   split at `/` and `\`, has no empty part and no part that a URL parser
///   reads as `.` or `..` (`%2e` spellings included), also once a `;path
///   parameter` is cut off the part (as Tomcat-style servers do).
///
/// Then such a server still sees the operation's resource: a name stays
/// one segment, and a label or id may become several below the
/// operation's fixed segments but never climbs out of them.
pub(crate) fn refusal(value: &str, name: bool) -> Option<String> {
    if value.is_empty() {
        return Some("is empty".into());
    }
    if name && !value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')) {
        return Some(format!(
            "{value:?} has a character other than `A-Z a-z 0-9 . - _`, which no GitHub account or repository \
             name has (and a `/`, `\\` or `%` could become a path separator behind a decoding proxy)"
        ));
    }
    let bad_part =
        |part: &str| part.is_empty() || is_dot_segment(part) || is_dot_segment(part.split(';').next().unwrap_or(part));
    let mut form = std::borrow::Cow::Borrowed(value);
    for _ in 0..=DECODE_ROUNDS {
        if form.split(['/', '\\']).any(bad_part) {
            return Some(format!(
                "{value:?} is, or has between `/` or `\\` separators (as given or percent-decoded), an empty \
                 part, `.` or `..`, which a server or proxy that decodes %2F or %5C would resolve to another \
                 resource"
            ));
        }
        let next = percent_decode_str(&form).decode_utf8_lossy().into_owned();
        if next == form {
            break;
        }
        form = std::borrow::Cow::Owned(next);
    }
    None
}

/// Checks that `url`'s path is `base_path` followed by exactly the segments
/// of `template` (`/orgs/{org}/actions/runners/{runner_id}`): the same
/// literals, and one non-empty, non-dot segment per parameter. `Err` says
/// what differs, for [`crate::Error::InvalidInput`].
pub(crate) fn check(template: &str, base_path: &str, url: &reqwest::Url) -> Result<(), String> {
    let refuse = |why: String| {
        Err(format!(
            "the request path `{}` does not address `{template}`: {why}. A path parameter was empty, `.` or `..`",
            url.path()
        ))
    };
    let base = base_path.trim_end_matches('/');
    let Some(rest) = url.path().strip_prefix(base) else {
        return refuse(format!("it left the API root `{base}`"));
    };
    let Some(rest) = rest.strip_prefix('/') else {
        return refuse(format!("it left the API root `{base}`"));
    };
    let wanted = template.trim_start_matches('/').split('/');
    let got = rest.split('/');
    let (wanted_count, got_count) = (wanted.clone().count(), got.clone().count());
    if wanted_count != got_count {
        return refuse(format!("{got_count} segments where the operation has {wanted_count}"));
    }
    for (w, g) in wanted.zip(got) {
        match w.strip_prefix('{').and_then(|w| w.strip_suffix('}')) {
            Some(param) if g.is_empty() || is_dot_segment(g) => {
                return refuse(format!("`{param}` is `{g}`"));
            }
            Some(param) => {
                let value = percent_decode_str(g).decode_utf8_lossy();
                if let Some(why) = refusal(&value, NAME_PARAMS.contains(&param)) {
                    return Err(format!("`{param}` {why}; refused before sending `{}`", url.path()));
                }
            }
            None if w != g => return refuse(format!("`{g}` where the operation has `{w}`")),
            None => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> reqwest::Url {
        reqwest::Url::parse(s).unwrap()
    }

    #[test]
    fn encoding_keeps_every_value_in_one_segment() {
        assert_eq!(encode_segment("octo-org"), "octo-org");
        assert_eq!(encode_segment("v1.2.3_a~b"), "v1.2.3_a~b");
        assert_eq!(encode_segment(r"..\victim"), "..%5Cvictim");
        assert_eq!(encode_segment("a/b?c#d%e f"), "a%2Fb%3Fc%23d%25e%20f");
        assert_eq!(encode_segment("\t\n\u{7f}"), "%09%0A%7F");
        assert_eq!(encode_segment("é"), "%C3%A9");
        for hostile in [r"..\..\orgs\victim", "%2e%2e", "a\\b", "x/../y"] {
            let u = url(&format!("https://h/api/v3/orgs/{}/actions", encode_segment(hostile)));
            assert_eq!(u.path_segments().unwrap().count(), 5, "{hostile}: {u}");
            let seg = u.path_segments().unwrap().nth(3).unwrap();
            assert_eq!(percent_encoding::percent_decode_str(seg).decode_utf8().unwrap(), hostile);
        }
    }

    #[test]
    fn check_accepts_the_template_and_refuses_anything_else() {
        let t = "/orgs/{org}/actions/runners/{runner_id}";
        assert!(check(t, "", &url("https://api.github.com/orgs/o/actions/runners/5")).is_ok());
        assert!(check(t, "/api/v3", &url("https://h/api/v3/orgs/o.k-_9/actions/runners/5")).is_ok());
        for bad in [
            "https://h/api/v3/orgs//actions/runners/5",
            "https://h/api/v3/victim/actions/runners/5",
            "https://h/api/v3/orgs/actions/runners/5",
            "https://h/orgs/o/actions/runners/5",
            "https://h/api/v3/orgs/o/actions/runners/5/x",
            "https://h/api/v3/orgs/%2E%2e/actions/runners/5",
            "https://h/api/v3orgs/o/actions/runners/5",
        ] {
            let e = check(t, "/api/v3", &url(bad)).unwrap_err();
            assert!(e.contains("does not address"), "{bad}: {e}");
        }
        // Values a server decoding %2F or %5C would split and resolve: no
        // separator in a name, no empty or dot part in anything else.
        for bad in ["o%2F", "%5Cvictim", "..%5C..%5Corgs%5Cvictim", "%252e%252E"] {
            let u = url(&format!("https://h/api/v3/orgs/{bad}/actions/runners/5"));
            let e = check(t, "/api/v3", &u).unwrap_err();
            assert!(e.contains("`org`") && e.contains("refused before sending"), "{bad}: {e}");
        }
        let label = "/orgs/{org}/actions/runners/{runner_id}/labels/{name}";
        for ok in ["gpu%2Fa100", "a%5Cb", "x.y", "..a", "%2e%2ex", "a%253Bb"] {
            assert!(check(label, "", &url(&format!("https://h/orgs/o/actions/runners/5/labels/{ok}"))).is_ok(), "{ok}");
        }
        for bad in [
            "..%5C..%5Corgs%5Cvictim",
            "a%2F..",
            "a%5C.%5Cb",
            "a%5C",
            "%5Ca",
            "a%2F%2Fb",
            "x%2F%252E%252e",
            "x%252F..%252F..",
            "..%3Bx",
        ] {
            let u = url(&format!("https://h/orgs/o/actions/runners/5/labels/{bad}"));
            let e = check(label, "", &u).unwrap_err();
            assert!(e.contains("`name`") && e.contains("would resolve"), "{bad}: {e}");
        }
        // The parser resolves `..` before the check sees the URL.
        let climbed = url("https://h/api/v3/orgs/../../../x/actions/runners/5");
        assert!(check(t, "/api/v3", &climbed).is_err(), "{climbed}");
    }
}
