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
#[non_exhaustive]
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

    /// Page `page` with `per_page` items per page (1 to 100, checked when
    /// the request is made).
    pub fn new(page: u32, per_page: u8) -> Self {
        Self { page, per_page }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        crate::validate::page(self.page)?;
        crate::validate::per_page(self.per_page)
    }
}

/// One page of a list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// GitHub's `total_count`, where the endpoint reports one.
    pub total_count: Option<u64>,
    /// The next page's number, if there are more.
    pub next_page: Option<u32>,
}

impl<T> Page<T> {
    /// A page of `items`, with GitHub's `total_count` if known and the next
    /// page's number if there are more: for code that stands in for GitHub
    /// (a mock in a downstream test).
    pub fn new(items: Vec<T>, total_count: Option<u64>, next_page: Option<u32>) -> Self {
        Page { items, total_count, next_page }
    }

    /// Whether more pages follow.
    pub fn has_more(&self) -> bool {
        self.next_page.is_some()
    }

    /// Builds a page from a response: the `Link` header decides whether
    /// more follow when there is one; otherwise `total_count`; otherwise a
    /// full page means there may be more.
    ///
    /// The next page must be the one after this (a `next` link that stays,
    /// goes back or skips would loop forever or drop items), an empty page
    /// has no next, and no next page lies past what `total_count` implies
    /// (with one page of slack for a list that grows while it is read) or
    /// past [`MAX_PAGES`]; otherwise [`Error::Pagination`].
    pub(crate) fn from_response(
        items: Vec<T>,
        total_count: Option<u64>,
        request: PageRequest,
        headers: &HeaderMap,
    ) -> Result<Self, Error> {
        let page = request.page;
        let fail = |reason: String| Err(Error::Pagination { page, reason });
        let next = match headers.get(reqwest::header::LINK) {
            Some(link) => {
                let Ok(link) = link.to_str() else { return fail("the Link header is not text".into()) };
                match next_page_from_link(link) {
                    Ok(next) => next,
                    Err(reason) => return fail(reason),
                }
            }
            None => {
                let seen = u64::from(page.saturating_sub(1)) * u64::from(request.per_page) + items.len() as u64;
                let more = match total_count {
                    Some(total) => seen < total && !items.is_empty(),
                    None => items.len() == usize::from(request.per_page),
                };
                match (more, page.checked_add(1)) {
                    (false, _) => None,
                    (true, Some(n)) => Some(n),
                    (true, None) => return fail("no page number follows it".into()),
                }
            }
        };
        if let Some(n) = next {
            if Some(n) != page.checked_add(1) {
                return fail(format!("the next page is {n}, not {}", u64::from(page) + 1));
            }
            if items.is_empty() {
                return fail("the page is empty but names a next page".into());
            }
            if n > MAX_PAGES {
                return fail(format!("a next page past {MAX_PAGES} pages"));
            }
            if let Some(total) = total_count {
                let last = total.div_ceil(u64::from(request.per_page.max(1))) + 1;
                if u64::from(n) > last {
                    return fail(format!(
                        "the next page is {n}, past the {total} items total_count reports ({} per page)",
                        request.per_page
                    ));
                }
            }
        }
        Ok(Self { items, total_count, next_page: next })
    }
}

/// The most pages a stream follows (a million items at 100 a page, far
/// beyond any runner list); a server that keeps naming further pages gets
/// [`Error::Pagination`] instead of an endless stream.
pub const MAX_PAGES: u32 = 10_000;

/// The `page` query parameter of the `rel="next"` link: `Ok(None)` when
/// there is no next link, `Err` when there is one without a page number.
fn next_page_from_link(link: &str) -> Result<Option<u32>, String> {
    match next_link_param(link, "page")? {
        None => Ok(None),
        Some(v) => v.parse::<u32>().map(Some).map_err(|_| "the rel=\"next\" link has no page number".into()),
    }
}

