"""A mailer written in Python: any object with send(message)."""

from __future__ import annotations

import email
import email.policy
import pathlib
import threading
from typing import List

import pytest

import portail
from conftest import PDF, START, client_4


class HostMailer:
    """The host's own mail system: records what it is given, can be told to fail."""

    def __init__(self) -> None:
        self.sent: List[portail.OutgoingMessage] = []
        self.fail_with: List[BaseException] = []

    def send(self, message: portail.OutgoingMessage) -> None:
        if self.fail_with:
            raise self.fail_with.pop(0)
        self.sent.append(message)


def make(mailer: object) -> portail.Portal:
    p = portail.Portal.in_memory(
        "t",
        portail.Settings.new("MA SOCIÉTÉ", "masociete.fr", reply_to="contact@masociete.fr"),
        mailer=mailer,  # type: ignore[arg-type]
        clock=portail.FixedClock(START),
        security=portail.SecurityPolicy.fast_for_tests(),
    )
    p.parties().upsert(client_4())
    return p


def test_python_mailer_receives_the_message() -> None:
    host = HostMailer()
    portal = make(host)
    doc = portal.documents().publish(
        "4", "Factures", PDF, name="FA-0002.pdf", kind=portail.DocumentKind.INVOICE
    )
    assert portal.sync().dispatch.sent == 1
    [m] = host.sent
    assert m.notification_id == doc.notification.notification_id
    assert m.message_id == f"<{m.notification_id}@masociete.fr>"
    assert (m.from_, m.from_name, m.reply_to) == (
        "noreply@masociete.fr",
        "MA SOCIÉTÉ",
        "contact@masociete.fr",
    )
    assert m.to == "keylian.ace@gmail.com" and "FA-0002.pdf" in m.body
    parsed = email.message_from_bytes(m.as_bytes(), policy=email.policy.default)
    assert parsed["Message-ID"] == m.message_id
    assert parsed["To"] == "keylian.ace@gmail.com"
    assert parsed["Subject"] == m.subject
    assert "MA SOCIÉTÉ" in m.subject


def test_host_exceptions_become_transient_or_permanent_outcomes() -> None:
    host = HostMailer()
    portal = make(host)
    for _ in range(3):
        portal.documents().publish("4", "Contrats", PDF, name="C.pdf")
    host.fail_with = [
        portail.TransientMailError("421 busy"),
        portail.PermanentMailError("550 unknown user"),
        ValueError("bug in the host"),
    ]
    report = portal.dispatch()
    assert (report.attempted, report.sent, report.failed, report.abandoned) == (3, 0, 2, 1)
    states = sorted(
        (n.state.value, n.last_error or "") for n in portal.notifications().history()
    )
    assert states == [
        ("abandoned", "PermanentMailError: 550 unknown user"),
        ("failed", "TransientMailError: 421 busy"),
        ("failed", "ValueError: bug in the host"),
    ]


def test_python_mailer_called_from_worker_threads() -> None:
    lock = threading.Lock()
    seen: List[str] = []

    class Mailer:
        def send(self, message: portail.OutgoingMessage) -> None:
            with lock:
                seen.append(message.notification_id)

    portal = make(Mailer())
    for i in range(20):
        portal.documents().publish("4", "Contrats", PDF, name=f"C-{i}.pdf")
    threads = [threading.Thread(target=portal.dispatch, args=(5,)) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    portal.dispatch()
    assert len(seen) == 20 and len(set(seen)) == 20


def test_file_mailer_writes_eml(tmp_path: pathlib.Path) -> None:
    outbox = portail.FileMailer(tmp_path / "outbox")
    portal = make(outbox)
    doc = portal.documents().publish("4", "Contrats", PDF, name="C.pdf")
    portal.sync()
    nid = doc.notification.notification_id
    assert nid is not None
    assert outbox.path_of(nid).exists() and outbox.directory == tmp_path / "outbox"
    assert f"Message-ID: <{nid}@masociete.fr>" in outbox.read(nid)


def test_messages_can_be_built_to_test_a_host_mailer() -> None:
    m = portail.OutgoingMessage(
        message_id="<n1@masociete.fr>",
        notification_id="n1",
        from_="noreply@masociete.fr",
        to="keylian.ace@gmail.com",
        subject="Objet accentué",
        body="Corps",
        reply_to="contact@masociete.fr",
    )
    host = HostMailer()
    host.send(m)
    assert host.sent == [m]
    assert b"Message-ID: <n1@masociete.fr>" in m.as_bytes()


def test_unbuildable_message_is_a_mail_error() -> None:
    bad = portail.OutgoingMessage(
        message_id="<n1@x.fr>",
        notification_id="n1",
        from_="noreply@x.fr",
        to="not an address",
        subject="s",
        body="b",
    )
    with pytest.raises(portail.MailError) as e:
        bad.as_bytes()
    assert e.value.code == "mail" and "not an address" in (e.value.reason or "")


def test_keyboard_interrupt_in_send_is_recorded_then_raised() -> None:
    host = HostMailer()
    portal = make(host)
    portal.documents().publish("4", "Contrats", PDF, name="C-1.pdf")
    portal.documents().publish("4", "Contrats", PDF, name="C-2.pdf")
    host.fail_with = [KeyboardInterrupt()]
    with pytest.raises(KeyboardInterrupt):
        portal.dispatch()
    states = sorted(n.state.value for n in portal.notifications().history())
    assert states == ["failed", "sent"], "the dispatch finished and recorded both"
    assert len(host.sent) == 1
    assert portal.dispatch().attempted == 0
