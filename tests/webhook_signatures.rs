//! Webhook signatures, checked against HMAC-SHA256 computed here from
//! SHA-256 alone (not with the crate's code): RFC 4231 vectors, GitHub's
//! documented example, random secrets and bodies, tampered bodies, wrong
//! secrets, and every kind of bad header.

use gha_runners::Secret;
use gha_runners::webhook::{SignatureError, sign, verify};
use proptest::prelude::*;
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104) from SHA-256 alone.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| block.iter().map(|b| b ^ byte).collect::<Vec<u8>>();
    let inner = Sha256::new().chain_update(pad(0x36)).chain_update(message).finalize();
    Sha256::new().chain_update(pad(0x5c)).chain_update(inner).finalize().into()
}

fn header(key: &[u8], body: &[u8]) -> String {
    let hex: String = hmac_sha256(key, body).iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256={hex}")
}

#[test]
fn the_independent_hmac_matches_rfc_4231() {
    let hex = |b: [u8; 32]| b.iter().map(|b| format!("{b:02x}")).collect::<String>();
    // Test cases 1, 2 and 6 (a key longer than the block).
    assert_eq!(
        hex(hmac_sha256(&[0x0b; 20], b"Hi There")),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    assert_eq!(
        hex(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    assert_eq!(
        hex(hmac_sha256(&[0xaa; 131], b"Test Using Larger Than Block-Size Key - Hash Key First")),
        "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
    );
}

#[test]
fn githubs_documented_example_verifies() {
    let secret = Secret::new("It's a Secret to Everybody");
    let expected = "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17";
    assert_eq!(header(b"It's a Secret to Everybody", b"Hello, World!"), expected);
    assert_eq!(verify(&secret, b"Hello, World!", Some(expected)), Ok(()));
    assert_eq!(sign(&secret, b"Hello, World!"), expected);
    // Upper-case hex and surrounding whitespace are the same signature.
    assert_eq!(
        verify(
            &secret,
            b"Hello, World!",
            Some(&format!(" {} ", expected.to_uppercase().replace("SHA256=", "sha256=")))
        ),
        Ok(())
    );
}

#[test]
fn bad_headers_are_missing_or_malformed_never_a_panic() {
    let secret = Secret::new("s");
    let body = b"{}";
    let good = header(b"s", body);
    assert_eq!(verify(&secret, body, None), Err(SignatureError::Missing));
    for bad in [
        "",
        "sha256=",
        "sha1=0123456789abcdef0123456789abcdef01234567",
        &good.replace("sha256=", ""),
        &good.replace("sha256=", "SHA256="),
        &good[..good.len() - 1],
        &format!("{good}0"),
        &good.replace(&good[10..11], "g"),
        &format!("sha256={}", "é".repeat(32)),
    ] {
        assert!(matches!(verify(&secret, body, Some(bad)), Err(SignatureError::Malformed(_))), "{bad:?}");
    }
    // A well-formed signature of something else.
    let other = header(b"s", b"[]");
    assert_eq!(verify(&secret, body, Some(&other)), Err(SignatureError::Mismatch));
    // An empty secret is refused whatever the header says.
    let empty = Secret::new("");
    assert_eq!(verify(&empty, body, Some(&header(b"", body))), Err(SignatureError::EmptySecret));
}

proptest! {
    #[test]
    fn random_deliveries_verify_and_every_change_is_refused(
        secret in "[ -~]{1,80}",
        other_secret in "[ -~]{1,80}",
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        flip in any::<usize>(),
        bit in 0u8..8,
    ) {
        let s = Secret::new(secret.clone());
        let good = header(secret.as_bytes(), &body);
        prop_assert_eq!(verify(&s, &body, Some(&good)), Ok(()));
        prop_assert_eq!(sign(&s, &body), good.clone());
        if !body.is_empty() {
            let mut tampered = body.clone();
            tampered[flip % body.len()] ^= 1 << bit;
            prop_assert_eq!(verify(&s, &tampered, Some(&good)), Err(SignatureError::Mismatch));
        }
        let mut appended = body.clone();
        appended.push(b' ');
        prop_assert_eq!(verify(&s, &appended, Some(&good)), Err(SignatureError::Mismatch));
        if other_secret != secret {
            prop_assert_eq!(verify(&Secret::new(other_secret), &body, Some(&good)), Err(SignatureError::Mismatch));
        }
        // One hex digit changed anywhere, first or last: refused alike.
        let position = 7 + flip % 64;
        let mut digits = good.clone().into_bytes();
        digits[position] = if digits[position] == b'0' { b'1' } else { b'0' };
        let changed = String::from_utf8(digits).unwrap();
        prop_assert_eq!(verify(&s, &body, Some(&changed)), Err(SignatureError::Mismatch));
    }

    #[test]
    fn any_header_text_is_handled(text in "\\PC{0,100}") {
        let _ = verify(&Secret::new("s"), b"{}", Some(&text));
    }
}