/// The query parameter `name` of the `rel="next"` link, percent-decoded:
/// `Ok(None)` when there is no next link, `Err` when it lacks the parameter.
fn next_link_param(link: &str, name: &str) -> Result<Option<String>, String> {
    for part in link.split(',') {
        let Some((url, params)) = part.split_once(';') else { continue };
        if !params.split(';').any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next")) {
            continue;
        }
        let url = url.trim().trim_start_matches('<').trim_end_matches('>');
        let value = url.split_once('?').and_then(|(_, q)| {
            url::form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
        });
        return match value {
            Some(v) => Ok(Some(v)),
            None if name == "page" => Err("the rel=\"next\" link has no page number".into()),
            None => Err(format!("the rel=\"next\" link has no {name}")),
        };
    }
    Ok(None)
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

/// Which page of a cursor-paginated list (webhook deliveries, newest
/// first) to fetch.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct CursorRequest {
    /// Where the page starts: `None` for the newest items, else the
    /// [`CursorPage::next_cursor`] of the page before.
    pub cursor: Option<String>,
    /// Items per page, 1 to 100.
    pub per_page: u8,
}

impl Default for CursorRequest {
    fn default() -> Self {
        Self { cursor: None, per_page: MAX_PER_PAGE }
    }
}

crate::setters::setters!(CursorRequest { per_page: val u8 });

crate::setters::setters!(PageRequest { per_page: val u8 });

impl CursorRequest {
    /// The page that starts at `cursor`, 100 items per page.
    pub fn after(cursor: impl Into<String>) -> Self {
        Self { cursor: Some(cursor.into()), ..Self::default() }
    }

    pub(crate) fn validate(&self) -> Result<(), Error> {
        crate::validate::per_page(self.per_page)?;
        match &self.cursor {
            Some(c) => validate_cursor(c).map_err(|reason| Error::invalid("cursor", reason)),
            None => Ok(()),
        }
    }
}

/// The longest cursor accepted, from a caller or a `Link` header
/// (GitHub's are some 20 characters: `v1_12077215967`).
pub const MAX_CURSOR_LEN: usize = 256;

/// A cursor is 1 to [`MAX_CURSOR_LEN`] visible ASCII characters.
fn validate_cursor(cursor: &str) -> Result<(), String> {
    if cursor.is_empty() || cursor.len() > MAX_CURSOR_LEN {
        return Err(format!("must be 1 to {MAX_CURSOR_LEN} characters, not {}", cursor.len()));
    }
    if !cursor.bytes().all(|b| b.is_ascii_graphic()) {
        return Err("must be visible ASCII characters (a next_cursor GitHub gave)".into());
    }
    Ok(())
}

/// One page of a cursor-paginated list.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct CursorPage<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// The cursor of the next page, if there are more.
    pub next_cursor: Option<String>,
}

impl<T> CursorPage<T> {
    /// A page of `items` with the next page's cursor, if there are more:
    /// for code that stands in for GitHub (a mock in a downstream test).
    pub fn new(items: Vec<T>, next_cursor: Option<String>) -> Self {
        CursorPage { items, next_cursor }
    }

    /// Builds a page from a response: the `cursor` of the `Link` header's
    /// `rel="next"` link, if any. A next link without a cursor, with one
    /// that is not a plausible cursor, or on an empty page is
    /// [`Error::Pagination`] (`page` counts the pages read, from 1).
    pub(crate) fn from_response(items: Vec<T>, page: u32, headers: &HeaderMap) -> Result<Self, Error> {
        let fail = |reason: String| Err(Error::Pagination { page, reason });
        let Some(link) = headers.get(reqwest::header::LINK) else {
            return Ok(Self { items, next_cursor: None });
        };
        let Ok(link) = link.to_str() else { return fail("the Link header is not text".into()) };
        let next = match next_link_param(link, "cursor") {
            Ok(next) => next,
            Err(reason) => return fail(reason),
        };
        if let Some(cursor) = &next {
            if let Err(reason) = validate_cursor(cursor) {
                return fail(format!("the next cursor {reason}"));
            }
            if items.is_empty() {
                return fail("the page is empty but names a next page".into());
            }
        }
        Ok(Self { items, next_cursor: next })
    }
}

