//! # portail for Kotlin (JVM and Android), through uniffi
//!
//! This crate is the whole Kotlin binding of [`portail`]: mirror records and enums of the core's
//! plain data (`uniffi::Record` / `uniffi::Enum`, converted with `From`), objects for the portal
//! and its sub-handles, one sealed exception family ([`error::PortailError`], which Kotlin sees as
//! `PortailException`), and a Kotlin-implementable [`mail::Mailer`]. Every rule lives in the core:
//! each exported function converts its arguments, calls the core and converts the result back.
//!
//! The generated Kotlin (package `dev.portail`, see `uniffi.toml`) is produced in library mode by
//! the workspace's `uniffi-bindgen` from the built `libportail_uniffi.so`; it is never edited by
//! hand. Rust `///` comments become the KDoc.
//!
//! Modules mirror the core's, file for file:
//!
//! | module | core module |
//! |---|---|
//! | [`config`] | `config`: settings, audiences |
//! | [`parties`] | `parties` |
//! | [`folders`] | `folders` |
//! | [`templates`] | `templates` |
//! | [`documents`] | `documents`: publish, pages |
//! | [`notifications`] | `notifications`: the outbox and its history |
//! | [`accounts`] | `accounts`: logins and their life |
//! | [`access`] | `access`: login, lockout, passwords, invitations |
//! | [`view`] | `view`: what a logged-in user sees and downloads |
//! | [`pdf`] | `pdf`: page count, watermark (signing later) |
//! | [`mail`] | `mail`: the Kotlin-implemented mailer, the memory mailer |
//! | [`clock`] | `clock`: the fixed clock for tests |
//! | [`signing`] | `signing`: sign on the portal, the audit trail |
//! | [`security`] | `security`: hashing cost |
//! | [`portal`] | `portal`: the entry point, its builder, dispatch and sync |
//! | [`error`] | `error`: `PortailException` and its 13 subclasses |
//!
//! Times cross as `java.time.Instant` (uniffi maps `SystemTime` to it); the conversion from and
//! to chrono lives in one place, [`time`].

// Every exported function returns `PortailError`, which carries every payload field of the
// contract's `ErrorInfo` so Kotlin sees the same properties as Python and Node; it is built once
// per failed call at the FFI boundary.
#![allow(clippy::result_large_err)]

uniffi::setup_scaffolding!("portail");

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
pub mod templates;
pub mod time;
pub mod view;

pub use error::PortailError;

/// The result type of every exported function.
pub type Result<T, E = PortailError> = std::result::Result<T, E>;

/// Run one core call at the FFI boundary through the contract's `portail::ffi::guard`: its
/// error, or a panic (code `internal`), becomes a [`PortailError`]. Every exported function
/// and method that calls the core runs its body in it (sub-handles through [`Handle::call`]).
pub(crate) fn call<T>(f: impl FnOnce() -> portail::Result<T>) -> Result<T> {
    portail::ffi::guard(f).map_err(PortailError::from)
}

/// The portal a sub-handle (`portal.documents()`, `portal.view(principal)`, ...) works on,
/// held weakly: a sub-handle needs no `close()` of its own (uniffi's Cleaner frees it) and does
/// not keep a closed `Portal` alive; used after its `Portal` was closed (or garbage-collected)
/// it throws `PortailException.InvalidState` with `what = "portal"`.
#[derive(Clone)]
pub(crate) struct Handle(std::sync::Weak<portail::Portal>);

impl Handle {
    pub(crate) fn new(portal: &std::sync::Arc<portail::Portal>) -> Self {
        Handle(std::sync::Arc::downgrade(portal))
    }

    /// Run `f` on the portal, through [`call`].
    pub(crate) fn call<T>(
        &self,
        f: impl FnOnce(&portail::Portal) -> portail::Result<T>,
    ) -> Result<T> {
        call(|| {
            let portal = self.0.upgrade().ok_or_else(|| {
                portail::Error::state(
                    "portal",
                    "closed: use a sub-handle while its Portal is open (inside Portal.use { })",
                )
            })?;
            f(&portal)
        })
    }
}

/// Convert every element of a vector.
pub(crate) fn map_vec<A, B: From<A>>(items: Vec<A>) -> Vec<B> {
    items.into_iter().map(B::from).collect()
}

/// The page a listing's `offset`, `limit` and `cursor` arguments ask for, read by the
/// contract's rule (`portail::ffi::page_request`).
pub(crate) fn page_request(
    offset: Option<i64>,
    limit: Option<i32>,
    cursor: Option<String>,
) -> portail::Result<portail::PageRequest> {
    portail::ffi::page_request(offset, limit.map(i64::from), cursor.as_deref())
}

/// A core page as one of the page records below, each row converted with `From`.
pub(crate) fn page<S, T: From<S>, P: From<portail::ffi::PageView<T>>>(p: portail::Page<S>) -> P {
    P::from(portail::ffi::PageView::of(p, T::from))
}

/// Declares one page record per row type: uniffi exports no generic, so each listing gets the
/// contract's `PageView<T>` under its own name, with the same fields.
macro_rules! pages {
    ($($(#[$doc:meta])* $page:ident($item:ty);)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
        pub struct $page {
            /// The rows of this page.
            pub items: Vec<$item>,
            /// Total matching rows.
            pub total: i64,
            /// Rows skipped before this page.
            pub offset: i64,
            /// The page size asked for.
            pub limit: i32,
            /// Whether more rows follow this page.
            pub has_more: bool,
            /// The offset of the next page (pass it as `offset`), null on the last one.
            pub next: Option<i64>,
            /// The token of the next page (pass it as `cursor`), null on the last one.
            pub cursor: Option<String>,
        }

        impl From<portail::ffi::PageView<$item>> for $page {
            fn from(p: portail::ffi::PageView<$item>) -> Self {
                $page {
                    items: p.items,
                    total: p.total,
                    offset: p.offset,
                    limit: p.limit,
                    has_more: p.has_more,
                    next: p.next,
                    cursor: p.cursor,
                }
            }
        }
    )*};
}

pages! {
    /// A page of documents.
    DocumentPage(documents::Document);
    /// A page of notifications.
    NotificationPage(notifications::Notification);
    /// A page of accounts.
    AccountPage(accounts::AccountView);
    /// A page of parties.
    PartyPage(parties::Party);
    /// A page of download events.
    AccessEventPage(accounts::AccessEvent);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_at_the_boundary_is_internal() {
        let e = call(|| -> portail::Result<()> { panic!("boom") }).unwrap_err();
        assert!(matches!(e, PortailError::Internal { .. }), "{e:?}");
        assert_eq!(e.code(), portail::ffi::INTERNAL);
        assert_eq!(call(|| Ok(3)), Ok(3));
    }
}
