//! FNV-1a: a small, stable hash for the fake's ETags and for the ids of
//! repositories it knows only by name (stable across runs, unlike std's
//! `DefaultHasher`).

/// FNV-1a of `bytes`.
pub(crate) fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3))
}

/// A stable id for a repository the fake only knows by name.
pub(crate) fn repository_id(full_name: &str) -> i64 {
    i64::try_from(fnv(full_name.as_bytes()) >> 33).unwrap_or(1).max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_published_fnv_1a_vectors() {
        assert_eq!(super::fnv(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(super::fnv(b"foobar"), 0x8594_4171_f739_67e8);
    }
}