/// Streams the pages (their items) of a cursor-paginated list, 100 items
/// each, fetched with `fetch` as they are consumed, until the last page;
/// a cursor that comes back (a loop) or a list past [`MAX_PAGES`] ends the
/// stream with [`Error::Pagination`].
pub(crate) fn cursor_pages<T, F, Fut>(fetch: F) -> Pin<Box<dyn Stream<Item = Result<Vec<T>, Error>> + Send + 'static>>
where
    T: Send + 'static,
    F: Fn(CursorRequest, u32) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CursorPage<T>, Error>> + Send + 'static,
{
    let start = (Some(CursorRequest::default()), 1u32, std::collections::HashSet::<String>::new());
    stream::try_unfold(start, move |(next, page, mut seen)| {
        let fut = next.map(|req| fetch(req, page));
        async move {
            let Some(fut) = fut else { return Ok(None) };
            let got = fut.await?;
            let next = match got.next_cursor {
                None => None,
                Some(_) if page >= MAX_PAGES => {
                    return Err(Error::Pagination { page, reason: format!("a next page past {MAX_PAGES} pages") });
                }
                Some(c) if !seen.insert(c.clone()) => {
                    return Err(Error::Pagination { page, reason: format!("the next cursor {c:?} came before") });
                }
                Some(c) => Some(CursorRequest::after(c)),
            };
            Ok(Some((got.items, (next, page + 1, seen))))
        }
    })
    .boxed()
}

