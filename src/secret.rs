//! [`Secret`]: a string that never shows itself by accident.

use schemars::JsonSchema;
use schemars::r#gen::SchemaGenerator;
use schemars::schema::Schema;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// What [`Secret`] prints and serializes instead of its value.
pub const REDACTED: &str = "[redacted]";

/// A credential or other secret string: registration and remove tokens,
/// JIT configs, installation tokens, runner download tokens.
///
/// `Debug`, `Display` and `Serialize` write `[redacted]`; the value is read
/// only through [`Secret::expose_secret`]. The memory is zeroed on drop.
///
/// ```
/// use gha_runners::Secret;
/// let token = Secret::new("AABF3JGZDX3P5PMEXLND6TS6FCWO6");
/// assert_eq!(format!("{token:?} {token}"), "Secret([redacted]) [redacted]");
/// assert_eq!(serde_json::to_string(&token).unwrap(), "\"[redacted]\"");
/// assert_eq!(token.expose_secret(), "AABF3JGZDX3P5PMEXLND6TS6FCWO6");
/// ```
#[derive(Clone)]
pub struct Secret(SecretString);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(SecretString::from(value.into()))
    }

    /// The secret value. Every read of a secret goes through this call.
    pub fn expose_secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for Secret {
    fn eq(&self, other: &Self) -> bool {
        self.expose_secret() == other.expose_secret()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(REDACTED)
    }
}

impl Serialize for Secret {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(REDACTED)
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Secret::new)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Secret::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Secret::new(value)
    }
}

impl JsonSchema for Secret {
    fn schema_name() -> String {
        "Secret".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        String::json_schema(generator)
    }
}

include!(concat!(env!("OUT_DIR"), "/secret_fields.rs"));

/// Replaces the value of every [`SECRET_FIELDS`] key in `value` (at any
/// depth, whatever its type, `null` excepted) with `replacement`, and
/// returns the texts it replaced (string contents, or the JSON of other
/// values), so that messages quoting them can be cleaned too.
pub(crate) fn redact_json(value: &mut serde_json::Value, replacement: &str) -> Vec<String> {
    use serde_json::Value;
    fn leaves(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Null => {}
            Value::Array(items) => items.iter().for_each(|i| leaves(i, out)),
            Value::Object(map) => map.values().for_each(|i| leaves(i, out)),
            other => out.push(other.to_string()),
        }
    }
    fn walk(v: &mut Value, replacement: &str, out: &mut Vec<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if SECRET_FIELDS.contains(&k.as_str()) && !v.is_null() {
                        leaves(v, out);
                        *v = Value::String(replacement.into());
                    } else {
                        walk(v, replacement, out);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, replacement, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(value, replacement, &mut out);
    out
}

/// Text that marks a credential in free text (compared in lower case): an
/// echoed `Authorization` header (its `Bearer` or `RemoteAuth` scheme),
/// GitHub's token prefixes, the start of a JWT (`eyJ`).
const CREDENTIAL_MARKS: &[&str] =
    &["authorization", "bearer", "remoteauth", "ghp_", "ghs_", "gho_", "ghu_", "ghr_", "github_pat_", "eyj"];

/// What replaces a string that may hold a credential in an error.
pub(crate) const WITHHELD_TEXT: &str = "[withheld: may hold a credential]";

/// Whether free text may quote a credential (see [`CREDENTIAL_MARKS`]).
pub(crate) fn may_hold_credential(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    CREDENTIAL_MARKS.iter().any(|m| lower.contains(m))
}

/// Replaces every string in `value` that may quote a credential (an error
/// message echoing a header, say) with [`WITHHELD_TEXT`]; returns them.
pub(crate) fn withhold_credential_strings(value: &mut serde_json::Value) -> Vec<String> {
    use serde_json::Value;
    let mut out = Vec::new();
    fn walk(v: &mut Value, out: &mut Vec<String>) {
        match v {
            Value::String(s) if may_hold_credential(s) => {
                out.push(std::mem::replace(s, WITHHELD_TEXT.into()));
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, out)),
            Value::Object(map) => map.values_mut().for_each(|i| walk(i, out)),
            _ => {}
        }
    }
    walk(value, &mut out);
    out
}

/// Redacts what an error may show of a JSON body: secret fields by name,
/// and strings that may quote a credential. Returns what it replaced.
pub(crate) fn redact_for_errors(value: &mut serde_json::Value) -> Vec<String> {
    let mut found = redact_json(value, REDACTED);
    found.extend(withhold_credential_strings(value));
    found
}

