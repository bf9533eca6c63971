//! Paged listings: a [`Page`] of rows and the [`PageRequest`] that asks for one.

use super::settings::PAGE_SIZE_MAX;
use crate::error::{Error, Result};

/// A page of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The rows of this page.
    pub items: Vec<T>,
    /// Total matching rows.
    pub total: u64,
    /// Rows skipped before this page.
    pub offset: u64,
    /// The page size asked for.
    pub limit: u32,
}

impl<T> Page<T> {
    /// Whether more rows follow this page.
    pub fn has_more(&self) -> bool {
        self.offset + (self.items.len() as u64) < self.total
    }

    /// The request for the next page.
    pub fn next(&self) -> PageRequest {
        PageRequest {
            offset: self.offset + self.items.len() as u64,
            limit: Some(self.limit),
        }
    }

    /// An opaque token for the next page ([`PageRequest::from_cursor`]), or `None` on the last
    /// page. Hosts hand it back unchanged; what it encodes may change (a keyset position
    /// later) without a new page type.
    pub fn cursor(&self) -> Option<String> {
        self.has_more().then(|| self.next().to_cursor())
    }
}

/// The form of the cursors this version issues.
const CURSOR_VERSION: &str = "o1";

/// Which page to read. `limit: None` uses the audience's page size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageRequest {
    /// Rows to skip.
    pub offset: u64,
    /// Rows per page; `None` = the audience's page size ("Nombre de ligne").
    pub limit: Option<u32>,
}

impl PageRequest {
    /// The first page at the configured size.
    pub fn first() -> Self {
        PageRequest::default()
    }

    /// The page at `offset` of `limit` rows.
    pub fn new(offset: u64, limit: u32) -> Self {
        PageRequest {
            offset,
            limit: Some(limit),
        }
    }

    /// This request as an opaque cursor ([`Page::cursor`]).
    pub fn to_cursor(&self) -> String {
        let limit = self.limit.map_or_else(String::new, |l| l.to_string());
        hex::encode(format!("{CURSOR_VERSION}.{}.{limit}", self.offset))
    }

    /// The request a cursor from [`Page::cursor`] stands for; anything else is
    /// `invalid_input` naming `cursor`.
    pub fn from_cursor(cursor: &str) -> Result<Self> {
        let invalid = || Error::invalid("cursor", "is not a cursor this portal issued");
        let text = hex::decode(cursor.trim()).map_err(|_| invalid())?;
        let text = String::from_utf8(text).map_err(|_| invalid())?;
        let mut parts = text.split('.');
        let (Some(CURSOR_VERSION), Some(offset), Some(limit), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        Ok(PageRequest {
            offset: offset.parse().map_err(|_| invalid())?,
            limit: match limit {
                "" => None,
                l => Some(l.parse().map_err(|_| invalid())?),
            },
        })
    }

    pub(crate) fn resolve(self, default_size: u32) -> Result<(u64, u32)> {
        let limit = self.limit.unwrap_or(default_size);
        if !(1..=PAGE_SIZE_MAX * 10).contains(&limit) {
            return Err(Error::invalid(
                "limit",
                format!("{limit} is outside 1..=3500"),
            ));
        }
        Ok((self.offset, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_anything_else() {
        let page = Page {
            items: vec![1, 2],
            total: 5,
            offset: 2,
            limit: 2,
        };
        let cursor = page.cursor().unwrap();
        assert_eq!(
            PageRequest::from_cursor(&cursor).unwrap(),
            PageRequest::new(4, 2)
        );
        let last = Page {
            offset: 4,
            items: vec![5],
            ..page
        };
        assert_eq!(last.cursor(), None);
        for bad in ["", "zz", &hex::encode("o2.1.1"), &hex::encode("o1.x.1")] {
            let e = PageRequest::from_cursor(bad).unwrap_err();
            assert!(matches!(e, Error::InvalidInput { ref field, .. } if field == "cursor"));
        }
    }
}