/// Streams every item of a cursor-paginated list ([`cursor_pages`]).
pub(crate) fn stream_cursor_pages<T, F, Fut>(fetch: F) -> ItemStream<T>
where
    T: Send + 'static,
    F: Fn(CursorRequest, u32) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<CursorPage<T>, Error>> + Send + 'static,
{
    cursor_pages(fetch).map_ok(|items| stream::iter(items.into_iter().map(Ok))).try_flatten().boxed()
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
        let p = Page::from_response(vec![1; 100], Some(1050), PageRequest::page(1), &h).unwrap();
        assert_eq!(p.next_page, Some(2));
        let h = link(
            "<https://api.github.com/x?page=10&per_page=100>; rel=\"prev\", <https://api.github.com/x?page=1&per_page=100>; rel=\"first\"",
        );
        assert_eq!(Page::from_response(vec![1; 50], Some(1050), PageRequest::page(11), &h).unwrap().next_page, None);
    }

    #[test]
    fn without_link_total_count_then_page_size_decide() {
        let none = HeaderMap::new();
        let next = |items: Vec<u8>, total, page| {
            Page::from_response(items, total, PageRequest::page(page), &none).unwrap().next_page
        };
        assert_eq!(next(vec![1; 100], Some(101), 1), Some(2));
        assert_eq!(next(vec![1; 100], Some(100), 1), None);
        assert_eq!(next(vec![1; 100], None, 1), Some(2));
        assert_eq!(next(vec![1; 99], None, 1), None);
        assert_eq!(next(Vec::<u8>::new(), Some(5), 3), None);
    }

    #[test]
    fn pages_that_do_not_add_up_end_the_list_with_an_error() {
        let at = |next: &str| link(&format!("<https://h/x?per_page=100&page={next}>; rel=\"next\""));
        let bad = |items: Vec<u8>, total: Option<u64>, page: u32, h: &HeaderMap| match Page::from_response(
            items,
            total,
            PageRequest::page(page),
            h,
        ) {
            Err(Error::Pagination { page: p, reason }) => {
                assert_eq!(p, page);
                reason
            }
            other => panic!("{other:?}"),
        };
        assert!(bad(vec![1; 100], Some(1000), 3, &at("3")).contains("next page is 3, not 4"));
        assert!(bad(vec![1; 100], Some(1000), 3, &at("1")).contains("not 4"));
        assert!(bad(vec![1; 100], Some(1000), 3, &at("9")).contains("not 4"), "a skip drops items");
        assert!(bad(vec![1; 100], Some(200), 3, &at("4")).contains("past the 200 items"));
        assert!(
            Page::from_response(vec![1; 100], Some(200), PageRequest::page(2), &at("3")).is_ok(),
            "one page of slack"
        );
        assert!(bad(vec![], None, 1, &at("2")).contains("empty"));
        assert!(
            bad(vec![1; 100], None, 1, &link("<https://h/x?per_page=100>; rel=\"next\"")).contains("no page number")
        );
        assert!(bad(vec![1; 100], None, MAX_PAGES, &at(&(MAX_PAGES + 1).to_string())).contains("past"));
        assert!(bad(vec![1; 100], None, u32::MAX, &HeaderMap::new()).contains("no page number follows"));
        assert!(bad(vec![1; 100], None, 1, &at("99999999999")).contains("no page number"), "not a u32");
    }

    #[test]
    fn cursor_pages_follow_the_next_cursor_and_refuse_what_does_not_add_up() {
        let h = link(
            "<https://api.github.com/app/hook/deliveries?per_page=100&cursor=v1_1200>; rel=\"next\", <https://api.github.com/app/hook/deliveries?per_page=100>; rel=\"first\"",
        );
        assert_eq!(CursorPage::from_response(vec![1], 1, &h).unwrap().next_cursor.as_deref(), Some("v1_1200"));
        assert_eq!(CursorPage::from_response(vec![1], 1, &HeaderMap::new()).unwrap().next_cursor, None);
        let bad = |items: Vec<u8>, h: &str| match CursorPage::from_response(items, 3, &link(h)) {
            Err(Error::Pagination { page: 3, reason }) => reason,
            other => panic!("{other:?}"),
        };
        assert!(bad(vec![1], "<https://h/x?per_page=100>; rel=\"next\"").contains("no cursor"));
        assert!(bad(vec![], "<https://h/x?cursor=v1_2>; rel=\"next\"").contains("empty"));
        let long = "x".repeat(MAX_CURSOR_LEN + 1);
        assert!(bad(vec![1], &format!("<https://h/x?cursor={long}>; rel=\"next\"")).contains("characters"));
        assert!(bad(vec![1], "<https://h/x?cursor=a%0Ab>; rel=\"next\"").contains("visible ASCII"));
        assert!(CursorRequest::after("v1_1").validate().is_ok());
        assert!(CursorRequest::after("").validate().is_err());
        assert!(CursorRequest::after("a b").validate().is_err());
        assert!(CursorRequest { cursor: None, per_page: 0 }.validate().is_err());
    }

    #[tokio::test]
    async fn a_cursor_stream_ends_with_an_error_when_a_cursor_comes_back() {
        let items: Vec<Result<u8, Error>> = stream_cursor_pages(|req, _page| async move {
            let next = match req.cursor.as_deref() {
                None => "a",
                Some("a") => "b",
                _ => "a",
            };
            Ok(CursorPage { items: vec![1u8], next_cursor: Some(next.to_string()) })
        })
        .collect()
        .await;
        assert_eq!(items.iter().filter(|i| i.is_ok()).count(), 2, "the pages before the one naming an old cursor");
        assert!(matches!(items.last(), Some(Err(Error::Pagination { page: 3, .. }))), "{items:?}");
    }

    proptest::proptest! {
        /// Any cursor a caller gives is refused before sending unless it is
        /// 1 to 256 visible ASCII characters; any `Link` header a server
        /// sends gives a plausible next cursor or a `Pagination` error,
        /// never a panic and never a cursor that could not be sent back.
        #[test]
        fn cursors_from_callers_and_servers_are_checked(cursor in ".{0,300}", link in ".{0,300}") {
            let ok = !cursor.is_empty() && cursor.len() <= MAX_CURSOR_LEN && cursor.bytes().all(|b| b.is_ascii_graphic());
            proptest::prop_assert_eq!(CursorRequest::after(cursor.clone()).validate().is_ok(), ok);
            let header = format!("<https://h/x?cursor={}>; rel=\"next\", {link}", url::form_urlencoded::byte_serialize(cursor.as_bytes()).collect::<String>());
            if let Ok(h) = reqwest::header::HeaderValue::from_str(&header) {
                let mut headers = HeaderMap::new();
                headers.insert(reqwest::header::LINK, h);
                match CursorPage::from_response(vec![1u8], 1, &headers) {
                    Ok(p) => {
                        let again = CursorRequest { cursor: p.next_cursor, per_page: 100 };
                        proptest::prop_assert!(again.validate().is_ok(), "{:?}", again);
                    }
                    Err(Error::Pagination { page: 1, .. }) => {}
                    Err(e) => proptest::prop_assert!(false, "{e:?}"),
                }
            }
        }
    }
}