/// A body as it may be shown in an error: its start, at most `max` bytes.
///
/// A JSON body is shown with every secret field's value replaced. A body
/// that is not JSON is shown only if it cannot hold a secret field (it does
/// not name one, and has no `\u` escape that could spell one); otherwise it
/// is withheld, since a truncated or broken body cannot be redacted by key.
pub(crate) struct ShownBody {
    /// What may be shown.
    pub text: String,
    /// The secret values found (to clean other messages of).
    pub secrets: Vec<String>,
    /// Whether the body was withheld.
    pub withheld: bool,
}

impl ShownBody {
    pub(crate) fn of(body: &[u8], max: usize) -> Self {
        if let Ok(mut v) = serde_json::from_slice::<serde_json::Value>(body) {
            let secrets = redact_for_errors(&mut v);
            return Self { text: snippet(v.to_string().as_bytes(), max), secrets, withheld: false };
        }
        let lower = String::from_utf8_lossy(body).to_ascii_lowercase();
        let names_secret = lower.contains("\\u")
            || SECRET_FIELDS.iter().any(|f| lower.contains(&f.to_ascii_lowercase()))
            || ["token", "jit_config"].iter().any(|m| lower.contains(m))
            || may_hold_credential(&lower);
        if names_secret {
            let text = format!("[withheld: {} bytes that are not JSON and may hold a secret]", body.len());
            Self { text, secrets: Vec::new(), withheld: true }
        } else {
            Self { text: snippet(body, max), secrets: Vec::new(), withheld: false }
        }
    }

    /// `text` with every secret value (as is, and as quoted by `{:?}`) replaced.
    pub(crate) fn clean(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secrets.iter().filter(|s| !s.is_empty()) {
            out = out.replace(s.as_str(), REDACTED);
            let quoted = format!("{s:?}");
            let inner = &quoted[1..quoted.len() - 1];
            if !inner.is_empty() {
                out = out.replace(inner, REDACTED);
            }
        }
        out
    }
}

/// The first `max` bytes of a body, as text, for error messages.
pub(crate) fn snippet(body: &[u8], max: usize) -> String {
    let cut = &body[..body.len().min(max)];
    let mut s = String::from_utf8_lossy(cut).into_owned();
    if body.len() > max {
        s.push('…');
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_secret_field_is_redacted_at_any_depth_whatever_its_type() {
        let mut v = json!({"token": "T0KEN", "runner": {"id": 1, "encoded_jit_config": {"a": ["J1T"]}},
            "apps": [{"temp_download_token": 12345, "os": "linux"}], "temp_clone_token": null, "expires_at": "2026"});
        let mut found = redact_json(&mut v, "[x]");
        found.sort();
        assert_eq!(v["token"], "[x]");
        assert_eq!(v["runner"]["encoded_jit_config"], "[x]");
        assert_eq!(v["apps"][0]["temp_download_token"], "[x]");
        assert_eq!(v["apps"][0]["os"], "linux");
        assert!(v["temp_clone_token"].is_null(), "null holds nothing");
        assert_eq!(found, ["12345", "J1T", "T0KEN"]);
    }

    #[test]
    fn bodies_are_shown_redacted_or_withheld() {
        let shown = ShownBody::of(br#"{"token":"S3CRET\"x","expires_at":"bad"}"#, 300);
        assert!(!shown.text.contains("S3CRET"), "{}", shown.text);
        assert!(shown.text.contains("expires_at"));
        assert_eq!(
            shown.clean(r#"invalid type: string "S3CRET\"x", expected"#),
            r#"invalid type: string "[redacted]", expected"#
        );
        for broken in [
            &br#"{"token": "S3CRET"#[..],
            br#"{"tok\u0065n": "S3CRET"#,
            b"<html>token S3CRET",
            b"<pre>Authorization: Bearer S3CRET</pre>",
            b"echo ghs_S3CRET",
            b"eyJhbGciOi.S3CRET",
        ] {
            let shown = ShownBody::of(broken, 300);
            assert!(shown.withheld && !shown.text.contains("S3CRET"), "{}", shown.text);
        }
        assert_eq!(ShownBody::of(b"<html>Bad Gateway</html>", 300).text, "<html>Bad Gateway</html>");
        let echoed = ShownBody::of(br#"{"message": "bad header: Bearer eyJhbGci.S3CRET", "status": "400"}"#, 300);
        assert!(!echoed.text.contains("S3CRET") && echoed.text.contains("withheld"), "{}", echoed.text);
        assert!(echoed.text.contains("400"), "the rest stays: {}", echoed.text);
    }
}
