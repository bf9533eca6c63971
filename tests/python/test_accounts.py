"""Accounts: drafts, sync, credentials e-mail, login, lockout, reset, invitations, batches,
the portal view and the downloads history."""

from __future__ import annotations

import datetime as dt
import pathlib
import re

import pytest

import portail
from conftest import PDF, client_4


def token_in(body: str) -> str:
    match = re.search(r"token=([0-9a-f]{64})", body)
    assert match, body
    return match.group(1)


def test_seed_000_accounts(
    portal: portail.Portal, mailer: portail.MemoryMailer, clock: portail.FixedClock
) -> None:
    portal.parties().upsert(client_4())
    draft = portal.accounts().generate("4")
    assert draft.status is portail.AccountStatus.DRAFT
    assert draft.identifier == "4"
    assert draft.needs_sync
    first = portal.accounts().draft_password(draft.id)
    assert len(first) >= 8
    assert draft.has_draft_password and first not in repr(draft)
    again = portal.accounts().regenerate_password(draft.id)
    second = portal.accounts().draft_password(again.id)
    assert second != first

    clock.advance(dt.timedelta(minutes=2))
    report = portal.sync()
    assert (report.activated, report.credentials_queued, report.dispatch.sent) == (1, 1, 1)
    active = portal.accounts().get(draft.id)
    assert active.status is portail.AccountStatus.ACTIVE and not active.needs_sync
    assert not active.has_draft_password
    assert active.credentials_sent_to == "keylian.ace@gmail.com"
    assert active.credentials_sent_at == clock.now()
    with pytest.raises(portail.InvalidStateError):
        portal.accounts().draft_password(draft.id)
    [mail] = mailer.messages()
    assert mail.to == "keylian.ace@gmail.com" and second in mail.body

    me = portal.login("4", second)
    assert me == portail.Principal(draft.id, portail.Audience.CLIENT, "4", "4")
    assert portal.principal(draft.id) == me
    with pytest.raises(portail.InvalidCredentialsError):
        portal.login("4", second, audience=portail.Audience.EMPLOYEE)


def test_login_lockout(portal: portail.Portal, clock: portail.FixedClock) -> None:
    portal.parties().upsert(client_4())
    a = portal.accounts().generate("4", password="correct horse")
    portal.sync()
    policy = portail.SecurityPolicy.fast_for_tests()
    for _ in range(policy.max_failed_logins):
        with pytest.raises(portail.InvalidCredentialsError):
            portal.login("4", "wrong password")
    with pytest.raises(portail.LockedOutError) as locked:
        portal.login("4", "correct horse")
    assert locked.value.code == "locked_out"
    assert locked.value.until == clock.now() + policy.lockout
    assert isinstance(locked.value, portail.PortailError)
    clock.advance(policy.lockout + dt.timedelta(seconds=1))
    assert portal.login("4", "correct horse").account_id == a.id


