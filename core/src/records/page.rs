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
}

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
