//! The views handed to hosts: what a binding returns, in the form every language can hold
//! (flat records, signed integers, no stored secrets), built from the core's records once.
//! Their serde form is the canonical form of the golden scenarios (`tests/scenarios/`).

mod account;
mod document;
mod page;

pub use account::{
    AccountView, BatchOutcomeKind, BatchReportView, BatchRowView, InvitationView, LockoutView,
};
pub use document::{
    Decision, DocumentView, DownloadView, NotificationDecisionView, PublishOutcomeView,
    PublishReportView, SkipCause,
};
pub use page::{page_request, PageView};

/// A count or version as a signed integer (every language has one; none of ours reaches
/// `i64::MAX`, which it saturates at).
pub fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
