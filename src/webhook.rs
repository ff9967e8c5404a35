//! GitHub webhook deliveries.
//!
//! GitHub signs every delivery of a webhook that has a secret with
//! HMAC-SHA256 over the raw body, sent as `X-Hub-Signature-256:
//! sha256=<hex>`. [`verify`] checks it (the comparison is ring's
//! constant-time one, so a forger learns nothing from timing) before
//! anything reads the body.

use crate::Secret;
use ring::hmac;

/// The header that carries a delivery's signature.
pub const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// Why a delivery's signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error(
        "the delivery has no X-Hub-Signature-256 header: set a secret on the webhook in GitHub, or the delivery did not come from GitHub"
    )]
    Missing,
    /// The header is not `sha256=` followed by 64 hexadecimal digits.
    #[error("the X-Hub-Signature-256 header is malformed ({0}); GitHub sends sha256= and 64 hexadecimal digits")]
    Malformed(&'static str),
    /// The signature does not match the body under the secret.
    #[error(
        "the X-Hub-Signature-256 signature does not match the body: the webhook's secret differs from the one configured here, or the body was altered on the way"
    )]
    Mismatch,
}

/// Checks a delivery's `X-Hub-Signature-256` header against the raw body
/// it came with. Pass the body exactly as received: re-encoded JSON does
/// not verify.
///
/// ```
/// use gha_runners::Secret;
/// use gha_runners::webhook::{SignatureError, verify};
/// // GitHub's documented example.
/// let secret = Secret::new("It's a Secret to Everybody");
/// let signature = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
/// assert_eq!(verify(&secret, b"Hello, World!", Some(signature)), Ok(()));
/// assert_eq!(verify(&secret, b"Hello, World?", Some(signature)), Err(SignatureError::Mismatch));
/// assert_eq!(verify(&secret, b"Hello, World!", None), Err(SignatureError::Missing));
/// ```
pub fn verify(secret: &Secret, body: &[u8], signature: Option<&str>) -> Result<(), SignatureError> {
    let header = signature.ok_or(SignatureError::Missing)?;
    let hex = header.trim().strip_prefix("sha256=").ok_or(SignatureError::Malformed("no sha256= prefix"))?;
    let tag = decode_hex(hex)?;
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose_secret().as_bytes());
    hmac::verify(&key, body, &tag).map_err(|_| SignatureError::Mismatch)
}

/// The `X-Hub-Signature-256` value GitHub would send for `body` under
/// `secret` (for test servers and for relaying deliveries).
///
/// ```
/// use gha_runners::{Secret, webhook};
/// let secret = Secret::new("s3cr3t");
/// let header = webhook::sign(&secret, b"{}");
/// assert!(header.starts_with("sha256=") && header.len() == 7 + 64);
/// assert_eq!(webhook::verify(&secret, b"{}", Some(&header)), Ok(()));
/// ```
pub fn sign(secret: &Secret, body: &[u8]) -> String {
    let key = hmac::Key::new(hmac::HMAC_SHA256, secret.expose_secret().as_bytes());
    let tag = hmac::sign(&key, body);
    let hex: String = tag.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

/// 64 hexadecimal digits (either case) as 32 bytes.
fn decode_hex(hex: &str) -> Result<[u8; 32], SignatureError> {
    if hex.len() != 64 {
        return Err(SignatureError::Malformed("not 64 hexadecimal digits"));
    }
    let digit = |c: u8| match c {
        b'0'..=b'9' => Ok(c - b'0'),
        b'a'..=b'f' => Ok(c - b'a' + 10),
        b'A'..=b'F' => Ok(c - b'A' + 10),
        _ => Err(SignatureError::Malformed("a character that is not a hexadecimal digit")),
    };
    let mut out = [0u8; 32];
    for (i, pair) in hex.as_bytes().chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Ok(out)
}