def test_suspend_revoke_regenerate(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    a = portal.accounts().generate("4", password="correct horse")
    portal.sync()
    portal.accounts().set_authorized(a.id, False)
    with pytest.raises(portail.InvalidCredentialsError):
        portal.login("4", "correct horse")
    with pytest.raises(portail.AccessDeniedError):
        portal.principal(a.id)
    portal.accounts().set_authorized(a.id, True)
    portal.login("4", "correct horse")
    fresh = portal.accounts().regenerate(a.id, notify_by_email=False)
    assert fresh.id != a.id and fresh.identifier == "4"
    assert portal.accounts().get(a.id).status is portail.AccountStatus.REVOKED
    assert portal.accounts().live_account_of("4") == fresh
    revoked = portal.accounts().revoke(fresh.id)
    assert revoked.status is portail.AccountStatus.REVOKED
    assert portal.accounts().find("4") is None


def test_batch_generation_report(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    portal.parties().upsert(
        portail.Party.client("5", "CINQ", emails={portail.EmailRole.MAIN: "cinq@client.fr"})
    )
    portal.parties().upsert(portail.Party.client("6", "SANS MAIL"))
    portal.accounts().generate("5")
    seen: list[portail.Progress] = []
    report = portal.accounts().generate_batch(["4", "5", "6", "404"], progress=seen.append)
    assert [(r.party_code, r.outcome) for r in report] == [
        ("4", portail.BatchOutcome.CREATED),
        ("5", portail.BatchOutcome.ALREADY_HAS_ACCESS),
        ("6", portail.BatchOutcome.NO_EMAIL),
        ("404", portail.BatchOutcome.UNKNOWN_PARTY),
    ]
    assert report.created == 1 and report.rows[0].identifier == "4"
    assert seen[-1] == portail.Progress(portail.Phase.GENERATING, 4, 4)
    drafts = portal.accounts().list(status=portail.AccountStatus.DRAFT)
    assert drafts.total == 2
    assert portal.sync(progress=seen.append).activated == 2
    assert any(p.phase is portail.Phase.ACTIVATING for p in seen)
    by_email = portal.accounts().generate_batch(["6"], identifier_from=portail.IdentifierFrom.EMAIL)
    assert by_email.rows[0].outcome is portail.BatchOutcome.NO_EMAIL


def test_identifier_taken(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    portal.parties().upsert(
        portail.Party.client("5", "CINQ", emails={portail.EmailRole.MAIN: "cinq@client.fr"})
    )
    portal.accounts().generate("4", identifier="moi")
    with pytest.raises(portail.IdentifierTakenError) as e:
        portal.accounts().generate("5", identifier="MOI")
    assert e.value.identifier == "MOI"


def test_invitation(portal: portail.Portal, mailer: portail.MemoryMailer) -> None:
    portal.parties().upsert(client_4())
    a = portal.accounts().invite("4")
    assert a.identifier == "keylian.ace@gmail.com"
    assert a.invitation is not None and a.invitation.sent_at is not None
    assert portal.accounts().invitation_status(a.id) is portail.InvitationStatus.PENDING
    portal.sync()
    token = token_in(mailer.messages()[0].body)
    me = portal.accept_invitation(token, "my own password")
    assert me.account_id == a.id
    assert portal.accounts().invitation_status(a.id) is portail.InvitationStatus.ACCEPTED
    assert portal.login("keylian.ace@gmail.com", "my own password") == me
    with pytest.raises(portail.InvalidTokenError):
        portal.accept_invitation(token, "again password")


def test_portal_view_and_downloads(portal: portail.Portal, clock: portail.FixedClock) -> None:
    portal.parties().upsert(client_4())
    portal.parties().upsert(
        portail.Party.client("5", "CINQ", emails={portail.EmailRole.MAIN: "cinq@client.fr"})
    )
    invoice = portal.documents().publish(
        "4", "Factures", PDF, name="FA-0002.pdf", kind=portail.DocumentKind.INVOICE
    )
    other = portal.documents().publish("5", "Contrats", PDF, name="autre.pdf")
    portal.accounts().generate("4", password="correct horse")
    portal.sync()
    view = portal.view(portal.login("4", "correct horse"))
    assert "Factures" in [f.label for f in view.folders()]
    page = view.documents(folder="Factures")
    assert [d.id for d in page] == [invoice.id]
    clock.advance(dt.timedelta(minutes=3))
    download = view.open(invoice.id)
    assert download.content == PDF and not download.watermarked
    assert download.document.downloads == 1
    assert download.document.first_download_at == clock.now()
    with pytest.raises(portail.AccessDeniedError):
        view.open(other.id)
    history = portal.documents().downloads(invoice.id)
    assert history.total == 1 and history[0].at == clock.now()


def test_identifiers_are_unique_across_codes_and_emails(portal: portail.Portal) -> None:
    portal.parties().upsert(
        portail.Party.client("a@x.fr", "CODE EST UN EMAIL", emails={portail.EmailRole.MAIN: "z@x.fr"})
    )
    portal.parties().upsert(portail.Party.client("B", "B", emails={portail.EmailRole.MAIN: "A@X.FR"}))
    portal.accounts().generate("a@x.fr")
    with pytest.raises(portail.IdentifierTakenError) as e:
        portal.accounts().generate("B", identifier_from=portail.IdentifierFrom.EMAIL)
    assert e.value.identifier == "A@X.FR"
    with pytest.raises(portail.IdentifierTakenError):
        portal.accounts().generate("B", identifier="a@X.fr")
    with pytest.raises(portail.InvalidInputError) as bad:
        portal.accounts().generate("B", identifier="has space")
    assert bad.value.field == "identifier"
    portal.accounts().generate("B", identifier="bee")
    portal.parties().upsert(
        portail.Party.employee("a@x.fr", "SALARIE", emails={portail.EmailRole.MAIN: "s@x.fr"})
    )
    portal.accounts().generate("a@x.fr", audience=portail.Audience.EMPLOYEE)


def test_given_passwords_follow_the_policy(
    portal: portail.Portal, mailer: portail.MemoryMailer
) -> None:
    portal.parties().upsert(client_4())
    with pytest.raises(portail.InvalidInputError) as e:
        portal.accounts().generate("4", password="court")
    assert e.value.field == "password"
    a = portal.accounts().generate("4", password="assez-long-1", notify_by_email=False)
    portal.sync()
    assert len(mailer) == 0, "notify by e-mail unticked"
    portal.login("4", "assez-long-1")
    with pytest.raises(portail.InvalidStateError):
        portal.accounts().set_password(a.id, "another-one")


def test_invitations_later_expire_reinvite(
    portal: portail.Portal, mailer: portail.MemoryMailer, clock: portail.FixedClock
) -> None:
    portal.parties().upsert(portail.Party.client("9", "PLUS TARD", emails={portail.EmailRole.MAIN: "later@x.fr"}))
    later = portal.accounts().invite("9", send_now=False)
    portal.sync()
    assert len(mailer) == 0
    portal.accounts().reinvite(later.id)
    portal.sync()
    first_link = token_in(mailer.messages()[0].body)
    clock.advance(dt.timedelta(days=8))
    assert portal.accounts().invitation_status(later.id) is portail.InvitationStatus.EXPIRED
    with pytest.raises(portail.InvalidTokenError):
        portal.accept_invitation(first_link, "my-own-password")
    portal.accounts().reinvite(later.id)
    portal.sync()
    second_link = token_in(mailer.messages()[1].body)
    assert portal.accept_invitation(second_link, "my-own-password").party_code == "9"


def test_tenants_and_audiences_are_walls(tmp_path: pathlib.Path) -> None:
    settings = portail.Settings.new("MA SOCIETE", "masociete.fr")
    fast = portail.SecurityPolicy.fast_for_tests()
    a = portail.Portal.open(tmp_path, tenant="a", settings=settings, security=fast)
    b = portail.Portal.open(tmp_path, tenant="b", settings=settings, security=fast)
    a.parties().upsert(client_4())
    doc = a.documents().publish("4", "Contrats", PDF, name="C.pdf")
    with pytest.raises(portail.NotFoundError):
        b.parties().get("4")
    with pytest.raises(portail.NotFoundError):
        b.documents().get(doc.id)
    assert b.notifications().history().total == 0
    a.accounts().generate("4", password="correct horse")
    a.sync()
    with pytest.raises(portail.InvalidCredentialsError):
        b.login("4", "correct horse")
    with pytest.raises(portail.InvalidCredentialsError):
        a.login("4", "correct horse", audience=portail.Audience.EMPLOYEE)
    assert a.login("4", "correct horse").party_code == "4"
