//! The conditional-request cache: GET responses with an `ETag` or
//! `Last-Modified`, revalidated with `If-None-Match`/`If-Modified-Since`.
//! GitHub does not count a 304 against the primary rate limit, so polling
//! an unchanged list costs no quota.

use reqwest::header::HeaderMap;
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
    pub body: Vec<u8>,
}

/// A bounded cache; the oldest entry goes first when it is full.
#[derive(Debug)]
pub(crate) struct Cache {
    capacity: usize,
    entries: HashMap<Key, Entry>,
    order: VecDeque<Key>,
}

impl Cache {
    pub fn new(capacity: usize) -> Self {
        Self { capacity, entries: HashMap::new(), order: VecDeque::new() }
    }

    pub fn get(&self, key: &Key) -> Option<&Entry> {
        self.entries.get(key)
    }

    pub fn insert(&mut self, key: Key, entry: Entry) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.insert(key.clone(), entry).is_none() {
            self.order.push_back(key);
            while self.entries.len() > self.capacity {
                match self.order.pop_front() {
                    Some(old) => {
                        self.entries.remove(&old);
                    }
                    None => break,
                }
            }
        }
    }

    pub fn len(&self) -> usize {
        self.entries.len()
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
            body: vec![],
        }
    }

    #[test]
    fn bounded_and_keyed_by_credential() {
        let mut c = Cache::new(2);
        let k = |url: &str, who: u64| ("GET".to_string(), url.to_string(), who);
        c.insert(k("a", 1), entry());
        c.insert(k("a", 2), entry());
        assert!(c.get(&k("a", 1)).is_some() && c.get(&k("a", 2)).is_some());
        assert!(c.get(&k("a", 3)).is_none(), "another credential sees nothing");
        c.insert(k("b", 1), entry());
        assert_eq!(c.len(), 2);
        assert!(c.get(&k("a", 1)).is_none(), "the oldest went first");
        let mut off = Cache::new(0);
        off.insert(k("a", 1), entry());
        assert_eq!(off.len(), 0);
    }
}
