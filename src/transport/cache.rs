//! The conditional-request cache: GET responses with an `ETag` or
//! `Last-Modified`, revalidated with `If-None-Match`/`If-Modified-Since`.
//! GitHub does not count a 304 against the primary rate limit, so polling
//! an unchanged list costs no quota.

use super::Inner;
use super::response::Buffered;
use bytes::Bytes;
use reqwest::header::{ETAG, HeaderMap, HeaderValue, IF_MODIFIED_SINCE, IF_NONE_MATCH, LAST_MODIFIED};
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

/// What identifies a cached response: the full URL of a GET (nothing else
/// is cached), and the identity of the credential (so nothing cached under
/// one credential is served to another).
pub(crate) type Key = (String, u64);

/// A cached 200 response and its validators. Shared: a lookup costs a
/// reference count, not a copy of the headers and body.
#[derive(Debug)]
pub(crate) struct Entry {
    etag: Option<HeaderValue>,
    last_modified: Option<HeaderValue>,
    status: reqwest::StatusCode,
    headers: HeaderMap,
    body: Bytes,
    /// What the headers and body hold in memory, roughly.
    held: usize,
}

impl Entry {
    /// The entry for a 200 response, if it has a validator to revalidate it with.
    ///
    /// The body and header values are copied: as received they may be
    /// slices of the connection's whole read buffer, which the entry would
    /// otherwise keep alive far beyond the bytes the cache counts.
    fn of(response: &Buffered) -> Option<Self> {
        let (etag, last_modified) = (response.headers.get(ETAG), response.headers.get(LAST_MODIFIED));
        if etag.is_none() && last_modified.is_none() {
            return None;
        }
        let headers: HeaderMap = response.headers.iter().map(|(k, v)| (k.clone(), owned(v))).collect();
        let body = Bytes::copy_from_slice(&response.body);
        Some(Entry {
            etag: etag.map(owned),
            last_modified: last_modified.map(owned),
            status: response.status,
            held: held(&headers, &body),
            headers,
            body,
        })
    }

    /// What the entry holds in memory, roughly: body, headers, key.
    fn size(&self, key: &Key) -> usize {
        self.held + key.0.len() + 64
    }
}

/// A header value in its own allocation.
fn owned(value: &HeaderValue) -> HeaderValue {
    let mut copy = HeaderValue::from_bytes(value.as_bytes()).unwrap_or_else(|_| value.clone());
    copy.set_sensitive(value.is_sensitive());
    copy
}

/// What headers and a body hold in memory, roughly.
fn held(headers: &HeaderMap, body: &Bytes) -> usize {
    let headers: usize = headers.iter().map(|(k, v)| k.as_str().len() + v.len() + 32).sum();
    body.len() + headers
}

/// The cache key of a request: GET requests only, and only when the client
/// caches.
pub(super) fn key(inner: &Inner, request: &reqwest::Request) -> Option<Key> {
    (inner.cache.is_some() && request.method() == reqwest::Method::GET).then(|| {
        let identity = super::auth::identity(inner.authorization.as_ref(), inner.app.as_deref());
        (request.url().as_str().to_owned(), identity)
    })
}

/// The cached entry for `key`, if any, with its validators set on the
/// outgoing request (`If-None-Match`, `If-Modified-Since`).
pub(super) fn conditional(inner: &Inner, key: Option<&Key>, headers: &mut HeaderMap) -> Option<Arc<Entry>> {
    let entry = inner.cache.as_ref()?.lock().ok()?.get(key?)?;
    if let Some(etag) = &entry.etag {
        headers.insert(IF_NONE_MATCH, etag.clone());
    }
    if let Some(lm) = &entry.last_modified {
        headers.insert(IF_MODIFIED_SINCE, lm.clone());
    }
    Some(entry)
}

/// The answer to a request that got a 304 for a cached entry: the cached
/// status, headers and body, with the 304's rate-limit headers and request
/// id (GitHub does not count the 304 against the primary limit).
pub(super) fn revalidated(entry: &Entry, not_modified: &Buffered) -> Buffered {
    let mut headers = entry.headers.clone();
    for (k, v) in &not_modified.headers {
        if k.as_str().starts_with("x-ratelimit") || k == "x-github-request-id" {
            headers.insert(k.clone(), v.clone());
        }
    }
    Buffered {
        status: entry.status,
        version: not_modified.version,
        headers,
        body: entry.body.clone(),
        url: not_modified.url.clone(),
    }
}

/// Keeps a 200 answer that has a validator under `key`.
pub(super) fn store(inner: &Inner, key: Key, response: &Buffered) {
    if response.status != reqwest::StatusCode::OK {
        return;
    }
    if let (Some(cache), Some(entry)) = (&inner.cache, Entry::of(response))
        && let Ok(mut c) = cache.lock()
    {
        c.insert(key, entry);
    }
}

/// A cache bounded in entries and in bytes; the oldest entries go first
/// when either bound is reached, and an entry larger than the byte bound
/// is not kept at all.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    max_bytes: usize,
    bytes: usize,
    entries: HashMap<Key, Arc<Entry>>,
    order: VecDeque<Key>,
}

impl Cache {
    pub fn new(capacity: usize, max_bytes: usize) -> Self {
        Self { capacity, max_bytes, bytes: 0, entries: HashMap::new(), order: VecDeque::new() }
    }

    pub fn get(&self, key: &Key) -> Option<Arc<Entry>> {
        self.entries.get(key).cloned()
    }

    pub fn insert(&mut self, key: Key, entry: Entry) {
        let size = entry.size(&key);
        if self.capacity == 0 || size > self.max_bytes {
            self.remove(&key);
            return;
        }
        match self.entries.insert(key.clone(), Arc::new(entry)) {
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
            etag: Some(HeaderValue::from_static("W/\"1\"")),
            last_modified: None,
            status: reqwest::StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::new(),
            held: 0,
        }
    }

    #[test]
    fn bounded_and_keyed_by_credential() {
        let mut c = Cache::new(2, usize::MAX);
        let k = |url: &str, who: u64| (url.to_string(), who);
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
    fn entries_own_their_bytes_and_count_them() {
        // As hyper hands them over: slices of one large read buffer.
        let buffer = Bytes::from(vec![b'x'; 400 << 10]);
        let body = buffer.slice(1000..1100);
        let mut headers = HeaderMap::new();
        let etag = HeaderValue::from_maybe_shared(buffer.slice(0..8)).unwrap();
        headers.insert(ETAG, etag);
        let response = Buffered {
            status: reqwest::StatusCode::OK,
            version: reqwest::Version::HTTP_11,
            headers,
            body,
            url: reqwest::Url::parse("http://h/x").unwrap(),
        };
        let entry = Entry::of(&response).expect("an ETag makes it cacheable");
        let inside = |p: *const u8| buffer.as_ptr_range().contains(&p);
        assert!(!inside(entry.body.as_ptr()), "the body was copied out of the read buffer");
        assert!(entry.headers.values().all(|v| !inside(v.as_bytes().as_ptr())), "header values too");
        assert!(!inside(entry.etag.as_ref().unwrap().as_bytes().as_ptr()));
        assert_eq!(entry.held, 100 + ("etag".len() + 8 + 32), "body and headers counted");
        assert_eq!(entry.body, response.body);
        let plain = Buffered { headers: HeaderMap::new(), ..response };
        assert!(Entry::of(&plain).is_none(), "no validator, not cached");
    }

    #[test]
    fn bounded_in_bytes() {
        let k = |url: &str| (url.to_string(), 1);
        let big = |n: usize| Entry { body: Bytes::from(vec![b'x'; n]), held: n, ..entry() };
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
