//! The views handed to hosts: what a binding returns, in the form every language can hold
//! (signed integers, no stored secrets), built from the core's records once.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::records::account::{Account, AccountStatus, Invitation};
use crate::records::audience::Audience;
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

/// A portal login as hosts see it ("Droits d'accès"): the account without what only the core
/// may read (the password hash, the normalised keys, the link epoch's tokens).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct AccountView {
    /// Random id.
    pub id: String,
    /// The portal it logs in to.
    pub audience: Audience,
    /// The party it belongs to ("Code client / salarié").
    pub party_code: String,
    /// "Identifiant".
    pub identifier: String,
    /// Where it is in its life.
    pub status: AccountStatus,
    /// "Accès autorisé": unticked suspends the account.
    pub authorized: bool,
    /// "Notifier par email": the next sync e-mails the credentials.
    pub notify_by_email: bool,
    /// The readable password of a draft ("Mot de passe"), `None` once the account is active.
    pub draft_password: Option<String>,
    /// Set when the account was created as an invitation.
    pub invitation: Option<InvitationView>,
    /// "Email envoyé à".
    pub credentials_sent_to: Option<String>,
    /// "Email envoyé le".
    pub credentials_sent_at: Option<DateTime<Utc>>,
    /// Bumped by every password change, re-issue, reset and suspension; older links die.
    pub credential_epoch: i64,
    /// When it was generated or invited.
    pub created_at: DateTime<Utc>,
    /// When it became active.
    pub activated_at: Option<DateTime<Utc>>,
    /// The last successful login.
    pub last_login_at: Option<DateTime<Utc>>,
    /// Changed since the last sync (red in the back office of seed 000).
    pub needs_sync: bool,
    /// Optimistic version.
    pub version: i64,
}

impl std::fmt::Debug for AccountView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never format the draft password.
        f.debug_struct("AccountView")
            .field("id", &self.id)
            .field("audience", &self.audience)
            .field("party_code", &self.party_code)
            .field("identifier", &self.identifier)
            .field("status", &self.status)
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

impl From<Account> for AccountView {
    fn from(a: Account) -> Self {
        AccountView {
            id: a.id,
            audience: a.audience,
            party_code: a.party_code,
            identifier: a.identifier,
            status: a.status,
            authorized: a.authorized,
            notify_by_email: a.notify_by_email,
            draft_password: a.draft_password,
            invitation: a.invitation.map(InvitationView::from),
            credentials_sent_to: a.credentials_sent_to,
            credentials_sent_at: a.credentials_sent_at,
            credential_epoch: signed(a.credential_epoch),
            created_at: a.created_at,
            activated_at: a.activated_at,
            last_login_at: a.last_login_at,
            needs_sync: a.needs_sync,
            version: signed(a.version),
        }
    }
}

/// An invitation as hosts see it: its dates, not its token's hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "uniffi", derive(uniffi::Record))]
pub struct InvitationView {
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// When its link stops working.
    pub expires_at: DateTime<Utc>,
    /// When the e-mail was queued; `None` = "send later".
    pub sent_at: Option<DateTime<Utc>>,
    /// When the invited person chose a password; `None` while pending.
    pub accepted_at: Option<DateTime<Utc>>,
}

impl From<Invitation> for InvitationView {
    fn from(i: Invitation) -> Self {
        InvitationView {
            created_at: i.created_at,
            expires_at: i.expires_at,
            sent_at: i.sent_at,
            accepted_at: i.accepted_at,
        }
    }
}

/// A count or version as a signed integer (every language has one; none of ours reaches
/// `i64::MAX`, which it saturates at).
pub fn signed(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
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
