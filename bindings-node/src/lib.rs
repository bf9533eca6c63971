//! Node.js binding of portail (napi-rs): `require('portail')`.
//!
//! Conversion and naming only: every rule lives in the core. The modules mirror the core's
//! file for file; `error.rs` holds every error conversion and `task.rs` the async runner.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use napi_derive::napi;

/// The conversions both ways between a JavaScript string enum and the plain core enum with
/// the same variants: `enum_conversions!(Audience = portail::Audience { Client, Employee });`.
/// (The enum itself is declared in full beside it: napi reads its doc comments for the `.d.ts`,
/// which it cannot do through a `macro_rules!`.)
macro_rules! enum_conversions {
    ($name:ident = $core:ty { $( $variant:ident ),+ $(,)? }) => {
        impl From<$core> for $name {
            fn from(value: $core) -> Self {
                type Core = $core;
                match value {
                    $( Core::$variant => $name::$variant ),+
                }
            }
        }

        impl From<$name> for $core {
            fn from(value: $name) -> Self {
                type Core = $core;
                match value {
                    $( $name::$variant => Core::$variant ),+
                }
            }
        }

        $crate::plain_input!($name);
    };
}

#[macro_use]
pub mod input;
pub mod access;
pub mod accounts;
pub mod clock;
pub mod config;
pub mod documents;
pub mod error;
pub mod folders;
pub mod mail;
pub mod notifications;
pub mod parties;
pub mod pdf;
pub mod portal;
pub mod security;
pub mod signing;
pub mod task;
pub mod templates;
pub mod view;

/// Which page to read; `limit` defaults to the audience's page size.
#[napi(object)]
#[derive(Debug, Clone, Copy, Default)]
pub struct PageRequest {
    pub offset: Option<i64>,
    pub limit: Option<u32>,
}

object_input!(PageRequest { offset, limit });

/// An optional JS page request as the core's (`invalid_input` on a negative offset).
pub(crate) fn pager(p: Option<PageRequest>) -> portail::Result<portail::PageRequest> {
    let p = p.unwrap_or_default();
    Ok(portail::PageRequest {
        offset: unsigned("offset", p.offset.unwrap_or(0))?,
        limit: p.limit,
    })
}

/// A core page as a JS page object of the given type.
#[macro_export]
macro_rules! page {
    ($ty:ident, $p:expr) => {{
        let p = $p;
        $ty {
            has_more: p.has_more(),
            total: p.total as i64,
            offset: p.offset as i64,
            limit: p.limit,
            items: p.items.into_iter().map(Into::into).collect(),
        }
    }};
}

/// A JS number that must not be negative.
pub(crate) fn unsigned(field: &str, v: i64) -> portail::Result<u64> {
    u64::try_from(v).map_err(|_| error::invalid(field, "must not be negative"))
}

/// The version of the portail library.
#[napi]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
