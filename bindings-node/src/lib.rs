//! Node.js binding of portail (napi-rs): `require('portail')`.
//!
//! Conversion and naming only: every rule lives in the core. The modules mirror the core's
//! file for file; `error.rs` holds every error conversion and `task.rs` the async runner.

#![deny(clippy::unwrap_used, clippy::expect_used)]

use napi_derive::napi;

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

/// Which page to read: an `offset`, or the `cursor` of a previous page, and a `limit`
/// (`portail::ffi::page_request` reads them: the one rule of every binding).
#[napi(object)]
#[derive(Debug, Clone, Default)]
pub struct PageRequest {
    pub offset: Option<i64>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

object_input!(PageRequest {
    offset,
    limit,
    cursor
});

impl PageRequest {
    /// An optional JS page request as the core's, by the contract's rule.
    pub(crate) fn read(p: Option<Self>) -> portail::Result<portail::PageRequest> {
        let p = p.unwrap_or_default();
        portail::ffi::page_request(p.offset, p.limit, p.cursor.as_deref())
    }
}

/// One page of a listing: the core's one page view (`portail::ffi::PageView`), its rows
/// converted. In `index.d.ts` it is the generic `Page<T>` of `dts-header.d.ts` (methods name
/// it with `ts_return_type`), so no page interface is generated per row type.
pub struct Page<T>(portail::ffi::PageView<T>);

impl<T> Page<T> {
    /// The page of a core listing, each row converted by `From`.
    pub(crate) fn of<S>(page: portail::Page<S>) -> Self
    where
        T: From<S>,
    {
        Page(portail::ffi::PageView::of(page, T::from))
    }
}

impl<T: napi::bindgen_prelude::ToNapiValue> napi::bindgen_prelude::ToNapiValue for Page<T> {
    unsafe fn to_napi_value(
        env: napi::sys::napi_env,
        page: Self,
    ) -> napi::Result<napi::sys::napi_value> {
        let p = page.0;
        let js = napi::Env::from_raw(env);
        let mut o = napi::bindgen_prelude::Object::new(&js)?;
        o.set("items", p.items)?;
        o.set("total", p.total)?;
        o.set("offset", p.offset)?;
        o.set("limit", p.limit)?;
        o.set("hasMore", p.has_more)?;
        o.set("next", p.next)?;
        o.set("cursor", p.cursor)?;
        unsafe { napi::bindgen_prelude::ToNapiValue::to_napi_value(env, o) }
    }
}

/// The core's serde name of a plain enum value (`MergeField::Link` is `link`): the name is
/// the core's, not spelt again here.
pub(crate) fn serde_name(value: impl serde::Serialize) -> portail::Result<String> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => Ok(name),
        _ => Err(portail::Error::state("value", "has no serde name")),
    }
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
