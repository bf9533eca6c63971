"""Issue 12 (hardening) through the public Python API: lockout before hashing and for unknown
identifiers, normalised identifiers, reset tokens dying with the password, the outbox's claim
lease and SMTP deadline, secrets refused in subjects, input validated as the mail library does,
content checked against its name, the unpaid copy as a full rewrite, a deleted blob."""

from __future__ import annotations

import dataclasses
import datetime as dt
import pathlib
import re
import socket
import sqlite3
import threading
import time
from typing import Callable, Iterator, List, Optional

import pytest

import portail
from conftest import PDF, client_4

POLICY = portail.SecurityPolicy.fast_for_tests()


def token_in(body: str) -> str:
    match = re.search(r"token=([0-9a-f]{64})", body)
    assert match, body
    return match.group(1)


def reset_token(portal: portail.Portal, mailer: portail.MemoryMailer, identifier: str) -> str:
    mailer.clear()
    portal.request_password_reset(identifier)
    portal.dispatch()
    [mail] = mailer.messages()
    return token_in(mail.body)


def active_4(portal: portail.Portal, password: str = "password-1") -> portail.Account:
    portal.parties().upsert(client_4())
    account = portal.accounts().generate("4", password=password, notify_by_email=False)
    portal.sync()
    return account


# 1. Lockout, identifiers.


def test_unknown_identifiers_lock_out_like_known_ones(portal: portail.Portal) -> None:
    active_4(portal)

    def answers(identifier: str) -> List[str]:
        codes = []
        for _ in range(POLICY.max_failed_logins + 1):
            with pytest.raises(portail.PortailError) as e:
                portal.login(identifier, "wrong password")
            codes.append(e.value.code)
        return codes

    known, unknown = answers("4"), answers("nobody")
    assert known == unknown
    assert unknown == ["invalid_credentials"] * POLICY.max_failed_logins + ["locked_out"]
    assert portal.accounts().lockout("nobody").locked_until is not None


