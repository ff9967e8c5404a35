//! Loading an upstream OpenAPI description from a file or an HTTP(S) URL.

use anyhow::{Context, Result, bail};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::Path;

/// GitHub's published GitHub Enterprise Cloud description: a superset of
/// api.github.com that adds the enterprise scope.
pub const DEFAULT_UPSTREAM: &str =
    "https://raw.githubusercontent.com/github/rest-api-description/main/descriptions/ghec/ghec.json";

/// An upstream description as loaded, before any processing.
#[derive(Debug)]
pub struct Upstream {
    /// Where it came from, fit for a provenance record: the URL, or the file
    /// name alone (never a local absolute path).
    pub label: String,
    /// sha256 of the bytes, lower-case hex.
    pub sha256: String,
    /// The parsed document.
    pub doc: Value,
}

/// Loads `from`: an `http://` or `https://` URL, or a path to a file.
pub fn load(from: &str) -> Result<Upstream> {
    let (label, bytes) = read(from)?;
    parse(label, &bytes)
}

/// The bytes of a description at a URL or in a file, and its label (the
/// URL, or the file's name).
pub fn read(from: &str) -> Result<(String, Vec<u8>)> {
    if from.starts_with("https://") || from.starts_with("http://") {
        return Ok((from.to_string(), fetch(from)?));
    }
    let path = Path::new(from);
    let bytes = std::fs::read(path).with_context(|| format!("cannot read the description {from}"))?;
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| from.to_string());
    Ok((name, bytes))
}

/// The SHA-256 of `bytes` in lower-case hex, as provenance records it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Parses the bytes of a description and checks that it is OpenAPI 3.0.x.
pub fn parse(label: String, bytes: &[u8]) -> Result<Upstream> {
    let sha256 = sha256_hex(bytes);
    let doc: Value = serde_json::from_slice(bytes)
        .with_context(|| format!("{label} is not JSON (an OpenAPI 3.0 description in JSON was expected)"))?;
    check_openapi_30(&label, &doc)?;
    Ok(Upstream { label, sha256, doc })
}

/// Fails unless `doc` looks like an OpenAPI 3.0.x description.
pub fn check_openapi_30(label: &str, doc: &Value) -> Result<()> {
    let Some(obj) = doc.as_object() else {
        bail!("{label} is not an OpenAPI description: the top level is not a JSON object");
    };
    match obj.get("openapi").and_then(Value::as_str) {
        Some(v) if v.starts_with("3.0.") => {}
        Some(v) => {
            bail!("{label} is OpenAPI {v}; only OpenAPI 3.0.x descriptions are supported (GitHub publishes 3.0.3)")
        }
        None => {
            bail!("{label} is not an OpenAPI 3.0 description: it has no \"openapi\" version field")
        }
    }
    if !obj.get("paths").is_some_and(Value::is_object) {
        bail!("{label} is not an OpenAPI 3.0 description: it has no \"paths\" object");
    }
    Ok(())
}

fn fetch(url: &str) -> Result<Vec<u8>> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime used for the download")?;
    // reqwest is built without a default crypto provider (see the workspace
    // Cargo.toml); use ring. An error only means one is installed already.
    let _ = rustls::crypto::ring::default_provider().install_default();
    rt.block_on(async {
        let resp = reqwest::Client::builder()
            .user_agent(concat!("gha-runners-xtask/", env!("CARGO_PKG_VERSION")))
            .build()?
            .get(url)
            .send()
            .await?
            .error_for_status()?;
        Ok::<_, reqwest::Error>(resp.bytes().await?.to_vec())
    })
    .with_context(|| format!("cannot download {url} (offline? use --from <file>)"))
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_non_json() {
        let err = parse("x.json".into(), b"openapi: 3.0.3").unwrap_err();
        assert!(format!("{err:#}").contains("x.json is not JSON"), "{err:#}");
    }

    #[test]
    fn rejects_other_openapi_versions_and_non_openapi_json() {
        let err = parse("x.json".into(), br#"{"openapi":"3.1.0","paths":{}}"#).unwrap_err();
        assert!(err.to_string().contains("OpenAPI 3.1.0"), "{err}");
        let err = parse("x.json".into(), br#"{"swagger":"2.0"}"#).unwrap_err();
        assert!(err.to_string().contains("no \"openapi\""), "{err}");
        let err = parse("x.json".into(), b"[1]").unwrap_err();
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }

    #[test]
    fn digest_is_sha256_hex() {
        let up = parse("x".into(), br#"{"openapi":"3.0.3","paths":{}}"#).unwrap();
        assert_eq!(up.sha256.len(), 64);
        assert_eq!(hex(&Sha256::digest(b"")), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }
}
