//! [`PageView`]: the one page shape of every listing, and [`page_request`], which reads a
//! host's paging arguments.

use serde::Serialize;

use super::signed;
use crate::error::{Error, Result};
use crate::records::page::{Page, PageRequest};

/// One page of a listing as every binding returns it: the rows, signed counts, whether more
/// rows follow, the offset of the next page and an opaque cursor for it (pass it back as
/// `cursor` to read the next page; a later keyset paging fills it differently, with no new
/// page type).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PageView<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Total matching rows.
    pub total: i64,
    /// Rows skipped before this page.
    pub offset: i64,
    /// The page size asked for.
    pub limit: i32,
    /// Whether more rows follow this page.
    pub has_more: bool,
    /// The offset of the next page, `None` on the last one.
    pub next: Option<i64>,
    /// The token of the next page, `None` on the last one.
    pub cursor: Option<String>,
}

impl<T> PageView<T> {
    /// The view of a core page, each row converted by `item`.
    pub fn of<S>(page: Page<S>, item: impl FnMut(S) -> T) -> Self {
        let has_more = page.has_more();
        let cursor = page.cursor();
        let next = has_more.then(|| signed(page.next().offset));
        PageView {
            total: signed(page.total),
            offset: signed(page.offset),
            limit: i32::try_from(page.limit).unwrap_or(i32::MAX),
            has_more,
            next,
            cursor,
            items: page.items.into_iter().map(item).collect(),
        }
    }
}

/// The page a host asks for: an `offset` or a `cursor` from a previous page (not both), and a
/// `limit` (`None`: the audience's page size, or the cursor's). A negative or out-of-range
/// number is `invalid_input` naming it.
pub fn page_request(
    offset: Option<i64>,
    limit: Option<i64>,
    cursor: Option<&str>,
) -> Result<PageRequest> {
    let limit = limit
        .map(|l| {
            u32::try_from(l)
                .map_err(|_| Error::invalid("limit", format!("{l} is negative or too large")))
        })
        .transpose()?;
    let mut request = match (cursor, offset) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "cursor",
                "give a cursor or an offset, not both",
            ))
        }
        (Some(cursor), None) => PageRequest::from_cursor(cursor)?,
        (None, offset) => PageRequest {
            offset: u64::try_from(offset.unwrap_or(0))
                .map_err(|_| Error::invalid("offset", "is negative"))?,
            limit: None,
        },
    };
    if limit.is_some() {
        request.limit = limit;
    }
    Ok(request)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_view_carries_the_next_page() {
        let page = Page {
            items: vec![1, 2],
            total: 3,
            offset: 0,
            limit: 2,
        };
        let view = PageView::of(page, |n: i32| n * 10);
        assert_eq!(view.items, vec![10, 20]);
        assert!(view.has_more);
        assert_eq!(view.next, Some(2));
        let next = page_request(None, None, view.cursor.as_deref()).unwrap();
        assert_eq!(next, PageRequest::new(2, 2));
        assert_eq!(
            page_request(None, Some(5), view.cursor.as_deref()).unwrap(),
            PageRequest::new(2, 5)
        );
    }

    #[test]
    fn bad_page_requests_name_their_argument() {
        let field = |r: Result<PageRequest>| match r {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(page_request(Some(-1), None, None)), "offset");
        assert_eq!(field(page_request(None, Some(-1), None)), "limit");
        assert_eq!(field(page_request(Some(0), None, Some("x"))), "cursor");
        assert_eq!(field(page_request(None, None, Some("x"))), "cursor");
        assert_eq!(
            page_request(None, None, None).unwrap(),
            PageRequest::first()
        );
    }
}