def test_parallel_wrong_logins_verify_at_most_the_threshold(portal: portail.Portal) -> None:
    active_4(portal)
    verified: List[int] = []
    locked: List[int] = []
    other: List[BaseException] = []
    barrier = threading.Barrier(24)

    def guess() -> None:
        barrier.wait()
        try:
            portal.login("4", "wrong password")
        except portail.InvalidCredentialsError:
            verified.append(1)
        except portail.LockedOutError:
            locked.append(1)
        except BaseException as e:  # noqa: BLE001 - reported below
            other.append(e)

    threads = [threading.Thread(target=guess) for _ in range(24)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print(f"24 parallel wrong logins: {len(verified)} verified, {len(locked)} locked out")
    assert not other, other
    assert len(verified) <= POLICY.max_failed_logins
    assert len(verified) + len(locked) == 24
    with pytest.raises(portail.LockedOutError):
        portal.login("4", "password-1")


@pytest.mark.parametrize("bad", ["pa\u200bul", "pa\u00adul", "\u202ednarud", "paul\u2066x", ""])
def test_malformed_identifiers_are_invalid_input(portal: portail.Portal, bad: str) -> None:
    active_4(portal)
    calls: List[Callable[[], object]] = [
        lambda: portal.login(bad, "password-1"),
        lambda: portal.request_password_reset(bad),
        lambda: portal.accounts().find(bad),
    ]
    for call in calls:
        with pytest.raises(portail.InvalidInputError) as e:
            call()
        assert e.value.code == "invalid_input" and e.value.field == "identifier"


def test_identifiers_are_normalised(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    portal.parties().upsert(
        portail.Party.client("5", "CINQ", emails={portail.EmailRole.MAIN: "cinq@client.fr"})
    )
    portal.accounts().generate("4", identifier="ééé", password="password-1", notify_by_email=False)
    portal.sync()
    me = portal.login("ééé", "password-1")
    assert portal.login("ÉÉÉ", "password-1") == me
    assert portal.login("e\u0301e\u0301e\u0301", "password-1") == me  # NFD
    assert portal.login("E\u0301E\u0301E\u0301", "password-1") == me
    # Look-alikes of a chosen identifier cannot coexist; invisible characters are refused.
    with pytest.raises(portail.IdentifierTakenError):
        portal.accounts().generate("5", identifier="ÉÉÉ")
    with pytest.raises(portail.InvalidInputError) as e:
        portal.accounts().generate("5", identifier="cinq\u200b")
    assert e.value.field == "identifier"


# 2. Reset tokens die with the password.


def test_reset_tokens_die_with_the_password(
    portal: portail.Portal, mailer: portail.MemoryMailer
) -> None:
    account = active_4(portal)
    # A password change voids an outstanding token.
    token = reset_token(portal, mailer, "4")
    me = portal.login("4", "password-1")
    portal.change_password(me, "password-1", "password-2")
    with pytest.raises(portail.InvalidTokenError) as e:
        portal.reset_password(token, "password-3")
    assert e.value.code == "invalid_token"
    # Using a newer reset voids the older one.
    older = reset_token(portal, mailer, "4")
    newer = reset_token(portal, mailer, "4")
    portal.reset_password(newer, "password-4")
    with pytest.raises(portail.InvalidTokenError):
        portal.reset_password(older, "password-5")
    portal.login("4", "password-4")
    # Suspension voids it, and a reset requested while suspended sends nothing.
    token = reset_token(portal, mailer, "4")
    portal.accounts().set_authorized(account.id, False)
    with pytest.raises(portail.InvalidTokenError):
        portal.reset_password(token, "password-6")
    mailer.clear()
    portal.request_password_reset("4")
    portal.dispatch()
    assert len(mailer) == 0
    portal.accounts().set_authorized(account.id, True)
    with pytest.raises(portail.InvalidTokenError):
        portal.reset_password(token, "password-6")


# 4. Outbox.


@pytest.mark.parametrize(
    "lease",
    [dt.timedelta(milliseconds=99), dt.timedelta(0), dt.timedelta(seconds=-1), dt.timedelta(days=2)],
)
def test_claim_lease_out_of_range_is_invalid_input(
    settings: portail.Settings, tmp_path: pathlib.Path, lease: dt.timedelta
) -> None:
    with pytest.raises(portail.InvalidInputError) as e:
        portail.Portal.in_memory("t", settings, claim_lease=lease)
    assert e.value.code == "invalid_input" and e.value.field == "claim_lease"
    with pytest.raises(portail.InvalidInputError) as e:
        portail.Portal("t", settings, claim_lease=lease)
    assert e.value.field == "claim_lease"
    with pytest.raises(portail.InvalidInputError) as e:
        portail.Portal.open(tmp_path, claim_lease=lease)
    assert e.value.field == "claim_lease"


def test_claim_lease_in_range_dispatches(
    settings: portail.Settings, mailer: portail.MemoryMailer, tmp_path: pathlib.Path
) -> None:
    for lease in [dt.timedelta(milliseconds=100), dt.timedelta(seconds=2), dt.timedelta(days=1)]:
        p = portail.Portal.in_memory("t", settings, mailer=mailer, claim_lease=lease)
        p.parties().upsert(client_4())
        p.documents().publish("4", "Factures", PDF, name="F.pdf", kind=portail.DocumentKind.INVOICE)
        assert p.dispatch().sent == 1
    opened = portail.Portal.open(
        tmp_path, settings=settings, mailer=mailer, claim_lease=dt.timedelta(seconds=30)
    )
    assert opened.tenant == "default"


class HangingRelay:
    """Accepts SMTP connections and never answers (not even the greeting)."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.port: int = self.server.getsockname()[1]
        self.held: List[socket.socket] = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    def accept(self) -> None:
        while True:
            try:
                conn, _ = self.server.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self) -> None:
        self.server.close()
        for conn in self.held:
            conn.close()


@pytest.fixture
def hanging_relay() -> Iterator[HangingRelay]:
    relay = HangingRelay()
    yield relay
    relay.close()


def test_smtp_deadline_bounds_a_send_to_a_relay_that_hangs(
    settings: portail.Settings, hanging_relay: HangingRelay
) -> None:
    smtp = portail.SmtpMailer.unencrypted(
        "127.0.0.1", hanging_relay.port, deadline=dt.timedelta(milliseconds=500)
    )
    portal = portail.Portal.in_memory("t", settings, mailer=smtp)
    portal.parties().upsert(client_4())
    doc = portal.documents().publish(
        "4", "Factures", PDF, name="F.pdf", kind=portail.DocumentKind.INVOICE
    )
    started = time.monotonic()
    report = portal.dispatch()
    elapsed = time.monotonic() - started
    print(f"send to a hanging relay with a 0.5 s deadline took {elapsed:.2f} s")
    assert elapsed < 10
    assert (report.sent, report.failed) == (0, 1)
    assert doc.notification.notification_id is not None
    n = portal.notifications().get(doc.notification.notification_id)
    assert n.state is portail.NotificationState.FAILED
    assert n.attempts and "deadline" in (n.attempts[-1].error or "")
    # The default and a negative deadline (clamped by the core) are accepted too.
    portail.SmtpMailer.unencrypted("127.0.0.1", hanging_relay.port)
    portail.SmtpMailer.unencrypted("127.0.0.1", 25, deadline=dt.timedelta(seconds=-1))


def test_a_secret_in_a_subject_is_refused(portal: portail.Portal) -> None:
    for purpose, subject in [
        (portail.TemplatePurpose.ACCESS_CREDENTIALS, "Votre mot de passe : #mot_de_passe#"),
        (portail.TemplatePurpose.PASSWORD_RESET, "Réinitialisez ici : #lien#"),
    ]:
        template = portail.Template(portail.Audience.CLIENT, purpose, subject, "Bonjour #nom#, #lien#")
        with pytest.raises(portail.InvalidInputError) as e:
            portal.templates().save(template)
        assert e.value.code == "invalid_input" and e.value.field == "subject"


class CancellingMailer:
    """Tries to cancel, then force-resend, the notification it is sending."""

    def __init__(self) -> None:
        self.portal: Optional[portail.Portal] = None
        self.refusals: List[BaseException] = []
        self.sent: List[str] = []

    def send(self, message: portail.OutgoingMessage) -> None:
        portal = self.portal
        assert portal is not None
        try:
            portal.notifications().cancel(message.notification_id)
        except portail.PortailError as e:
            self.refusals.append(e)
        try:
            portal.notifications().resend(message.notification_id, force=True)
        except portail.PortailError as e:
            self.refusals.append(e)
        self.sent.append(message.message_id)


def test_cancel_of_a_notification_being_sent_is_an_invalid_state(
    settings: portail.Settings, clock: portail.FixedClock
) -> None:
    mailer = CancellingMailer()
    portal = portail.Portal.in_memory("t", settings, mailer=mailer, clock=clock)
    mailer.portal = portal
    portal.parties().upsert(client_4())
    doc = portal.documents().publish(
        "4", "Factures", PDF, name="F.pdf", kind=portail.DocumentKind.INVOICE
    )
    assert portal.dispatch().sent == 1
    assert [type(e) for e in mailer.refusals] == [portail.InvalidStateError] * 2
    assert all(isinstance(e, portail.PortailError) and e.code == "invalid_state" for e in mailer.refusals)
    assert doc.notification.notification_id is not None
    n = portal.notifications().get(doc.notification.notification_id)
    assert n.state is portail.NotificationState.SENT  # the history tells the truth
    assert len(mailer.sent) == 1
    assert portal.notifications().history().total == 1


def test_an_undecodable_row_is_quarantined(
    settings: portail.Settings, mailer: portail.MemoryMailer, clock: portail.FixedClock,
    tmp_path: pathlib.Path,
) -> None:
    portal = portail.Portal.open(tmp_path, settings=settings, mailer=mailer, clock=clock)
    portal.parties().upsert(client_4())
    for i in range(3):
        portal.documents().publish(
            "4", "Factures", PDF, name=f"F{i}.pdf", kind=portail.DocumentKind.INVOICE
        )
    victim = portal.notifications().history()[1].id
    with sqlite3.connect(tmp_path / "portail.sqlite3") as db:
        db.execute("UPDATE notifications SET body = '{\"id\": 12' WHERE id = ?", (victim,))
    db.close()
    assert portal.notifications().get(victim).state is portail.NotificationState.QUARANTINED
    assert portal.dispatch().sent == 2
    q = portal.notifications().get(victim)
    assert q.state is portail.NotificationState.QUARANTINED and q.quarantine == "undecodable"
    listed = portal.notifications().history(state=portail.NotificationState.QUARANTINED)
    assert [n.id for n in listed] == [victim]
    with pytest.raises(portail.InvalidStateError):
        portal.notifications().cancel(victim)
    # The mail's Date header is the portal clock's.
    assert all(m.date == clock.now() for m in mailer.messages())


# 5. Input as the mail library reads it; caps in characters; content against its name.


@pytest.mark.parametrize("address", ["a\\b@x.fr", "(x)@x.fr", "a(b)@x.fr"])
def test_addresses_the_mail_library_refuses_are_invalid_input(
    portal: portail.Portal, address: str
) -> None:
    with pytest.raises(portail.InvalidInputError) as e:
        portal.parties().upsert(
            portail.Party.client("4", "MOI MEME", emails={portail.EmailRole.BILLING: address})
        )
    assert e.value.field == "emails.billing"
    s = portal.settings()
    with pytest.raises(portail.InvalidInputError) as e:
        portal.save_settings(dataclasses.replace(s, sender=address))
    assert e.value.field == "sender"
    with pytest.raises(portail.InvalidInputError) as e:
        portal.save_settings(dataclasses.replace(s, reply_to=address))
    assert e.value.field == "reply_to"


def test_length_caps_count_characters(portal: portail.Portal) -> None:
    portal.parties().upsert(portail.Party.client("4", "é" * 200))
    assert portal.parties().get("4").name == "é" * 200
    with pytest.raises(portail.InvalidInputError) as e:
        portal.parties().upsert(portail.Party.client("4", "é" * 201))
    assert e.value.code == "invalid_input" and e.value.field == "name"


def test_content_must_match_a_pdf_name(portal: portail.Portal) -> None:
    portal.parties().upsert(client_4())
    for name, content in [
        ("FA-0002.pdf", b"<html><body>not a pdf</body></html>"),
        ("FA-0002.PDF", b"\x89PNG\r\n\x1a\nrest"),
    ]:
        with pytest.raises(portail.InvalidInputError) as e:
            portal.documents().publish(
                "4", "Factures", content, name=name, kind=portail.DocumentKind.INVOICE
            )
        assert e.value.field == "content"
    assert portal.documents().list("4").total == 0
    assert portal.notifications().history().total == 0
    report = portal.documents().publish_many(
        [portail.Publish("4", "Factures", b"not a pdf", name="x.pdf")]
    )
    [outcome] = report.outcomes
    assert isinstance(outcome, portail.InvalidInputError) and outcome.field == "content"
    # A PDF under its name is fine.
    portal.documents().publish("4", "Factures", PDF, name="FA-0003.pdf")


# 6. The unpaid copy is a full rewrite.


def test_incremental_watermark_is_a_pdf_error() -> None:
    with pytest.raises(portail.PdfError) as e:
        portail.pdf.watermark(portail.pdf.sample_pdf(["x"]), "COPIE", method="incremental")
    assert e.value.code == "pdf"


def test_unpaid_download_carries_no_clean_original(portal: portail.Portal) -> None:
    s = portal.settings()
    portal.save_settings(
        dataclasses.replace(
            s, client=dataclasses.replace(s.client, unpaid_policy=portail.UnpaidPolicy.WATERMARK)
        )
    )
    portal.parties().upsert(client_4())
    original = portail.pdf.sample_pdf(["Facture FA-0002", "Conditions"])
    invoice = portal.documents().publish(
        "4", "Factures", original, name="FA-0002.pdf",
        kind=portail.DocumentKind.INVOICE, payment=portail.PaymentStatus.UNPAID,
    )
    portal.accounts().generate("4", password="password-1", notify_by_email=False)
    portal.sync()
    download = portal.view(portal.login("4", "password-1")).open(invoice.id)
    assert download.watermarked
    copy = download.content
    assert copy.count(b"%%EOF") == 1
    assert not copy.startswith(original)
    assert portail.pdf.page_count(copy) == 2
    for auto in [portail.pdf.watermark(original, "COPIE"),
                 portail.pdf.watermark(original, "COPIE", method="rewrite")]:
        assert auto.count(b"%%EOF") == 1 and not auto.startswith(original)


# 7. A deleted blob.


def test_a_deleted_blob_is_a_storage_error(tmp_path: pathlib.Path, clock: portail.FixedClock) -> None:
    portal = portail.Portal(
        "t", portail.Settings.new("A", "a.fr"), blobs_dir=tmp_path, clock=clock, security=POLICY
    )
    portal.parties().upsert(client_4())
    doc = portal.documents().publish("4", "Contrats", PDF, name="Contrat-42.pdf")
    (tmp_path / doc.sha256[:2] / doc.sha256[2:]).unlink()
    with pytest.raises(portail.StorageError) as e:
        portal.documents().content(doc.id)
    assert e.value.code == "storage" and "Contrat-42.pdf" in str(e.value)
    portal.accounts().generate("4", password="password-1", notify_by_email=False)
    portal.sync()
    with pytest.raises(portail.StorageError):
        portal.view(portal.login("4", "password-1")).open(doc.id)
    assert portal.documents().get(doc.id).downloads == 0
