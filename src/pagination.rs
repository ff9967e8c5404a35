//! Lists: one page ([`Page`]) or every item as a stream ([`ItemStream`]).

use crate::Error;
use futures::{Stream, StreamExt, TryStreamExt, stream};
use reqwest::header::HeaderMap;
use std::future::Future;
use std::pin::Pin;

/// The most items GitHub returns in one page, and what streams ask for.
pub const MAX_PER_PAGE: u8 = 100;

/// A stream of list items that fetches page after page (100 items each) as
/// it is consumed; memory stays bounded by one page.
pub type ItemStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'static>>;

/// Which page to fetch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    /// Page number, from 1.
    pub page: u32,
    /// Items per page, 1 to 100.
    pub per_page: u8,
}

impl Default for PageRequest {
    fn default() -> Self {
        Self { page: 1, per_page: MAX_PER_PAGE }
    }
}

impl PageRequest {
    /// Page `page` with 100 items per page.
    pub fn page(page: u32) -> Self {
        Self { page, ..Self::default() }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        crate::validate::page(self.page)?;
        crate::validate::per_page(self.per_page)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// GitHub's `total_count`, where the endpoint reports one.
    pub total_count: Option<u64>,
    /// The next page's number, if there are more.
    pub next_page: Option<u32>,
}

impl<T> Page<T> {
    /// Whether more pages follow.
    pub fn has_more(&self) -> bool {
        self.next_page.is_some()
    }

    /// Builds a page from a response: the `Link` header decides whether
    /// more follow when there is one; otherwise `total_count`; otherwise a
    /// full page means there may be more.
    pub(crate) fn from_response(
        items: Vec<T>,
        total_count: Option<u64>,
        request: PageRequest,
        headers: &HeaderMap,
    ) -> Self {
        let next = match headers.get(reqwest::header::LINK).and_then(|v| v.to_str().ok()) {
            Some(link) => next_page_from_link(link),
            None => {
                let seen = u64::from(request.page.saturating_sub(1)) * u64::from(request.per_page) + items.len() as u64;
                let more = match total_count {
                    Some(total) => seen < total && !items.is_empty(),
                    None => items.len() == usize::from(request.per_page),
                };
                more.then_some(request.page + 1)
            }
        };
        Self { items, total_count, next_page: next }
    }
}

/// The `page` query parameter of the `rel="next"` link, if any.
fn next_page_from_link(link: &str) -> Option<u32> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        if !params.split(';').any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next")) {
            return None;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        let query = url.split_once('?')?.1;
        query.split('&').find_map(|kv| kv.strip_prefix("page=")).and_then(|v| v.parse().ok())
    })
}

/// Streams every item, fetching pages of 100 with `fetch` until the last.
pub(crate) fn stream_pages<T, F, Fut>(fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: Fn(PageRequest) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Page<T>, Error>> + Send + 'static,
{
    let pages = stream::try_unfold(Some(1u32), move |next| {
        let fut = next.map(|page| fetch(PageRequest::page(page)));
        async move {
            match fut {
                None => Ok(None),
                Some(fut) => {
                    let page = fut.await?;
                    let next = page.next_page;
                    Ok(Some((page.items, next)))
                }
            }
        }
    });
    pages.map_ok(|items| stream::iter(items.into_iter().map(Ok))).try_flatten().boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn link(h: &str) -> HeaderMap {
        let mut m = HeaderMap::new();
        m.insert(reqwest::header::LINK, h.parse().unwrap());
        m
    }

    #[test]
    fn next_page_follows_the_link_header() {
        let h = link(
            "<https://api.github.com/orgs/o/actions/runners?per_page=100&page=2>; rel=\"next\", <https://api.github.com/orgs/o/actions/runners?per_page=100&page=11>; rel=\"last\"",
        );
        let p = Page::from_response(vec![1; 100], Some(1050), PageRequest::page(1), &h);
        assert_eq!(p.next_page, Some(2));
        let h = link(
            "<https://api.github.com/x?page=10&per_page=100>; rel=\"prev\", <https://api.github.com/x?page=1&per_page=100>; rel=\"first\"",
        );
        assert_eq!(Page::from_response(vec![1; 50], Some(1050), PageRequest::page(11), &h).next_page, None);
    }

    #[test]
    fn without_link_total_count_then_page_size_decide() {
        let none = HeaderMap::new();
        assert_eq!(Page::from_response(vec![1; 100], Some(101), PageRequest::page(1), &none).next_page, Some(2));
        assert_eq!(Page::from_response(vec![1; 100], Some(100), PageRequest::page(1), &none).next_page, None);
        assert_eq!(Page::from_response(vec![1; 100], None, PageRequest::page(1), &none).next_page, Some(2));
        assert_eq!(Page::from_response(vec![1; 99], None, PageRequest::page(1), &none).next_page, None);
        assert_eq!(Page::from_response(Vec::<u8>::new(), Some(5), PageRequest::page(3), &none).next_page, None);
    }
}
