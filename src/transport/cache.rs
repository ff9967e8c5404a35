//! The conditional-request cache: GET responses with an `ETag` or
//! `Last-Modified`, revalidated with `If-None-Match`/`If-Modified-Since`.
//! GitHub does not count a 304 against the primary rate limit, so polling
//! an unchanged list costs no quota.

use bytes::Bytes;
use reqwest::header::{ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use std::collections::{HashMap, VecDeque};

/// What identifies a cached response: method, full URL, and the identity
/// of the credential (so nothing cached under one credential is served to
/// another).
pub(crate) type Key = (String, String, u64);

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub status: reqwest::StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Entry {
    /// The entry for a 200 response, if it has a validator to revalidate it with.
    pub fn of(status: reqwest::StatusCode, headers: &HeaderMap, body: &Bytes) -> Option<Self> {
        let text = |h| headers.get(h).and_then(|v: &HeaderValue| v.to_str().ok()).map(str::to_string);
        let (etag, last_modified) = (text(ETAG), text(LAST_MODIFIED));
        (etag.is_some() || last_modified.is_some()).then(|| Entry {
            etag,
            last_modified,
            status,
            headers: headers.clone(),
            body: body.clone(),
        })
    }

    /// What the entry holds in memory, roughly: body, headers, key.
    fn size(&self, key: &Key) -> usize {
        let headers: usize = self.headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 32).sum();
        self.body.len() + headers + key.0.len() + key.1.len() + 64
    }
}

/// Sets `If-None-Match` / `If-Modified-Since` from a cached entry.
pub(crate) fn conditional_headers(entry: &Entry, headers: &mut HeaderMap) {
    if let Some(etag) = entry.etag.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert(IF_NONE_MATCH, etag);
    }
    if let Some(lm) = entry.last_modified.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
        headers.insert(IF_MODIFIED_SINCE, lm);
    }
}

/// The headers of a response served from the cache after a 304: the
/// cached ones, with the 304's rate-limit headers and request id.
pub(crate) fn revalidated_headers(entry: &Entry, not_modified: &HeaderMap) -> HeaderMap {
    let mut headers = entry.headers.clone();
    for (k, v) in not_modified {
        if k.as_str().starts_with("x-ratelimit") || k == "x-github-request-id" {
            headers.insert(k.clone(), v.clone());
        }
    }
    headers
}

/// A cache bounded in entries and in bytes; the oldest entries go first
/// when either bound is reached, and an entry larger than the byte bound
/// is not kept at all.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    entries: HashMap<Key, Entry>,
    order: VecDeque<Key>,
}

impl Cache {
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        Self { capacity, max_bytes, bytes: 0, entries: HashMap::new(), order: VecDeque::new() }
    }

    pub fn get(&self, key: &Key) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn insert(&mut self, key: Key, entry: Entry) {
        let size = entry.size(&key);
        if self.capacity == 0 || size > self.max_bytes {
            self.remove(&key);
            return;
        }
        match self.entries.insert(key.clone(), entry) {
            Some(old) => self.bytes -= old.size(&key),
            None => self.order.push_back(key),
        }
        self.bytes += size;
        while self.entries.len() > self.capacity || self.bytes > self.max_bytes {
            match self.order.pop_front() {
                Some(old) => {
                    if let Some(e) = self.entries.remove(&old) {
                        self.bytes -= e.size(&old);
                    }
                }
                None => break,
            }
        }
    }

    fn remove(&mut self, key: &Key) {
        if let Some(e) = self.entries.remove(key) {
            self.bytes -= e.size(key);
            self.order.retain(|k| k != key);
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The bytes the entries hold, as counted against the bound.
    pub fn bytes(&self) -> usize {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            etag: Some("W/\"1\"".into()),
            last_modified: None,
            status: reqwest::StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    #[test]
    fn bounded_and_keyed_by_credential() {
        let mut c = Cache::new(2, usize::MAX);
        let k = |url: &str, who: u64| ("GET".to_string(), url.to_string(), who);
        c.insert(k("a", 1), entry());
        c.insert(k("a", 2), entry());
        assert!(c.get(&k("a", 1)).is_some() && c.get(&k("a", 2)).is_some());
        assert!(c.get(&k("a", 3)).is_none(), "another credential sees nothing");
        c.insert(k("b", 1), entry());
        assert_eq!(c.len(), 2);
        assert!(c.get(&k("a", 1)).is_none(), "the oldest went first");
        let mut off = Cache::new(0, usize::MAX);
        off.insert(k("a", 1), entry());
        assert_eq!(off.len(), 0);
    }

    #[test]
    fn bounded_in_bytes() {
        let k = |url: &str| ("GET".to_string(), url.to_string(), 1);
        let big = |n: usize| Entry { body: Bytes::from(vec![b'x'; n]), ..entry() };
        let mut c = Cache::new(100, 10_000);
        for i in 0..10 {
            c.insert(k(&format!("u{i}")), big(3_000));
            assert!(c.bytes() <= 10_000, "{}", c.bytes());
        }
        assert_eq!(c.len(), 3, "three 3 kB entries fit in 10 kB");
        assert!(c.get(&k("u9")).is_some() && c.get(&k("u6")).is_none(), "the newest stay");
        c.insert(k("huge"), big(20_000));
        assert!(c.get(&k("huge")).is_none(), "larger than the bound: not kept");
        c.insert(k("u9"), big(20_000));
        assert!(c.get(&k("u9")).is_none(), "a replacement too large drops the old entry");
        c.insert(k("u8"), big(100));
        c.insert(k("u8"), big(200));
        let before = c.bytes();
        c.insert(k("u8"), big(200));
        assert_eq!(c.bytes(), before, "replacing an entry does not count it twice");
    }
}
